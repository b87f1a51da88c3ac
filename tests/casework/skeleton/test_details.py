"""Every value and detail row of a case's statistical skeleton, from its records, by hand.

A case is walked through the real forms (screening, reflection periods, plan with actions,
monitoring visits in two quarters, referrals accepted and completed / declined /
transnational, closure, reopening, transfer); then its times are pinned to known days, so
that each duration, month and row below is computed by hand. Statements are counted to show
that an unchanged case writes nothing and one changed value rewrites exactly its row.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from casework.closure.models import CaseClosure
from casework.consent.models import LegalBasisRecord
from casework.erasure import erase_person
from casework.models import Case
from casework.planning.models import Plan, PlanAction, PlanReview
from casework.screening.models import ReflectionPeriod
from casework.skeleton.models import (
    COPIED_COLUMNS,
    SKELETON_FIELDS,
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonLink,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from casework.skeleton.services import refresh_skeleton
from casework.skeleton.tracking import rebuild_touched
from casework.statistics import month
from core.clock import utcnow
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from referrals.models import Referral, ReferralEvent
from tests.casework.helpers import SCREENING, record_screening
from tests.casework.monitoring.test_monitoring import EXPECTED, VISIT
from tests.casework.planning_helpers import (
    add_action,
    record_assessment,
    review,
    start_plan,
    submit,
)
from tests.factories import make_account, make_organisation, post_form, sign_in
from tests.referrals.helpers import case_id_of, consent_for, make_service, provider_post, send

OPENED = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
RETURNED = date(2026, 5, 20)

DETAILS = {
    "codes": (CaseSkeletonCode, ("field", "code")),
    "referral_facts": (CaseSkeletonReferral, ("ordinal",)),
    "score_facts": (CaseSkeletonScore, ("period", "dimension")),
    "action_facts": (CaseSkeletonAction, ("ordinal",)),
}


def _skeleton(db_session, url: str) -> CaseSkeleton:
    db_session.expire_all()
    link = db_session.get(CaseSkeletonLink, case_id_of(url))
    assert link is not None
    return link.skeleton


def _rows(db_session, skeleton_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """The skeleton's detail rows, each checked to carry the skeleton's month and organisation
    (the database's copies) and listed without them."""
    found = {}
    skeleton = db_session.get(CaseSkeleton, skeleton_id)
    owner = (skeleton.registered_month, skeleton.organisation_id)
    for key, (model, keys) in DETAILS.items():
        columns = [
            c.key
            for c in model.__table__.columns
            if c.key != "skeleton_id" and c.key not in COPIED_COLUMNS
        ]
        rows = db_session.scalars(select(model).where(model.skeleton_id == skeleton_id)).all()
        for row in rows:
            db_session.refresh(row, list(COPIED_COLUMNS))
            assert (row.registered_month, row.organisation_id) == owner
        found[key] = sorted(
            ({c: getattr(r, c) for c in columns} for r in rows),
            key=lambda r: tuple(str(r[k]) for k in keys),
        )
    return found


def _walk(app, db_session, client, case, supervisor, provider_org, provider_client):
    """The case through every step; returns what the assertions need to know."""
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    today = utcnow().date()
    assert record_screening(client, case, {**SCREENING, "screened_on": "2026-06-13"}).status_code
    for starts_on, days in (("2026-06-13", "30"), ("2026-06-13", "45"), ("2026-09-01", "30")):
        data = {"starts_on": starts_on, "days": days}
        assert post_form(client, f"{case}/screening/reflection", data).status_code == 302
    # the plan: three actions, approved; two marked done today (one on time, one late)
    assert record_assessment(client, case).status_code == 302
    assert start_plan(client, case).status_code == 302
    due = (today + timedelta(days=30)).isoformat()
    for dimension in ("economic", "social", "psychosocial"):
        assert add_action(client, case, dimension=dimension, due_on=due).status_code == 302
    assert submit(client, case).status_code == 302
    assert review(boss, case).status_code == 302
    db_session.expire_all()
    plan = db_session.scalar(select(Plan).where(Plan.case_id == case_id_of(case)))
    actions = sorted(plan.actions, key=lambda a: a.created_at)
    for action in actions[:2]:
        response = post_form(
            client,
            f"{case}/plan/actions/{action.id}/status",
            {"status": "done"},
            token_from=f"{case}/plan/",
        )
        assert response.status_code == 302
    # monitoring: two visits, in two quarters
    for visited_on in ("2026-06-30", "2026-08-10"):
        data = {**VISIT, "visited_on": visited_on}
        assert post_form(client, f"{case}/monitoring/new", data).status_code == 302
    # referrals: completed (domestic), declined (domestic), waiting (transnational)
    home = make_service(db_session, organisation_id=provider_org.id, country="XK")
    elsewhere = make_organisation(app, db_session, agency=False, provider=True)
    abroad = make_service(db_session, organisation_id=elsewhere.id, country="AL")
    first = send(client, db_session, case, home)
    assert provider_post(provider_client, first, "accept").status_code == 302
    outcome = {"outcome": "Examined and treated", "outcome_date": today.isoformat()}
    assert provider_post(provider_client, first, "complete", outcome).status_code == 302
    second = send(client, db_session, case, home)
    decline = {"reason": "No places left this month", "reason_code": "no_capacity"}
    assert provider_post(provider_client, second, "decline", decline).status_code == 302
    consent_for(client, case, elsewhere.id)
    third = send(client, db_session, case, abroad)
    # closure, reopening, transfer
    closure = {"reason": "support_period_ended", "summary": "Twelve months of support completed."}
    assert post_form(client, f"{case}/closure/request", closure).status_code == 302
    decide = re.search(r'href="([^"]*/closure/[0-9a-f-]{36})"', boss.get(case).get_data(True))
    assert decide, "no closure decision link on the case page"
    assert post_form(boss, decide.group(1), {"decision": "approve"}).status_code == 302
    reason = {"reason": "She came back and asks for help again."}
    assert post_form(client, f"{case}/closure/reopen", reason).status_code == 302
    other = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=other)
    offer = {"organisation": str(other.id)}
    assert post_form(boss, f"{case}/transfer", offer, token_from=case).status_code == 302
    taker = app.test_client()
    sign_in(taker, receiver, db_session)
    caseload = taker.get("/cases/").get_data(as_text=True)
    accept = re.search(r'action="(/cases/transfers/[^"]+/accept)"', caseload).group(1)
    assert post_form(taker, accept, {}, token_from="/cases/").status_code == 302
    return {
        "other": other,
        "elsewhere": elsewhere,
        "actions": [a.id for a in actions],
        "referrals": [first.id, second.id, third.id],
        "today": today,
    }


