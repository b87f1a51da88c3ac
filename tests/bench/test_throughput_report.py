"""P1's printed table (bench/throughput.py): the pages against their targets, and the
signed-in floor beside them with none."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def throughput():
    return importlib.import_module("bench.throughput")


def test_the_floor_is_shown_without_a_target_and_apart_from_the_figures(throughput, capsys):
    results = {
        throughput.ANCHOR: (600.0, 0),
        "case list": (48.0, 0),
        "account": (96.0, 0),
        throughput.FLOOR: (246.0, 1968),
    }
    throughput.report(results, 10_000, "PostgreSQL")
    out = capsys.readouterr().out
    lines = out.splitlines()
    floor = next(line for line in lines if line.startswith(throughput.FLOOR))
    assert "0.410" in floor and "0.30" not in floor and "1968 (404s, as meant)" in floor
    assert "P1floor PostgreSQL ratio=0.410" in lines
    figures = [line for line in lines if line.startswith("P1 PostgreSQL")]
    assert figures == [
        "P1 PostgreSQL case_list ratio=0.080",
        "P1 PostgreSQL account ratio=0.160",
    ]
    case_list = next(line for line in lines if line.startswith("case list"))
    assert case_list.split()[-2:] == ["0.50", "0"]


def test_run_all_reads_the_floor_as_no_figure(capsys):
    run_all = importlib.import_module("bench.run_all")
    lines = ["P1floor PostgreSQL ratio=0.410", "P1 PostgreSQL case_list ratio=0.080"]
    run_all.table(lines, people=10_000, seconds=60)
    row = next(
        line
        for line in capsys.readouterr().out.splitlines()
        if "case list vs minimal page (PG)" in line
    )
    assert row.endswith("| 0.080x | no |")
