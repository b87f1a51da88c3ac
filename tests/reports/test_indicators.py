"""The indicators of issue 16 against hand-computed skeleton populations (SQLite and
PostgreSQL): every published cell, "<5" and secondary "x" included; filters; erasure."""

from __future__ import annotations

import copy
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from auth.models import Organisation
from casework.erasure import erase_person
from casework.models import Case
from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonLink,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from casework.skeleton.services import refresh_skeleton
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.settings_sections import ReportSettings
from reports.indicators import compute, headline
from reports.suppression import ProtectedTable
from reports.tables import Figure, Filters, Section, StatTable
from tests.factories import make_organisation
from tests.reports.indicator_fixtures import many, skeleton
from tests.reports.test_suppression import _equations, _solvable

SETTINGS = ReportSettings(small_cell_threshold=5, export_min_group=11)
MARCH_APRIL = dict(start=date(2026, 3, 1), end=date(2026, 4, 30))


def figure(sections: tuple[Section, ...], key: str) -> Figure:
    return next(f for s in sections for f in s.figures if f.key == key)


def published(fig: Figure) -> list[tuple[str, object]]:
    """(row, first cell) of a one-column count table."""
    table = fig.table
    return [(row, cells[0]) for row, cells in zip(table.rows, table.cells, strict=True)]


@pytest.fixture
def population(app, db_session, request_ctx):
    """23 cases of organisation A registered in March and April 2026, and others that the
    filters leave out: 4 of organisation B (March 2026), 7 of A registered in December 2025
    (one of them closed in May 2026, one with a referral sent in December 2025).

    A, March to April 2026 (providers P1 and P2):
    - 12 identified victims, female, 24-26, adult, AF, forced labour + debt bondage, March;
      2/5/20/10 days to screening/consent/plan/first referral, one reflection period of 30
      days, reopened once; one referral (health, P1, completed, sent March, answered in 2
      days, completed in 20); in follow-up since March 2026, one visit; scores of quarter 1
      (2026-Q2: economic .5, social .7, psychosocial .8, composite .7) and quarter 2
      (2026-Q3: economic .6, composite .8); two plan actions: economic due May 2026 done on
      time, social due October 2026.
    - 6 presumed victims, male, 9-17, child, PK, sexual exploitation, April; 4 days to
      screening, 40 to plan; one referral (shelter, P2, declined "no_capacity", sent April,
      answered in 5 days); in follow-up since April 2026, closed August 2026 (support period
      ended), 3 visits; quarter 1 (2026-Q2) scores: economic .3, composite .4.
    - 3 returnees, sex/age/nationality unknown, nothing recorded at screening, April; closed
      April 2026 with no reason recorded.
    - 2 returnees and victims, female, 48+, adult, AF, forced labour, March; 8 days to
      screening, 25 to plan, two reflection periods of 60 days in all, transferred once; one
      referral (legal, P1, accepted, transnational, sent March, answered in 1 day); a plan
      action (economic, due April 2026, not done on time).
    """
    a = make_organisation(app, db_session)
    b = make_organisation(app, db_session)
    p1 = make_organisation(app, db_session, agency=False, provider=True)
    p2 = make_organisation(app, db_session, agency=False, provider=True)
    many(
        db_session,
        a.id,
        12,
        case_type="identified_victim",
        sex="female",
        age_band="24-26",
        child=False,
        nationality="AF",
        codes={"exploitation_type": ["forced_labour"], "means_of_control": ["debt_bondage"]},
        days_to_screening=2,
        days_to_consent=5,
        days_to_plan=20,
        days_to_first_referral=10,
        reflection_periods=1,
        reflection_days=30,
        reopenings=1,
        referral_facts=[
            dict(
                service_type="health",
                provider_id=p1.id,
                state="completed",
                sent_month="2026-03",
                days_to_answer=2,
                days_to_complete=20,
            )
        ],
        monitoring_started_month="2026-03",
        visits_done=1,
        score_facts=[
            *(
                dict(period="2026-Q2", quarter_since_return=1, dimension=d, score=v)
                for d, v in (
                    ("economic", 0.5),
                    ("social", 0.7),
                    ("psychosocial", 0.8),
                    ("composite", 0.7),
                )
            ),
            dict(period="2026-Q3", quarter_since_return=2, dimension="economic", score=0.6),
            dict(period="2026-Q3", quarter_since_return=2, dimension="composite", score=0.8),
        ],
        action_facts=[
            dict(dimension="economic", due_month="2026-05", done_on_time=True),
            dict(dimension="social", due_month="2026-10", done_on_time=None),
        ],
    )
    many(
        db_session,
        a.id,
        6,
        case_type="presumed_victim",
        sex="male",
        age_band="9-17",
        child=True,
        nationality="PK",
        registered_month="2026-04",
        codes={"exploitation_type": ["sexual_exploitation"]},
        days_to_screening=4,
        days_to_plan=40,
        referral_facts=[
            dict(
                service_type="shelter",
                provider_id=p2.id,
                state="declined",
                decline_reason="no_capacity",
                sent_month="2026-04",
                days_to_answer=5,
            )
        ],
        monitoring_started_month="2026-04",
        closed_month="2026-08",
        closure_reason="support_period_ended",
        visits_done=3,
        score_facts=[
            dict(period="2026-Q2", quarter_since_return=1, dimension="economic", score=0.3),
            dict(period="2026-Q2", quarter_since_return=1, dimension="composite", score=0.4),
        ],
    )
    many(
        db_session,
        a.id,
        3,
        case_type="returnee",
        registered_month="2026-04",
        closed_month="2026-04",
    )
    many(
        db_session,
        a.id,
        2,
        case_type="returnee_and_victim",
        sex="female",
        age_band="48+",
        child=False,
        nationality="AF",
        codes={"exploitation_type": ["forced_labour"]},
        days_to_screening=8,
        days_to_plan=25,
        reflection_periods=2,
        reflection_days=60,
        transfers=1,
        referral_facts=[
            dict(
                service_type="legal",
                provider_id=p1.id,
                state="accepted",
                sent_month="2026-03",
                days_to_answer=1,
                transnational=True,
            )
        ],
        action_facts=[dict(dimension="economic", due_month="2026-04", done_on_time=False)],
    )
    many(db_session, b.id, 4, case_type="identified_victim", sex="female")
    many(db_session, a.id, 5, case_type="returnee", sex="male", registered_month="2025-12")
    many(
        db_session,
        a.id,
        1,
        case_type="returnee",
        sex="male",
        registered_month="2025-12",
        closed_month="2026-05",
        closure_reason="lost_contact",
    )
    many(
        db_session,
        a.id,
        1,
        case_type="returnee",
        sex="male",
        registered_month="2025-12",
        referral_facts=[
            dict(service_type="health", provider_id=p1.id, state="completed", sent_month="2025-12")
        ],
    )
    return SimpleNamespace(a=a, b=b, p1=p1, p2=p2)


