"""The CTDC export: CTDC's column names, values from the skeleton only, and k-anonymity over
the quasi-identifiers (k >= 11) whatever the population, a lone outlier included."""

from __future__ import annotations

import csv
import re
import uuid
from collections import Counter
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from audit.models import AuditEvent
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton
from reports.ctdc import COLUMNS, QUASI_IDENTIFIERS, anonymise, ctdc_row
from tests.factories import make_organisation

K = 11
#: Codes, flags, years (or spans of years) and age bands: nothing else may be written.
ALLOWED = r"[A-Za-z ]*|\d{4}(--\d{4})?|[01]|\d{1,2}--\d{1,2}|\d{2}\+"


def skeleton(**values):
    base = dict.fromkeys(SKELETON_FIELDS)
    base.update(
        {
            "case_type": "presumed_victim",
            "sex": "female",
            "age_band": "24-26",
            "child": False,
            "nationality": "AF",
            "registered_month": "2026-03",
        }
    )
    base.update(values)
    return SimpleNamespace(**base)


def k_of(rows) -> int:
    groups = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in rows)
    return min(groups.values()) if groups else 0


def test_a_row_maps_the_skeleton_to_ctdc_columns():
    row = ctdc_row(
        skeleton(
            screening_outcome="possible",
            means_of_control=["threats", "withholds_documents"],
            exploitation_types=["forced_labour", "sexual_exploitation"],
        )
    )
    assert list(row) == list(COLUMNS)
    assert row["yearOfRegistration"] == "2026" and row["Datasource"] == "Case Management"
    assert (row["gender"], row["ageBroad"], row["majorityStatus"]) == ("Female", "24--26", "Adult")
    assert row["citizenship"] == "AF"
    assert row["meansOfControlThreats"] == "1" and row["meansOfControlDebtBondage"] == "0"
    assert row["meansOfControlWithholdsDocuments"] == "1"
    assert row["meansOfControlNotSpecified"] == "0"
    assert (row["isForcedLabour"], row["isSexualExploit"], row["isOtherExploit"]) == ("1", "1", "0")
    assert row["isSexAndLabour"] == "1"
    # Not screened: the flags are unknown (blank), not "no".
    unscreened = ctdc_row(skeleton())
    assert unscreened["meansOfControlThreats"] == "" and unscreened["isForcedLabour"] == ""
    # The trafficking story's skeleton fields fill their columns (child -> Minor).
    story = ctdc_row(
        skeleton(
            recruiter_relation="intimate_partner",
            exploitation_countries=["tr"],
            majority_at_exploitation="child",
        )
    )
    assert story["recruiterRelationIntimatePartner"] == "1"
    assert story["recruiterRelationOther"] == "0"
    assert story["CountryOfExploitation"] == "TR" and story["majorityStatusAtExploit"] == "Minor"
    assert ctdc_row(skeleton())["CountryOfExploitation"] == ""


def test_groups_under_k_are_generalised_or_suppressed():
    rows = [ctdc_row(skeleton()) for _ in range(30)]
    rows += [ctdc_row(skeleton(age_band="27-29")) for _ in range(12)]
    rows += [ctdc_row(skeleton(sex="female", age_band="48+", nationality="NZ"))]
    result = anonymise(rows, k=K)
    assert k_of(result.rows) >= K and result.k == k_of(result.rows)
    assert result.suppressed + len(result.rows) == len(rows)
    assert "NZ" not in {row["citizenship"] for row in result.rows}
    assert "48+" not in {row["ageBroad"] for row in result.rows}


def test_too_few_people_write_nothing():
    result = anonymise([ctdc_row(skeleton()) for _ in range(K - 1)], k=K)
    assert result.rows == [] and result.suppressed == K - 1 and result.k is None


BANDS = ["0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"]
person = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(["female", "female", "male", "male", "other", None]),
        "age_band": st.sampled_from([*BANDS[2:5], *BANDS[2:5], *BANDS, None]),
        "nationality": st.sampled_from(["AF", "AF", "AF", "IQ", "IQ", "SY", "ER", "VN", None]),
        "registered_month": st.sampled_from(["2024-02", "2025-06", "2025-11", "2026-01"]),
        "exploitation_countries": st.sampled_from([None, ["TR"], ["TR"], ["IR"], ["RU", "TR"]]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=0, max_size=160))
