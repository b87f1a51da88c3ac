"""What has been done on a generated case, up to its milestone, in order and in the past:
screening and trafficking story, assessment, consent, plan with actions and its approval,
referrals with their events, monitoring visits and the closure. Each step appends model
objects (encrypted attributes set as the services set them) to ``builder.objects``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .people import Generated
from .referrals import referral
from .rows import Row
from .tables import (
    ACTION_TEXTS,
    CLOSURE_REASONS,
    STEPS,
    VISIT_NOTES,
    seeded_uuid,
    weighted,
)

if TYPE_CHECKING:
    from .cases import Builder


def reached(v: Generated, step: str) -> bool:
    last = (v.closed_after or "registered") if v.milestone == "closed" else v.milestone
    return STEPS.index(last) >= STEPS.index(step)


def work(
    b: Builder, case: Row, v: Generated, staff: tuple[uuid.UUID, uuid.UUID], opened: datetime
) -> None:
    """What has been done on the case, up to its milestone, in order and in the past, by its
    caseworker and the supervisor of the caseworker's team (``staff``)."""
    rng = b.rng
    worker, supervisor = staff
    days_open = (b.now - opened).total_seconds() / 86400
    # Steps spread over the time the case has been open (the newest move fastest).
    clock = [opened + timedelta(days=days_open * f) for f in sorted(rng.random() for _ in range(8))]
    if reached(v, "screened"):
        if v.case_type != "returnee" or rng.random() < 0.2:
            screen(b, case, v, worker, clock[0])
        assess(b, case, worker, clock[0])
        case.stage = "assessment"
    consent_id = consent(b, case, worker, clock[1]) if reached(v, "consent") else None
    if reached(v, "plan_drafted"):
        plan, actions = draft_plan(b, case, worker, clock[2])
        case.stage = "planning"
        if reached(v, "plan_approved"):
            approve_plan(b, case, plan, actions, staff, clock[3])
            case.stage = "implementation"
    if consent_id is not None and reached(v, "referred"):
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            referral(b, case, worker, consent_id, clock[4], clock[5])
    if reached(v, "monitored"):
        visits(b, case, worker, clock[5], clock[7])
        case.stage = "monitoring"
    if v.milestone == "closed":
        close(b, case, worker, supervisor, clock[7])


def screen(b: Builder, case: Row, v: Generated, worker: uuid.UUID, when: datetime) -> None:
    from casework.screening.models import Screening

    rng = b.rng
    victim = v.case_type != "returnee"
    screening = Row(
        Screening,
        id=seeded_uuid(rng),
        case_id=case.id,
        person_id=case.person_id,
        screened_on=when.date(),
        outcome=rng.choice(["possible", "actual"]) if victim else "not_a_victim",
        deciding_organisation_type=rng.choice(["ngo", "competent_authority", "law_enforcement"]),
        recorded_by_id=worker,
        recorded_at=when,
    )
    if victim:
        screening.indicators = rng.sample(
            ["deception", "debt_bondage", "retention_of_documents", "isolation"], 2
        )
        screening.means_of_control = rng.sample(
            ["debt_bondage", "threats", "withholds_documents", "false_promises"],
            rng.randrange(1, 3),
        )
        screening.exploitation_types = [
            weighted(
                rng,
                [
                    ("forced_labour", 55),
                    ("sexual_exploitation", 20),
                    ("forced_marriage", 10),
                    ("forced_begging", 8),
                    ("child_labour", 7),
                ],
            )
        ]
    b.objects.append(screening)
    if victim and rng.random() < 0.7:
        story(b, case, v, worker, min(when + timedelta(hours=1), b.now))