def only(organisation, **period) -> Filters:
    return Filters(organisation_ids=frozenset({organisation.id}), **(period or MARCH_APRIL))


def test_identification_counts_registrations_by_each_breakdown(db_session, population):
    a = population.a
    sections = compute(
        db_session, Filters(organisation_ids=frozenset({a.id}), **MARCH_APRIL), SETTINGS, 30
    )
    assert sections[0].key == "identification"
    by_type = figure(sections, "registered_by_case_type")
    assert published(by_type) == [
        ("Returnee", "<5"),
        ("Presumed victim of trafficking", 6),
        ("Identified victim of trafficking", 12),
        ("Returnee and victim of trafficking", "<5"),
    ]
    assert by_type.table.total == 23
    by_sex = figure(sections, "registered_by_sex")
    # Unknown (3) alone in its column would be 23 - 14 - 6: the smallest other cell goes too.
    assert published(by_sex) == [
        ("Female", 14),
        ("Male", "x"),
        ("Other sex", 0),
        ("Not known", 0),
        ("Unknown", "<5"),
    ]
    assert by_sex.table.total == 23
    by_age = published(figure(sections, "registered_by_age_band"))
    # 48+ (2) and Unknown (3) hide each other: together 5, either could be 1..4.
    assert by_age == [
        ("0-8", 0),
        ("9-17", 6),
        ("18-20", 0),
        ("21-23", 0),
        ("24-26", 12),
        ("27-29", 0),
        ("30-38", 0),
        ("39-47", 0),
        ("48+", "<5"),
        ("Unknown", "<5"),
    ]
    # Alone, this table would hide Children as "x" beside Adults 14 and Unknown "<5"; but the
    # age bands publish 0-8 (0) and 9-17 (6), which give Children (6) back, and then Unknown
    # (23 - 6 - 14): the linked tables disagree, so the page withholds this one.
    children = figure(sections, "registered_children")
    assert children.table.withheld
    assert published(children) == [("Children", "x"), ("Adults", "x"), ("Unknown", "x")]
    assert published(figure(sections, "registered_by_nationality")) == [
        ("Afghanistan (AF)", 14),
        ("Pakistan (PK)", "x"),
        ("Unknown", "<5"),
    ]
    kinds = dict(published(figure(sections, "registered_by_exploitation_type")))
    assert kinds["Forced labour"] == 14 and kinds["Unknown"] == "<5"
    control = dict(published(figure(sections, "registered_by_means_of_control")))
    assert control["Debt bondage"] == 12 and control["Unknown"] == 11
    trend = figure(sections, "registered_by_month")
    assert trend.table.rows == ("2026-03", "2026-04")
    # The column totals are the case-type table's (published there): the row totals go.
    assert trend.table.row_totals == ("x", "x")


