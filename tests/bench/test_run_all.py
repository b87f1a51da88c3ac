"""``make bench``'s table (bench/run_all.py) says what was measured and nothing else."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def run_all():
    return importlib.import_module("bench.run_all")


def _row(out: str, what: str) -> str:
    return next(line for line in out.splitlines() if f"| {what} |" in line)


def test_growth_without_a_larger_database_is_not_measured_rather_than_met(run_all, capsys):
    run_all.table(["P2 median_ms=12.9"], people=10_000, seconds=480)
    out = capsys.readouterr().out
    assert _row(out, "name search median (ms)").endswith("| 12.9 | yes |")
    growth = _row(out, "name search growth")
    assert "not measured (needs --large-database-url)" in growth and "yes" not in growth


def test_growth_against_a_larger_database_is_judged_by_its_target(run_all, capsys):
    lines = ["P2 median_ms=12.9", "P2 median_ms=21.3 growth=1.65"]
    run_all.table(lines, people=10_000, seconds=480)
    out = capsys.readouterr().out
    assert _row(out, "name search median (ms)").endswith("| 21.3 | no |")
    assert _row(out, "name search growth").endswith("| 1.65x | no |")
