"""The case's own story from the audit log: a timeline of what happened, and who looked.

Caseworkers and supervisors see these on the case page (auditors have their own pages).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import actions
from audit.queries import case_access_history, case_accessors
from auth.queries import user_names
from casework.models import Case
from casework.panels import CasePanel
from core.db import get_session
from core.security import Actor

#: What the timeline calls each recorded action; unnamed actions show their code.
ACTION_LABELS: dict[str, Any] = {
    "case.created": _l("Case opened"),
    "person.created": _l("Person registered"),
    "person.updated": _l("Person details changed"),
    "person.document_added": _l("Document added"),
    "case.updated": _l("Case details changed"),
    "case.note_added": _l("Note added"),
    "case.assigned": _l("Assigned"),
    "case.unassigned": _l("Unassigned (the caseworker moved to another organisation)"),
    "case.transfer_requested": _l("Transfer requested"),
    "case.transferred": _l("Transferred to another organisation"),
    "case.transfer_declined": _l("Transfer declined"),
    actions.EMERGENCY_ACCESS: _l("Emergency access"),
    "case.stage_changed": _l("Stage changed"),
    "case.viewed": _l("Opened"),
    "consent.recorded": _l("Legal basis recorded"),
    "consent.withdrawn": _l("Legal basis withdrawn"),
    "referral.sent": _l("Referral sent"),
    "referral.accepted": _l("Referral accepted by the provider"),
    "referral.declined": _l("Referral declined by the provider"),
    "referral.expired": _l("Referral expired without an answer"),
    "referral.completed": _l("Referral completed"),
    "referral.not_completed": _l("Referral not completed"),
    "referral.cancelled": _l("Referral cancelled"),
    "referral.viewed": _l("Referral viewed"),
    "referral.disclosed": _l("Referral details shown to the provider"),
    "screening.recorded": _l("Screened for trafficking"),
    "reflection_period.started": _l("Reflection period set"),
    "monitoring_visit.recorded": _l("Monitoring visit recorded"),
    "attachment.uploaded": _l("File attached"),
    "attachment.downloaded": _l("File downloaded"),
    "attachment.refused": _l("File refused"),
    "case.person_erased": _l("Person's data erased"),
    "closure.requested": _l("Closure requested"),
    "closure.approved": _l("Closure approved"),
    "closure.returned": _l("Closure returned with a comment"),
    "case.reopened": _l("Case reopened"),
    "person.exported": _l("Everything held about the person exported"),
    "erasure.requested": _l("Erasure requested"),
    "erasure.confirmed": _l("Erasure confirmed"),
    "erasure.cancelled": _l("Erasure request cancelled"),
    "assessment.recorded": _l("Needs assessment recorded"),
    "plan.started": _l("Reintegration plan started"),
    "plan.action_added": _l("Plan action added"),
    "plan.action_updated": _l("Plan action changed"),
    "plan.action_removed": _l("Plan action removed"),
    "plan.action_status_changed": _l("Plan action status updated"),
    "plan.submitted": _l("Plan submitted for approval"),
    "plan.approved": _l("Plan approved"),
    "plan.returned": _l("Plan returned with comments"),
    "assessment.viewed": _l("Assessment opened"),
    "plan.viewed": _l("Plan opened"),
    actions.ACCESS_DENIED: _l("Access refused"),
    "notification.sent": _l("Referral notification e-mailed"),
    "notification.failed": _l("Referral notification could not be e-mailed"),
    "referral.acknowledged": _l("Expired referral marked as dealt with"),
    # issue 17: households
    "household.created": _l("Household recorded"),
    "household.member_added": _l("Added to a household"),
    "household.member_changed": _l("Relationship in the household changed"),
    "household.member_removed": _l("Household member removed"),
}
NOT_IN_TIMELINE = frozenset(
    {
        "case.viewed",
        "case.listed",
        actions.ACCESS_DENIED,
        "person.searched",
        "monitoring_visit.viewed",
        # Opening the plan or an assessment is in "who has looked", not in what happened.
        "assessment.viewed",
        "plan.viewed",
        # Views of a referral (the provider's are disclosures) are in "who has looked" too.
        "referral.viewed",
        "referral.disclosed",
        # issue 17: households (shown with the case page, in "who has looked")
        "household.viewed",
    }
)


def timeline_panel(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    events = case_access_history(db, case.id, limit=500, exclude=NOT_IN_TIMELINE)
    names = user_names(db, {e.actor_user_id for e in events})
    return {"events": events, "names": names, "labels": ACTION_LABELS}


def timeline_case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the case timeline."""
    return CasePanel(
        "timeline",
        "casework/_timeline.html",
        80,
        timeline_panel(case, actor),
        anchor="timeline",
        title=_("Timeline"),
    )


def access_panel(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    accessors = case_accessors(db, case.id)
    return {"accessors": accessors, "names": user_names(db, {a.user_id for a in accessors})}


def access_case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: who looked at the case."""
    return CasePanel(
        "access",
        "casework/_access_history.html",
        90,
        access_panel(case, actor),
        anchor="access-history",
        title=_("Who has looked at this case"),
    )


def case_id_by_reference(
    _sender: None, session: Session, reference: str, **_extra: Any
) -> uuid.UUID | None:
    """Audit's resolver (``audit.signals.case_reference_resolving``): the case with this
    reference number (e.g. AGENCY-2026-000123)."""
    return session.scalar(select(Case.id).where(Case.case_number == reference.upper()))


def reference_numbers(
    _sender: None, session: Session, case_ids: Collection[uuid.UUID], **_extra: Any
) -> dict[uuid.UUID, str]:
    """Audit's labeller (``audit.signals.case_labels_collecting``): reference numbers of the
    given cases, never names."""
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.case_number).where(Case.id.in_(list(case_ids))))
    return {row[0]: row[1] for row in rows}