def test_headline_figures_are_protected(db_session, population):
    a = population.a
    figures = dict(
        headline(db_session, Filters(organisation_ids=frozenset({a.id}), **MARCH_APRIL), SETTINGS)
    )
    assert figures["People registered"] == 23
    # 12 identified victims + "<5" returnees and victims: a sum of 14 would give the "<5" back.
    assert figures["Identified victims"] == "x"
    # Read from the children table, withheld on this page (see the identification test).
    assert figures["Children"] == "x"
    assert figures["Cases closed"] == "<5"  # the 3 returnees closed in April
    assert figures["Referrals sent"] == 20 and figures["Referrals completed"] == 12
    everyone = dict(headline(db_session, Filters(), SETTINGS))
    assert everyone["People registered"] == 34
    one = dict(
        headline(db_session, Filters(organisation_ids=frozenset({population.b.id})), SETTINGS)
    )
    assert one["People registered"] == "<5" and one["Children"] == 0


MARCH_AUGUST = dict(start=date(2026, 3, 1), end=date(2026, 8, 31))
TODAY = date(2026, 9, 15)


def near(value: float):
    """A mean as published (to four decimals)."""
    return pytest.approx(value, abs=1e-4)


def stat_rows(fig: Figure) -> list[tuple[object, ...]]:
    assert isinstance(fig.table, StatTable)
    return [(row, *cells) for row, cells in zip(fig.table.rows, fig.table.cells, strict=True)]


@pytest.fixture
def sections(db_session, population):
    return compute(db_session, only(population.a, **MARCH_AUGUST), SETTINGS, 30, TODAY)


def test_the_sections_come_in_the_contract_s_order(sections):
    assert [s.key for s in sections] == [
        "identification",
        "timeliness",
        "referrals",
        "monitoring",
        "closures",
    ]
    keys = [f.key for s in sections for f in s.figures]
    assert len(keys) == len(set(keys))
    assert all(f.definition and f.title for s in sections for f in s.figures)


def test_timeliness_medians_and_the_share_within_the_plan_target(sections):
    assert stat_rows(figure(sections, "time_to_steps")) == [
        ("Registration to screening", 20, 2.0),
        ("Registration to consent", 12, 5.0),
        ("Registration to approved plan", 20, 20.0),
        ("Registration to first referral", 12, 10.0),
    ]
    # 2 of the returnees and victims: "<5"; the presumed victims' 6 would give it back (20 -
    # 12 - 6), so they are withheld too, statistics included.
    assert stat_rows(figure(sections, "plan_within_due")) == [
        ("Returnee", 0, None, None),
        ("Presumed victim of trafficking", "x", None, None),
        ("Identified victim of trafficking", 12, 20.0, 1.0),
        ("Returnee and victim of trafficking", "<5", None, None),
        ("All cases", 20, 20.0, 0.7),
    ]
    assert stat_rows(figure(sections, "reflection_periods"))[2:] == [
        ("Identified victim of trafficking", "x", None, None),
        ("Returnee and victim of trafficking", "<5", None, None),
        ("All cases", 14, 16, 30.0),
    ]