def _pin(app, db_session, case, walked) -> None:
    """The records' times set to known days (what the forms cannot backdate)."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    today = walked["today"]
    record = db_session.get(Case, case_id_of(case))
    record.opened_at = OPENED
    record.case_type = "returnee"
    record.event_date = RETURNED
    for basis in db_session.scalars(
        select(LegalBasisRecord).where(LegalBasisRecord.case_id == record.id)
    ):
        basis.recorded_at = datetime(2026, 6, 11, 10, 0, tzinfo=UTC)
    for plan_review in db_session.scalars(
        select(PlanReview).join(Plan).where(Plan.case_id == record.id)
    ):
        plan_review.decided_at = datetime(2026, 6, 25, 15, 0, tzinfo=UTC)
    on_time, late, open_ = (db_session.get(PlanAction, i) for i in walked["actions"])
    on_time.due_on = today + timedelta(days=10)
    late.due_on = today - timedelta(days=3)
    open_.due_on = date(2027, 1, 15)
    first, second, third = (db_session.get(Referral, i) for i in walked["referrals"])
    first.sent_at = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
    first.answered_at = datetime(2026, 6, 22, 8, 0, tzinfo=UTC)
    first.closed_at = datetime(2026, 7, 5, 17, 0, tzinfo=UTC)
    second.sent_at = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
    second.answered_at = datetime(2026, 6, 25, 11, 0, tzinfo=UTC)
    third.sent_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    declined = db_session.scalar(
        select(ReferralEvent).where(
            ReferralEvent.referral_id == second.id, ReferralEvent.to_state == "declined"
        )
    )
    # The decline's transition records a reason code (the free text stays encrypted).
    declined.reason_code = "no_capacity"
    db_session.flush()  # the tracker rebuilds the skeleton; the next flush writes it
    db_session.flush()


def _expected(walked, provider_org) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    today = walked["today"]
    now_month = month(today)
    columns = {
        "organisation_id": walked["other"].id,
        "case_type": "returnee",
        "sex": "female",
        "age_band": "30-38",
        "child": False,
        "nationality": "AF",
        "vulnerability_codes": ["single_parent", "trafficking_victim"],
        "screening_outcome": "possible",
        "exploitation_types": ["forced_labour"],
        "means_of_control": ["threats", "withholds_documents"],
        "registered_month": "2026-06",
        "screened_month": "2026-06",
        "consent_month": "2026-06",
        "plan_approved_month": "2026-06",
        "first_referral_month": "2026-06",
        "closed_month": now_month,
        "closure_reason": "support_period_ended",
        "referrals": [["health", "completed"], ["health", "declined"], ["health", "sent"]],
        "monitoring_scores": {"2026-Q2": EXPECTED, "2026-Q3": EXPECTED},
        "province": None,
        "recruiter_relation": None,
        "exploitation_countries": None,
        "exploitation_sectors": None,
        "majority_at_exploitation": None,
        "referral_source": None,
        "returned_month": "2026-05",
        "days_to_screening": 3,  # 10 June -> 13 June
        "days_to_consent": 1,  # 10 June -> 11 June
        "days_to_plan": 15,  # 10 June -> 25 June
        "days_to_first_referral": 10,  # 10 June -> 20 June
        "reflection_periods": 2,  # from 13 June (restated to 45 days), from 1 September
        "reflection_days": 75,
        "reopenings": 1,
        "transfers": 1,
        "monitoring_started_month": now_month,  # the plan's approval, logged today
        "visits_done": 2,
        "erased_month": None,
    }
    referral = {
        "service_type": "health",
        "provider_id": provider_org.id,
        "decline_reason": None,
        "days_to_answer": None,
        "days_to_complete": None,
        "transnational": False,
    }
    # The second quarter's scores are each dimension's latest (casework.skeleton.derived).
    scores = [
        {
            "period": period,
            "dimension": dimension,
            "quarter_since_return": n,
            "score": score,
            "latest": n == 2,
        }
        for period, n in (("2026-Q2", 1), ("2026-Q3", 2))
        for dimension, score in EXPECTED.items()
    ]
    details = {
        # each field's first code (in code order) is marked (casework.skeleton.derived)
        "codes": [
            {"field": "exploitation_type", "code": "forced_labour", "first_code": True},
            {"field": "means_of_control", "code": "threats", "first_code": True},
            {"field": "means_of_control", "code": "withholds_documents", "first_code": False},
            {"field": "vulnerability", "code": "single_parent", "first_code": True},
            {"field": "vulnerability", "code": "trafficking_victim", "first_code": False},
        ],
        "referral_facts": [
            {
                **referral,
                "ordinal": 1,
                "state": "completed",
                "sent_month": "2026-06",
                "days_to_answer": 2,
                "days_to_complete": 15,
            },
            {
                **referral,
                "ordinal": 2,
                "state": "declined",
                "decline_reason": "no_capacity",
                "sent_month": "2026-06",
                "days_to_answer": 4,
            },
            {
                **referral,
                "ordinal": 3,
                "state": "sent",
                "sent_month": "2026-07",
                "transnational": True,
                "provider_id": walked["elsewhere"].id,
            },
        ],
        "score_facts": sorted(scores, key=lambda r: (r["period"], r["dimension"])),
        "action_facts": [
            {
                "ordinal": 1,
                "dimension": "economic",
                "due_month": month(today + timedelta(days=10)),
                "done_on_time": True,
                "earliest_due": True,
            },
            {
                "ordinal": 2,
                "dimension": "social",
                "due_month": month(today - timedelta(days=3)),
                "done_on_time": False,
                "earliest_due": True,
            },
            {
                "ordinal": 3,
                "dimension": "psychosocial",
                "due_month": "2027-01",
                "done_on_time": None,
                "earliest_due": True,
            },
        ],
    }
    return columns, details


class _Writes:
    """The INSERT, UPDATE and DELETE statements run on the skeleton's tables meanwhile."""

    def __init__(self, app) -> None:
        self.engine = app.extensions["homeward_db"].engine
        self.seen: list[str] = []

    def _count(self, _conn, _cursor, statement: str, *_args) -> None:
        words = statement.split()
        if words and words[0] in {"INSERT", "UPDATE", "DELETE"} and "case_skeleton" in statement:
            self.seen.append(" ".join(words[:3]))

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_every_value_and_row_by_hand(
    app, db_session, client, case, supervisor, provider_org, provider_client
):
    walked = _walk(app, db_session, client, case, supervisor, provider_org, provider_client)
    _pin(app, db_session, case, walked)
    columns, details = _expected(walked, provider_org)
    skeleton = _skeleton(db_session, case)
    assert {name: getattr(skeleton, name) for name in SKELETON_FIELDS} == columns
    found = _rows(db_session, skeleton.id)
    assert found["codes"] == details["codes"]
    assert found["referral_facts"] == details["referral_facts"]
    assert found["score_facts"] == details["score_facts"]
    assert found["action_facts"] == details["action_facts"]

    # The same again: nothing changed, nothing is written.
    record = db_session.get(Case, case_id_of(case))
    with _Writes(app) as writes:
        refresh_skeleton(db_session, record)
        db_session.flush()
    assert writes == []

    # One value changes (the completed referral's answer came a day later): its row alone.
    first = db_session.get(Referral, walked["referrals"][0])
    first.answered_at = datetime(2026, 6, 23, 8, 0, tzinfo=UTC)
    db_session.flush()  # the referral's UPDATE; the tracker notes the case
    rebuild_touched(db_session)  # as the commit, or a read of a skeleton, does
    with _Writes(app) as writes:
        db_session.flush()
    assert writes == ["UPDATE case_skeleton_referral SET"]
    found = _rows(db_session, skeleton.id)
    assert found["referral_facts"][0]["days_to_answer"] == 3
    assert found["referral_facts"][1:] == details["referral_facts"][1:]

    # The tracker notices each table a receiver reads, changed alone.
    open_action = db_session.get(PlanAction, walked["actions"][2])
    open_action.due_on = date(2027, 3, 1)
    db_session.flush()
    db_session.flush()
    assert _rows(db_session, skeleton.id)["action_facts"][2]["due_month"] == "2027-03"
    period = db_session.scalar(
        select(ReflectionPeriod).where(
            ReflectionPeriod.case_id == record.id, ReflectionPeriod.starts_on == date(2026, 9, 1)
        )
    )
    period.days = 40
    db_session.flush()
    db_session.flush()
    again = _skeleton(db_session, case)
    assert (again.reflection_periods, again.reflection_days) == (2, 85)