STORY_KINDS = [
    ("forced_labour", 60),
    ("sexual_exploitation", 18),
    ("forced_marriage", 10),
    ("forced_begging", 7),
    ("forced_criminality", 5),
]
STORY_SECTORS = {
    "forced_labour": ["construction", "agriculture", "domestic_work", "manufacturing"],
    "sexual_exploitation": ["prostitution", "private_sexual_services"],
    "forced_begging": ["begging"],
    "forced_criminality": ["illicit_activities"],
}
RELATIONS = [
    ("other", 40),
    ("friend", 20),
    ("family", 25),
    ("intimate_partner", 5),
    ("unknown", 10),
]
COUNTRIES = [("IR", 45), ("TR", 20), ("PK", 12), ("AE", 8), ("SA", 6), ("RU", 5), ("AF", 4)]
CONTROLS = [
    "debt_bondage",
    "threats",
    "withholds_documents",
    "false_promises",
    "restricts_movement",
    "takes_earnings",
]


def story(b: Builder, case: Row, v: Generated, worker: uuid.UUID, when: datetime) -> None:
    """A trafficking story (version 1) told after the screening (its codes reach the
    skeleton through ``casework.screening.queries.skeleton_part``)."""
    from casework.screening.models import TraffickingStory

    rng = b.rng
    months = rng.randrange(1, 48)
    ended = case.opened_at - timedelta(days=rng.randrange(5, 120))
    started = ended - timedelta(days=30 * months)
    kind = weighted(rng, STORY_KINDS)
    sectors = STORY_SECTORS.get(kind, [])
    told = Row(
        TraffickingStory,
        id=seeded_uuid(rng),
        case_id=case.id,
        person_id=case.person_id,
        version=1,
        recorded_by_id=worker,
        recorded_at=when,
    )
    told.recruitment_methods = [rng.choice(["job_offer", "familial", "smuggling", "other"])]
    told.recruiter_relation = weighted(rng, RELATIONS)
    told.recruited_month = f"{started:%Y-%m}"
    told.origin_countries = [v.nationality]
    told.exploitation_countries = [weighted(rng, COUNTRIES)]
    told.departed_month = f"{started:%Y-%m}"
    told.border_crossings = [rng.choice(["irregular_without_documents", "regular_own_documents"])]
    told.exploitation_types = [kind]
    told.exploitation_sectors = rng.sample(sectors, 1) if sectors else []
    told.exploitation_started_month = f"{started:%Y-%m}"
    told.exploitation_ended_month = f"{ended:%Y-%m}"
    told.exploitation_months = months
    told.means_of_control = rng.sample(CONTROLS, rng.randrange(1, 4))
    b.objects.append(told)


def assess(b: Builder, case: Row, worker: uuid.UUID, when: datetime) -> None:
    from casework.planning.models import Assessment

    rng = b.rng
    levels = ["low", "medium", "high"]
    assessment = Row(
        Assessment,
        id=seeded_uuid(rng),
        case_id=case.id,
        person_id=case.person_id,
        assessed_on=when.date(),
        economic_risk_level=rng.choice(levels),
        social_risk_level=rng.choice(levels),
        psychosocial_risk_level=rng.choice(levels),
        overall_risk_level=rng.choice(levels),
        recorded_by_id=worker,
        recorded_at=when,
    )
    assessment.economic_needs = "No income since return; debts to relatives."
    assessment.social_needs = "Children out of school."
    assessment.psychosocial_needs = "Sleeps badly; worried about safety."
    b.objects.append(assessment)


def consent(b: Builder, case: Row, worker: uuid.UUID, when: datetime) -> uuid.UUID:
    from casework.consent.models import LegalBasisRecord

    record = Row(
        LegalBasisRecord,
        id=seeded_uuid(b.rng),
        case_id=case.id,
        person_id=case.person_id,
        basis="consent",
        given_by="person",
        method=b.rng.choice(["written", "oral"]),
        given_on=when.date(),
        any_provider=True,
        recorded_by_id=worker,
        recorded_at=when,
    )
    record.purpose = "Referral to services for reintegration."
    b.objects.append(record)
    return record.id