def test_referrals_by_kind_provider_reason_and_time(sections, population):
    kinds = figure(sections, "referrals_by_service_type").table
    assert kinds.columns[0] == "Sent, waiting for an answer" and len(kinds.columns) == 7
    rows = dict(zip(kinds.rows, kinds.cells, strict=True))
    assert rows["Health care"] == (0, 0, 0, 0, 12, 0, 0)
    assert rows["Shelter and accommodation"] == (0, 0, "x", 0, 0, 0, 0)
    assert rows["Legal aid"] == (0, "<5", 0, 0, 0, 0, 0)
    # The grand total is the headline's "referrals sent": never the "x" (20 - 12 - 6 = 2).
    assert kinds.column_totals == (0, "<5", "x", 0, 12, 0, 0) and kinds.total == 20
    providers = figure(sections, "referrals_by_provider").table
    assert providers.rows == (population.p1.name, population.p2.name, "Unknown")
    assert providers.cells[0] == (0, "<5", 0, 0, 12, 0, 0) and providers.row_totals[0] == "x"
    assert providers.cells[1] == (0, 0, "x", 0, 0, 0, 0) and providers.total == 20
    assert providers.column_totals == kinds.column_totals  # the same totals hidden alike
    # Its total is the "declined" column total the referral tables hide ("x"): published, the
    # 6 would give it back, so the page withholds the table by reason.
    reasons = figure(sections, "referrals_declined_by_reason")
    assert reasons.table.withheld
    # Every reason of the list is a row (in the list's order), then "Unknown".
    assert published(reasons)[0] == ("No capacity or the waiting list is full", "x")
    assert published(reasons)[-1] == ("Unknown", "x") and len(published(reasons)) == 9
    assert stat_rows(figure(sections, "referral_answer_times")) == [
        ("Health care", 12, 2.0),
        ("Legal aid", "<5", None),
        ("Shelter and accommodation", "x", None),
        ("All referrals", 20, 2.0),
    ]
    assert stat_rows(figure(sections, "referral_completion_times")) == [
        ("Health care", 12, 20.0),
        ("All referrals", 12, 20.0),
    ]
    cross = figure(sections, "referrals_transnational").table
    assert cross.cells == ((0, "<5", 0, 0, 0, 0, 0), (0, 0, "x", 0, 12, 0, 0))
    assert cross.row_totals == ("<5", "x") and cross.column_totals == kinds.column_totals


def test_monitoring_visits_scores_and_plan_actions(sections):
    # Identified victims: 2 visits due (March 1st to September 15th: 198 days, 90-day
    # interval), 1 done; presumed victims: April to August closure, 122 days: 1 due, 3 done
    # (counted up to the 1 due in the share).
    assert stat_rows(figure(sections, "monitoring_visits")) == [
        ("Returnee", 0, None, None, None),
        ("Presumed victim of trafficking", 6, 6, 18, 1.0),
        ("Identified victim of trafficking", 12, 24, 12, 0.5),
        ("Returnee and victim of trafficking", 0, None, None, None),
        ("All cases", 18, 30, 30, 0.6),
    ]
    by_dimension = stat_rows(figure(sections, "sustainability_by_dimension"))
    assert by_dimension == [
        ("Economic", 18, near(0.5), 0.0),
        ("Social", 12, near(0.7), 1.0),
        ("Psychosocial", 12, near(0.8), 1.0),
        ("Composite", 18, near(2 / 3), near(12 / 18)),
    ]
    assert stat_rows(figure(sections, "sustainability_by_quarter")) == [
        (
            "Quarter 1",
            18,
            near(0.6),
            near(12 / 18),
            near(7.8 / 18),
            near(0.7),
            near(0.8),
        ),
        ("Quarter 2", 12, near(0.8), 1.0, near(0.6), None, None),
    ]
    assert stat_rows(figure(sections, "plan_actions_on_time")) == [
        ("Economic", 14, 14, near(12 / 14)),
        ("Social", 0, None, None),  # due in October: not yet
        ("Psychosocial", 0, None, None),
        ("Unknown", 0, None, None),
    ]