def test_skewed_populations_never_show_the_lone_outlier(people):
    rows = []
    for values in people:
        child = values["age_band"] in {"0-8", "9-17"} if values["age_band"] else None
        rows.append(ctdc_row(skeleton(child=child, **values)))
    # One 70-year-old woman from a country nobody else comes from.
    outlier = skeleton(sex="female", age_band="48+", nationality="NZ", registered_month="2025-06")
    rows.append(ctdc_row(outlier))
    result = anonymise(rows, k=K)
    if result.rows:
        assert k_of(result.rows) >= K
    assert all(row["citizenship"] != "NZ" for row in result.rows)
    assert result.suppressed + len(result.rows) == len(rows)


def _add_population(db_session, organisation_id) -> None:
    def add(count: int, **values):
        for _ in range(count):
            fields = {**vars(skeleton()), **values, "organisation_id": organisation_id}
            db_session.add(CaseSkeleton(id=uuid.uuid4(), **fields))

    add(25, screening_outcome="possible", means_of_control=["threats"])
    add(14, sex="male", age_band="30-38", nationality="IQ", registered_month="2026-05")
    add(12, age_band="9-17", child=True, registered_month="2025-12")
    add(1, age_band="48+", nationality="NZ", registered_month="2026-02")  # the outlier
    add(2, sex="other", nationality="SY")
    db_session.flush()


def test_the_command_writes_a_k_anonymous_csv_and_is_audited(app, db_session, tmp_path):
    organisation = make_organisation(app, db_session, agency=True)
    _add_population(db_session, organisation.id)
    out = tmp_path / "ctdc.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "ctdc", str(out), "--from", "2026-01-01"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    written = int(re.search(r"rows written: (\d+)", result.output).group(1))
    suppressed = int(re.search(r"rows suppressed: (\d+)", result.output).group(1))
    achieved = int(re.search(r"k achieved: (\d+)", result.output).group(1))
    assert written == len(rows) and written + suppressed == 25 + 14 + 1 + 2
    assert k_of(rows) >= K and achieved == k_of(rows)
    assert {row["yearOfRegistration"] for row in rows} <= {"2026", "2026--2030", ""}
    assert all(row["citizenship"] != "NZ" for row in rows)
    for row in rows:  # codes and flags only: no date finer than a year, no number, no text
        for value in row.values():
            assert re.fullmatch(ALLOWED, value), value
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.details_dict == {"report": "ctdc", "from": "2026-01-01", "to": None, "k": 11}
    assert str(written) not in event.details  # never the figures


def test_the_command_refuses_a_period_backwards(app, tmp_path):
    args = [
        "reports",
        "ctdc",
        str(tmp_path / "x.csv"),
        "--from",
        "2026-02-01",
        "--to",
        "2026-01-01",
    ]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2 and "--from is after --to" in result.output


def test_the_command_on_the_demo_data(app, db_session, tmp_path):
    """Every demo case has its one skeleton as soon as it is registered; the export of a
    handful of cases writes no row a group of fewer than 11 would show."""
    from casework.models import Case

    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    cases = db_session.scalars(select(Case.id)).all()
    assert cases and len(db_session.scalars(select(CaseSkeleton.id)).all()) == len(cases)
    out = tmp_path / "demo.csv"
    result = runner.invoke(args=["reports", "ctdc", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert f"rows written: {len(rows)}" in result.output
    assert f"rows suppressed: {len(cases) - len(rows)}" in result.output
    assert not rows or k_of(rows) >= K


def test_the_period_is_compared_by_month_and_old_year_only_skeletons_by_year():
    from datetime import date

    from reports.queries import _within

    start, end = date(2026, 2, 15), date(2026, 4, 1)
    assert _within("2026-02", start, end) and _within("2026-04", start, end)
    assert not _within("2026-01", start, end) and not _within("2026-05", start, end)
    assert _within("2026", start, end) and not _within("2025", start, end)
    assert _within(None, None, None) and not _within(None, start, None)