def draft_plan(b: Builder, case: Row, worker: uuid.UUID, when: datetime) -> tuple[Any, list[Any]]:
    from casework.planning.models import Plan, PlanAction

    rng = b.rng
    plan = Row(
        Plan,
        id=seeded_uuid(rng),
        case_id=case.id,
        status="draft",
        created_by_id=worker,
        created_at=when,
        updated_at=when,
    )
    actions = []
    for dimension in rng.sample(list(ACTION_TEXTS), rng.randrange(1, 4)):
        action = Row(
            PlanAction,
            id=seeded_uuid(rng),
            person_id=case.person_id,
            dimension=dimension,
            responsible_user_id=worker,
            due_on=(when + timedelta(days=rng.randrange(14, 180))).date(),
            status="planned",
            created_at=when,
            updated_at=when,
        )
        action.description = rng.choice(ACTION_TEXTS[dimension])
        action.plan_id = plan.id
        actions.append(action)
    b.objects.append(plan)
    b.objects += actions
    return plan, actions


def approve_plan(
    b: Builder,
    case: Row,
    plan: Any,
    actions: list[Any],
    staff: tuple[uuid.UUID, uuid.UUID],
    at: datetime,
) -> None:
    """The plan submitted by the caseworker and approved by the supervisor (``staff``)."""
    from casework.planning.models import PlanReview

    rng = b.rng
    worker, supervisor = staff
    submitted = at
    decided = min(at + timedelta(hours=rng.randrange(1, 72)), b.now)
    plan.status, plan.submitted_by_id, plan.submitted_at = "approved", worker, submitted
    plan.approved_at = decided
    review = Row(
        PlanReview,
        id=seeded_uuid(rng),
        person_id=case.person_id,
        submitted_by_id=worker,
        submitted_at=submitted,
        action_count=len(actions),
        decision="approved",
        decided_by_id=supervisor,
        decided_at=decided,
    )
    review.plan_id = plan.id
    b.objects.append(review)
    for action in actions:
        action.status = rng.choice(["planned", "in_progress", "done"])


def visits(b: Builder, case: Row, worker: uuid.UUID, first: datetime, last: datetime) -> None:
    from casework.monitoring.models import MonitoringVisit
    from casework.monitoring.scoring import compute_scores

    rng = b.rng
    definition = b.ref.survey_definition
    for n in range(rng.randrange(1, 5)):
        visited = first + (last - first) * (n / 4)
        answers = {
            item["code"]: rng.choice(item["answers"])[0]
            for item in definition["indicators"]
            if rng.random() < 0.9
        }
        visit = Row(
            MonitoringVisit,
            id=seeded_uuid(rng),
            case_id=case.id,
            person_id=case.person_id,
            survey_version_id=b.ref.survey_id,
            visited_on=visited.date(),
            visit_type=rng.choice(["home", "phone", "office"]),
            recorded_by_id=worker,
            recorded_at=visited,
        )
        visit.notes = rng.choice(VISIT_NOTES)
        visit.answers = answers
        visit.scores = compute_scores(definition, answers)
        b.objects.append(visit)
        b.visits += 1


def close(b: Builder, case: Row, worker: uuid.UUID, supervisor: uuid.UUID, at: datetime) -> None:
    from casework.closure.models import CaseClosure

    rng = b.rng
    decided = min(at + timedelta(days=rng.randrange(0, 5)), b.now)
    closure = Row(
        CaseClosure,
        id=seeded_uuid(rng),
        organisation_id=case.organisation_id,
        status="approved",
        requested_by_id=worker,
        requested_at=at,
        decided_by_id=supervisor,
        decided_at=decided,
        case_id=case.id,
        person_id=case.person_id,
        reason=weighted(rng, CLOSURE_REASONS),
    )
    closure.summary = "Closed after the support period; see the last visit."
    b.objects.append(closure)
    case.stage = "closed"
    case.updated_at = decided