def test_the_sustainability_threshold_setting_moves_the_share(db_session, population):
    settings = ReportSettings(5, 11, sustainability_threshold=0.75)
    found = compute(db_session, only(population.a, **MARCH_AUGUST), settings, 30, TODAY)
    composite = stat_rows(figure(found, "sustainability_by_dimension"))[-1]
    assert composite[0] == "Composite" and composite[3] == near(12 / 18)
    psychosocial = stat_rows(figure(found, "sustainability_by_dimension"))[2]
    assert psychosocial[3] == 1.0
    social = stat_rows(figure(found, "sustainability_by_dimension"))[1]
    assert social[3] == 0.0


def test_closures_by_the_month_of_closure_reopenings_transfers(sections):
    # The returnee registered in December 2025 and closed in May 2026 counts: closures go by
    # the month of closure.
    closed = published(figure(sections, "closures_by_reason"))
    assert closed[0] == ("Support period ended", 6)
    assert dict(closed)["Lost contact"] == "<5" and closed[-1] == ("Unknown", "<5")
    assert figure(sections, "closures_by_reason").table.total == 10
    assert published(figure(sections, "cases_reopened"))[2] == (
        "Identified victim of trafficking",
        12,
    )
    transferred = figure(sections, "cases_transferred").table
    assert transferred.cells[-1] == ("<5",) and transferred.total == "<5"
    assert figure(sections, "people_erased").table.total == 0


def test_filters_narrow_every_table_alike(db_session, population):
    a = population.a
    female = compute(
        db_session,
        Filters(organisation_ids=frozenset({a.id}), sex="female", **MARCH_AUGUST),
        SETTINGS,
        30,
        TODAY,
    )
    assert figure(female, "registered_by_case_type").table.total == 14
    # Health completed: 12, beside a "<5" legal aid accepted that 14 sent would give back.
    assert figure(female, "referrals_by_service_type").table.cells[0][4] == "x"
    assert figure(female, "referrals_by_service_type").table.total == 14
    assert figure(female, "closures_by_reason").table.total == 0
    children = dict(
        headline(db_session, Filters(organisation_ids=frozenset({a.id}), age_band="9-17"), SETTINGS)
    )
    assert children["People registered"] == 6 and children["Children"] == 6
    afghans = dict(
        headline(db_session, Filters(nationality="AF", case_type="identified_victim"), SETTINGS)
    )
    assert afghans["People registered"] == 12
    # Another organisation's cases are not counted; the period excludes December 2025.
    other = compute(db_session, only(population.b), SETTINGS, 30, TODAY)
    assert figure(other, "registered_by_case_type").table.total == "<5"
    assert figure(other, "referrals_by_provider").table.total == 0
    nobody = compute(db_session, Filters(organisation_ids=frozenset()), SETTINGS, 30, TODAY)
    assert figure(nobody, "registered_by_case_type").table.total == 0
    december = dict(
        headline(db_session, only(a, start=date(2025, 12, 1), end=date(2025, 12, 31)), SETTINGS)
    )
    assert december["People registered"] == 7 and december["Referrals sent"] == "<5"


def test_a_suppressed_cell_cannot_be_recovered_from_the_totals(sections):
    """The reader's attack: every published value and total, and the rule ("<5" is 1..4, "x"
    at least 5). reports.suppression.pinned finds every cell those equations pin down; a
    brute force over the suppressed cells' values agrees."""
    for key in (
        "registered_by_sex",
        "registered_children",
        "referrals_by_provider",
        "referrals_by_service_type",
        "closures_by_reason",
    ):
        table = figure(sections, key).table
        assert isinstance(table, ProtectedTable) and table.suppressed, key
        grid = [[*r, t] for r, t in zip(table.cells, table.row_totals, strict=True)]
        grid.append([*table.column_totals, table.total])
        if table.withheld:  # "x" throughout: nothing published to solve from
            continue
        for cell in table.suppressed:
            assert _can_differ(grid, table, cell), (key, cell)


