"""Places files for the tests: a good one, and one builder for bad ones."""

from __future__ import annotations

from pathlib import Path

from core.places import services

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "places_af.csv"
HEADER = "admin0_pcode,admin0_name,admin1_pcode,admin1_name,admin2_pcode,admin2_name"
GOOD = (
    f"{HEADER},admin1_name_fa,admin2_name_ps\n"
    "AF,Afghanistan,AF01,Kabul,AF0101,Kabul,کابل,کابل\n"
    "AF,Afghanistan,AF01,Kabul,AF0102,Paghman,کابل,پغمان\n"
    "AF,Afghanistan,AF30,Herat,AF3002,Injil,هرات,انجیل\n"
    "AF,Afghanistan,AF30,Herat,,,هرات,\n"
    "TJ,Tajikistan,TJ01,Dushanbe,,,,\n"
)


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def import_good(db, data: str = GOOD, app=None):
    """Import ``data`` (in ``app``'s context when given: for tests that also use a client)."""
    if app is not None:
        with app.app_context():
            return import_good(db, data)
    report = services.import_places(db, data.encode(), source="command")
    assert report.ok, report.problems
    return report