def test_one_changed_value_rewrites_exactly_its_rows(app, db_session, client, case):
    assert record_screening(client, case, SCREENING).status_code == 302
    skeleton_id = _skeleton(db_session, case).id
    before = _rows(db_session, skeleton_id)
    assert before["codes"] == [
        {"field": "exploitation_type", "code": "forced_labour", "first_code": True},
        {"field": "means_of_control", "code": "threats", "first_code": True},
        {"field": "means_of_control", "code": "withholds_documents", "first_code": False},
        {"field": "vulnerability", "code": "single_parent", "first_code": True},
        {"field": "vulnerability", "code": "trafficking_victim", "first_code": False},
    ]
    # Nothing changed: a rebuild writes nothing.
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, case_id_of(case))
    with _Writes(app) as writes:
        refresh_skeleton(db_session, record)
        db_session.flush()
    assert writes == []
    # A new screening with one other means of control: one code row goes, one comes, the
    # skeleton's column changes, and the skeleton's code rows have their first code marked
    # again (one UPDATE, casework.skeleton.derived); no other row is touched.
    data = {**SCREENING, "means_of_control": ["threats", "debt_bondage"]}
    with _Writes(app) as writes:
        assert record_screening(client, case, data).status_code == 302
    assert sorted(writes) == [
        "DELETE FROM case_skeleton_code",
        "INSERT INTO case_skeleton_code",
        "UPDATE case_skeleton SET",
        "UPDATE case_skeleton_code SET",
    ]
    after = _rows(db_session, skeleton_id)
    control = [
        (r["code"], r["first_code"]) for r in after["codes"] if r["field"] == "means_of_control"
    ]
    assert control == [("debt_bondage", True), ("threats", False)]
    assert len(after["codes"]) == 5