def _can_differ(grid, table, cell) -> bool:
    """Whether two fillings of the suppressed cells within the marks' bounds keep every row
    and column sum and give ``cell`` different values (the attacker of test_suppression)."""
    rows, cols = len(grid) - 1, len(grid[0]) - 1
    top = 2 * max(v for row in grid for v in row if isinstance(v, int)) + 5
    domains = {p: range(1, 5) for p in table.primary}
    domains.update({p: range(5, top + 1) for p in table.secondary})
    equations = _equations(rows, cols)
    seen = [v for v in domains[cell] if _solvable(grid, {**domains, cell: [v]}, equations)]
    return len(seen) > 1


def _everything(db_session, today):
    """Every published figure (the erasures' own count apart) and the headline."""
    found = compute(db_session, Filters(), SETTINGS, 30, today)
    figures = {f.key: f.table for s in found for f in s.figures if f.key != "people_erased"}
    return figures, headline(db_session, Filters(), SETTINGS, today)


def test_erasing_a_person_changes_no_figure(app, db_session, client, farida):
    """Through the real erasure path: the final snapshot is kept, the link to the case goes,
    and every figure stays as it was; only the erasures' count grows."""
    today = date(2030, 1, 15)
    case = db_session.scalar(select(Case))
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    with app.test_request_context("/"):
        kept_id = refresh_skeleton(db_session, case).id
        db_session.flush()
        many(
            db_session,
            case.organisation_id,
            6,
            case_type=case.case_type,
            registered_month=db_session.scalar(select(CaseSkeleton.registered_month)),
        )
        before = _everything(db_session, today)
        erased_before = figure(
            compute(db_session, Filters(), SETTINGS, 30, today), "people_erased"
        ).table.total
    assert before[0]["registered_by_case_type"].total == 7
    with app.app_context():
        erase_person(db_session, None, case.person, "the person asked for it")
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(CaseSkeletonLink)) == 0
    with app.test_request_context("/"):
        after = _everything(db_session, today)
        erased_after = figure(
            compute(db_session, Filters(), SETTINGS, 30, today), "people_erased"
        ).table
    assert after == before
    # The final snapshot records the month of erasure where the skeleton keeps it.
    kept = db_session.scalar(select(CaseSkeleton.erased_month).where(CaseSkeleton.id == kept_id))
    assert erased_before == 0 and erased_after.total == ("<5" if kept else 0)


CASE_TYPES = st.sampled_from(["returnee", "presumed_victim", "identified_victim"])
PERSON = st.fixed_dictionaries(
    {
        "case_type": CASE_TYPES,
        "sex": st.none() | st.sampled_from(["female", "male"]),
        "age_band": st.none() | st.sampled_from(["9-17", "24-26", "48+"]),
        "child": st.none() | st.booleans(),
        "nationality": st.none() | st.sampled_from(["AF", "PK"]),
        "registered_month": st.sampled_from(["2026-01", "2026-02", "2026-03"]),
        "closed_month": st.none() | st.sampled_from(["2026-02", "2026-04"]),
        "closure_reason": st.none() | st.sampled_from(["death", "lost_contact"]),
        "days_to_plan": st.none() | st.integers(0, 60),
        "days_to_screening": st.none() | st.integers(0, 10),
        "reflection_periods": st.none() | st.integers(0, 2),
        "reflection_days": st.none() | st.integers(0, 90),
        "transfers": st.none() | st.integers(0, 1),
        "monitoring_started_month": st.none() | st.sampled_from(["2026-01", "2026-03"]),
        "visits_done": st.none() | st.integers(0, 3),
        "codes": st.fixed_dictionaries(
            {
                "exploitation_type": st.lists(
                    st.sampled_from(["forced_labour", "servitude"]), unique=True, max_size=2
                )
            }
        ),
        "referral_facts": st.lists(
            st.fixed_dictionaries(
                {
                    "service_type": st.none() | st.sampled_from(["health", "legal"]),
                    "state": st.sampled_from(["sent", "accepted", "declined", "completed"]),
                    "sent_month": st.sampled_from(["2026-01", "2026-03"]),
                    "days_to_answer": st.none() | st.integers(0, 9),
                    "transnational": st.booleans(),
                }
            ),
            max_size=2,
        ),
        "score_facts": st.lists(
            st.fixed_dictionaries(
                {
                    "period": st.just("2026-Q1"),
                    "quarter_since_return": st.just(1),
                    "dimension": st.just("composite"),
                    "score": st.floats(0, 1),
                }
            ),
            max_size=1,
        ),
        "action_facts": st.lists(
            st.fixed_dictionaries(
                {
                    "dimension": st.none() | st.just("economic"),
                    "due_month": st.just("2026-02"),
                    "done_on_time": st.none() | st.booleans(),
                }
            ),
            max_size=1,
        ),
    }
)


