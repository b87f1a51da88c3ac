"""Task sources for the task list: overdue referrals for the referrer, escalations for the
supervisor, and referrals to answer for the provider's staff (plain columns only)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import policy
from casework.models import Case, Person
from casework.tasks import Task, gather
from core.clock import utcnow
from core.config import Settings
from core.permissions import Permission, Role
from core.security import Actor
from referrals.followup import queries
from referrals.links import referral_target
from referrals.models import Referral
from referrals.vocabulary import ReferralState

_COLUMNS = (
    Referral.id,
    Referral.reference,
    Referral.case_id,
    Referral.state,
    Referral.respond_by,
    Referral.expected_completion,
    queries.acknowledged().label("acknowledged"),
)

LABELS = {
    queries.ANSWER: _l("Referral answer overdue"),
    queries.COMPLETION: _l("Referral not completed by the expected date"),
}
#: Made once, not once a task (a list may hold hundreds).
FOLLOW_UP = _l("Follow up")
ESCALATED = (_l("Overdue referral escalated to you"), _l("See overdue referrals"))
TO_ANSWER = (_l("Referral to answer"), _l("Answer the referral"))


def referrer_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """The referrals the actor sent that are overdue (answer or completion), of cases the actor
    may still open and whose person's data is not erased: a case transferred or reassigned away
    leaves no task behind that links to a page the actor may not see."""
    if not actor.can(Permission.REFERRAL_SEND):
        return []
    now = utcnow()
    stmt = (
        select(*_COLUMNS)
        .join(Case, Case.id == Referral.case_id)
        .join(Person, Person.id == Case.person_id)
        .where(
            queries.sent_by(actor),
            queries.overdue(now),
            policy.visible_cases(actor),
            Person.erased_at.is_(None),
        )
    )
    tasks = []
    for r in db.execute(stmt):
        kind, since = queries.overdue_of(
            r.state, r.respond_by, r.expected_completion, bool(r.acknowledged), now
        )
        if kind is None:
            continue
        tasks.append(
            Task(
                kind=f"referral_{kind}_overdue",
                label=LABELS[kind],
                reference=r.reference,
                endpoint="casework.case",  # the referrer follows up from the case page
                values={"case_id": r.case_id},
                due=since,
                case_id=r.case_id,
                action=FOLLOW_UP,
            )
        )
    return tasks


def supervisor_tasks(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """Referrals of the supervisor's organisation overdue for more than the escalation days."""
    if actor.role is not Role.SUPERVISOR or actor.organisation_id is None:
        return []
    now = utcnow()
    days = settings.referrals.escalation_days
    stmt = select(*_COLUMNS).where(
        Referral.referring_organisation_id == actor.organisation_id,
        queries.escalated(now, days),
    )
    tasks = []
    for r in db.execute(stmt):
        _kind, since = queries.overdue_of(
            r.state, r.respond_by, r.expected_completion, bool(r.acknowledged), now
        )
        if since is None:
            continue
        tasks.append(
            Task(
                kind="referral_escalated",
                label=ESCALATED[0],
                reference=r.reference,
                endpoint="referral_followup.organisation_overdue",
                values={},
                due=since + timedelta(days=days),
                case_id=r.case_id,
                action=ESCALATED[1],
                decision=True,
            )
        )
    return tasks


def provider_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """Referrals waiting for an answer from the actor's organisation, due by respond_by."""
    if not actor.can(Permission.REFERRAL_RESPOND) or actor.organisation_id is None:
        return []
    stmt = select(Referral.id, Referral.reference, Referral.case_id, Referral.respond_by).where(
        Referral.provider_organisation_id == actor.organisation_id,
        Referral.state == ReferralState.SENT.value,
    )
    tasks = []
    for r in db.execute(stmt):
        endpoint, values = referral_target(r.id, r.case_id, for_provider=True)
        tasks.append(
            Task(
                kind="referral_to_answer",
                label=TO_ANSWER[0],
                reference=r.reference,
                endpoint=endpoint,
                values=values,
                due=r.respond_by.date(),
                action=TO_ANSWER[1],
            )
        )
    return tasks


SOURCES = (referrer_tasks, supervisor_tasks, provider_tasks)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