def test_erasure_sets_the_month_and_keeps_the_rows(
    app, db_session, client, case, service, provider_client
):
    assert record_screening(client, case, SCREENING).status_code == 302
    referral = send(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    assert post_form(client, f"{case}/monitoring/new", VISIT).status_code == 302
    skeleton_id = _skeleton(db_session, case).id
    before = _rows(db_session, skeleton_id)
    assert all(before[key] for key in ("codes", "referral_facts", "score_facts"))
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, case_id_of(case))
    with app.app_context():
        erase_person(db_session, None, record.person, "the person asked for it")
    db_session.flush()
    db_session.expire_all()
    assert db_session.get(CaseSkeletonLink, record.id) is None
    skeleton = db_session.get(CaseSkeleton, skeleton_id)
    assert skeleton.erased_month == month(utcnow())
    assert _rows(db_session, skeleton_id) == before


def test_nothing_personal_in_the_skeleton_tables(
    app, db_session, client, case, supervisor, provider_org, provider_client
):
    walked = _walk(app, db_session, client, case, supervisor, provider_org, provider_client)
    _pin(app, db_session, case, walked)
    db_session.expire_all()
    record = db_session.get(Case, case_id_of(case))
    ids = {str(record.id), str(record.person_id)}
    ids |= {str(i) for i in walked["actions"] + walked["referrals"]}
    closures = db_session.scalars(select(CaseClosure.id).where(CaseClosure.case_id == record.id))
    ids |= {str(i) for i in closures}
    texts = {"Farida", "Nazari", "Recruited for a bakery", "No places left", "Examined", "tailor"}
    full_date = re.compile(r"\d{4}-\d{2}-\d{2}")
    for model in (
        CaseSkeleton,
        CaseSkeletonCode,
        CaseSkeletonReferral,
        CaseSkeletonScore,
        CaseSkeletonAction,
    ):
        for row in db_session.execute(select(model.__table__)).all():
            for column, value in row._mapping.items():
                shown = str(value)
                assert not any(i in shown for i in ids), (model.__tablename__, column)
                assert not any(t in shown for t in texts), (model.__tablename__, column)
                assert not full_date.search(shown), (model.__tablename__, column, shown)
                assert not isinstance(value, date | datetime), (model.__tablename__, column)


def test_rebuild_all_refills_the_rows_of_existing_skeletons(
    app, db_session, client, case, service, provider_client
):
    """A database from before the detail rows: ``rebuild-skeletons --all`` fills them in."""
    assert record_screening(client, case, SCREENING).status_code == 302
    referral = send(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    skeleton = _skeleton(db_session, case)
    skeleton_id, before = skeleton.id, _rows(db_session, skeleton_id=skeleton.id)
    days = skeleton.days_to_consent
    for model, _keys in DETAILS.values():
        db_session.execute(model.__table__.delete().where(model.skeleton_id == skeleton_id))
    db_session.execute(
        CaseSkeleton.__table__.update()
        .where(CaseSkeleton.id == skeleton_id)
        .values(days_to_consent=None, visits_done=None)
    )
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["cases", "rebuild-skeletons", "--all"])
    assert result.exit_code == 0 and "1 case(s)" in result.output, result.output
    again = _skeleton(db_session, case)
    assert again.id == skeleton_id and again.days_to_consent == days == 0
    assert again.visits_done == 0
    assert _rows(db_session, skeleton_id) == before
    assert before["referral_facts"][0]["state"] == "accepted"