def _shown_numbers(sections, heads):
    """Every value a page, CSV or XLSX would show as a count: cells and totals of count
    tables, the n column of statistics tables, and the headline."""
    for section in sections:
        for fig in section.figures:
            table = fig.table
            if isinstance(table, ProtectedTable):
                yield from (c for row in table.cells for c in row)
                yield from table.row_totals
                yield from table.column_totals
                yield table.total
            else:
                yield from (row[0] for row in table.cells)
    yield from (value for _label, value in heads)


@given(people=st.lists(st.tuples(st.integers(0, 1), PERSON), max_size=30))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_published_count_is_ever_a_small_number(app, db_session, request_ctx, people):
    organisations = _two_organisations(app, db_session)
    for table in (
        CaseSkeletonAction,
        CaseSkeletonScore,
        CaseSkeletonReferral,
        CaseSkeletonCode,
        CaseSkeleton,
    ):
        db_session.execute(delete(table))
    for which, values in people:
        skeleton(db_session, organisations[which].id, **copy.deepcopy(values))
    for filters in (
        Filters(),
        Filters(organisation_ids=frozenset({organisations[0].id})),
        Filters(start=date(2026, 2, 1), end=date(2026, 3, 31), sex="female"),
    ):
        found = compute(db_session, filters, SETTINGS, 30, TODAY)
        heads = headline(db_session, filters, SETTINGS, TODAY)
        for value in _shown_numbers(found, heads):
            assert value in ("<5", "x") or (isinstance(value, int) and not 0 < value < 5), value
        for section in found:
            for fig in section.figures:
                if isinstance(fig.table, StatTable):
                    for row in fig.table.cells:
                        if not (isinstance(row[0], int) and row[0] >= 5):
                            assert all(s is None for s in row[1:]), (fig.key, row)


def _two_organisations(app, db_session):
    """Two organisations, made once per test (hypothesis runs the body many times)."""
    codes = ["PROP1", "PROP2"]
    found = {
        o.code: o
        for o in db_session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
    }
    return [found.get(c) or make_organisation(app, db_session, code=c) for c in codes]


def test_the_trend_lists_every_month_of_the_period(sections, db_session, population):
    trend = figure(sections, "registered_by_month")
    assert trend.chart == "line"
    assert trend.table.rows == ("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08")
    assert trend.table.columns[:3] == (
        "Returnee",
        "Presumed victim of trafficking",
        "Identified victim of trafficking",
    )
    # The column totals are the case-type table's, published there (12 identified victims
    # and 6 presumed victims): the row totals go, not the 12 beside the "<5".
    assert trend.table.row_totals == ("x", "x", 0, 0, 0, 0)
    assert trend.table.cells[0] == (0, 0, 12, "<5") and trend.table.cells[1] == ("<5", 6, 0, 0)
    # A skeleton kept before months were (a year only) is a row of its year.
    many(db_session, population.a.id, 5, case_type="returnee", registered_month="2026")
    found = compute(db_session, only(population.a, **MARCH_AUGUST), SETTINGS, 30, TODAY)
    assert figure(found, "registered_by_month").table.rows[0] == "2026"
    everything = compute(db_session, Filters(), SETTINGS, 30, TODAY)
    assert figure(everything, "registered_by_month").table.rows[1:3] == ("2025-12", "2026-01")
