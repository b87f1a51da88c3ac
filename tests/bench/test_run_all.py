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


def test_served_registrations_have_their_own_row(run_all, capsys):
    lines = [
        "P6 people=10000 case_list_ms=11.1 registrations_per_s=18.8",
        "P6served clients=8 registrations_per_s=31.2 single_per_s=20.4",
    ]
    run_all.table(lines, people=10_000, seconds=480)
    out = capsys.readouterr().out
    assert _row(out, "registrations/s, one client in-process").endswith("| 19 | no |")
    assert _row(out, "registrations/s served, 8 clients").endswith("| 31 | no |")
    run_all.table(["P6served clients=8 registrations_per_s=52.0"], people=10_000, seconds=480)
    out = capsys.readouterr().out
    assert _row(out, "registrations/s served, 8 clients").endswith("| 52 | yes |")
    assert "| registrations/s, one client in-process | >= 50/s | not measured | |" in out


def test_the_runner_keeps_every_figure_line(run_all, tmp_path, monkeypatch):
    script = tmp_path / "fake_bench.py"
    script.write_text(
        "print('P6served clients=8 registrations_per_s=40.0')\n"
        "print('P6 registrations_per_s=12.0')\nprint('not a figure')\n"
    )
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    lines: list[str] = []
    run_all.run("fake_bench.py", [], {}, lines)
    assert lines == ["P6served clients=8 registrations_per_s=40.0", "P6 registrations_per_s=12.0"]
