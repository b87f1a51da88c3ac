"""Record assistance, decide on it, attach receipts; the budget of the package rules.

Services flush; the request commits once. Every change records an audit event with ids and
codes only (kind, currency, status), never the note.

The budget (documented in README, settings ``HOMEWARD_ASSISTANCE_*``):

- The limits per person and per household and the approval threshold are amounts in the
  organisation's currency (``assistance_currency``) and apply to disbursements in it.
  Homeward keeps no exchange rates, so a disbursement in another currency is not counted
  against them: it always waits for a second person's approval instead.
- Used: ``recorded`` and ``approved`` disbursements. Reserved: ``pending`` ones. A new
  disbursement is refused when used + reserved + its amount would exceed a limit, so two
  pending requests can never together go beyond it; a ``returned`` one frees its amount.
- The household is what ``casework.signals.household_cases_asking`` answers (no answer: the
  case alone). Recording locks the household's case rows (in id order) first, so two
  disbursements recorded at the same moment are checked one after the other and cannot both
  go past a limit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework.assistance import budget, money, policy
from casework.assistance.models import Disbursement
from casework.assistance.vocabulary import (
    KIND_LIST,
    DisbursementStatus,
)
from casework.models import Case
from casework.queries import case_team
from casework.services import CaseworkError
from casework.signals import case_file_attaching, plan_actions_asking
from core import decisions
from core.clock import utcnow
from core.exceptions import ConflictError
from core.lists.queries import offered
from core.security import Actor
from core.settings_sections import CaseworkSettings
from core.signals import collect

MAX_NOTE = 2000


@dataclass(frozen=True)
class DisbursementDetails:
    """What the form gives (raw: the service validates every part)."""

    kind: str | None
    amount: str | None
    currency: str | None
    delivered_on: date | None
    delivered_by_id: uuid.UUID | None
    plan_action_id: uuid.UUID | None = None
    note: str | None = None


def plan_actions(db: Session, case: Case) -> list[tuple[uuid.UUID, str]]:
    """The open plan actions a disbursement may carry out (planning answers)."""
    found: list[tuple[uuid.UUID, str]] = []
    for answer in collect(plan_actions_asking, case, list, session=db):
        found.extend(answer)
    return found


def _validate(
    db: Session, case: Case, details: DisbursementDetails, settings: CaseworkSettings
) -> tuple[str, str, int, date, uuid.UUID, str | None]:
    kind = (details.kind or "").strip()
    if kind not in offered(db, KIND_LIST):
        raise CaseworkError(_l("Choose a kind of assistance from the list."), "kind")
    currency = (details.currency or "").strip().upper()
    if currency not in settings.assistance_currencies or not money.is_currency(currency):
        raise CaseworkError(_l("Choose a currency from the list."), "currency")
    amount = money.parse_amount(details.amount, currency)
    if details.delivered_on is None:
        raise CaseworkError(_l("Enter the date it was delivered."), "delivered_on")
    if details.delivered_on > utcnow().date():
        raise CaseworkError(_l("The date cannot be in the future."), "delivered_on")
    if details.delivered_on.year < 2000:
        raise CaseworkError(_l("Enter a date from 2000 on."), "delivered_on")
    team = {u.id for u in case_team(db, case.organisation_id)}
    if details.delivered_by_id not in team:
        raise CaseworkError(
            _l("Choose who delivered it from your organisation's staff."), "delivered_by"
        )
    if details.plan_action_id is not None and details.plan_action_id not in {
        action_id for action_id, _label in plan_actions(db, case)
    }:
        raise CaseworkError(
            _l("Choose an open action of this case's plan, or none."), "plan_action"
        )
    note = (details.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise CaseworkError(_l("Keep the note under 2,000 characters."), "note")
    return kind, currency, amount, details.delivered_on, details.delivered_by_id, note


def record_disbursement(
    db: Session,
    actor: Actor,
    case: Case,
    details: DisbursementDetails,
    settings: CaseworkSettings,
) -> Disbursement:
    """Record assistance delivered; above the threshold (or in another currency) it waits for
    a second person. Refused (CaseworkError, field ``amount``) past a limit of the budget."""
    policy.authorize_record(actor, case)
    kind, currency, amount, delivered_on, delivered_by_id, note = _validate(
        db, case, details, settings
    )
    plan = budget.reserve(db, actor, case, kind, currency, amount, settings)
    waits = currency != plan.currency or amount > plan.threshold
    status = DisbursementStatus.PENDING if waits else DisbursementStatus.RECORDED
    disbursement = Disbursement(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        status=status.value,
        requested_by_id=actor.user_id,
        kind=kind,
        currency=currency,
        amount_minor=amount,
        delivered_on=delivered_on,
        delivered_month=delivered_on.strftime("%Y-%m"),
        delivered_by_id=delivered_by_id,
        plan_action_id=details.plan_action_id,
    )
    disbursement.note = note
    db.add(disbursement)
    db.flush()
    record(
        db,
        "assistance.requested" if waits else "assistance.recorded",
        actor=actor,
        object_type="assistance_disbursement",
        object_id=disbursement.id,
        case_id=case.id,
        details={
            "kind": kind,
            "currency": currency,
            "status": status.value,
            **({"plan_action_id": str(details.plan_action_id)} if details.plan_action_id else {}),
        },
    )
    return disbursement


def _decide(db: Session, actor: Actor, disbursement: Disbursement, status: str) -> None:
    try:
        decisions.decide(db, disbursement, actor, status)
    except ConflictError:
        raise ConflictError(
            _l("This disbursement has been decided already by someone else."), "decision"
        ) from None


def approve(db: Session, actor: Actor, case: Case, disbursement: Disbursement) -> None:
    """The second person approves: the amount moves from reserved to used (the budget was
    checked with it reserved when it was recorded, so it is not checked again)."""
    policy.authorize_decision(actor, case, disbursement)
    _decide(db, actor, disbursement, DisbursementStatus.APPROVED.value)
    record(
        db,
        "assistance.approved",
        actor=actor,
        object_type="assistance_disbursement",
        object_id=disbursement.id,
        case_id=case.id,
        details={"kind": disbursement.kind, "currency": disbursement.currency},
    )


def return_disbursement(
    db: Session, actor: Actor, case: Case, disbursement: Disbursement, comment: str | None
) -> None:
    """The second person returns it with a comment: it no longer counts."""
    policy.authorize_decision(actor, case, disbursement)
    text = (comment or "").strip()
    if len(text) < 5:
        raise CaseworkError(_l("Say why it is returned (5 characters or more)."), "comment")
    if len(text) > MAX_NOTE:
        raise CaseworkError(_l("Keep the comment under 2,000 characters."), "comment")
    _decide(db, actor, disbursement, DisbursementStatus.RETURNED.value)
    disbursement.return_comment = text
    db.flush()
    record(
        db,
        "assistance.returned",
        actor=actor,
        object_type="assistance_disbursement",
        object_id=disbursement.id,
        case_id=case.id,
        details={"kind": disbursement.kind, "currency": disbursement.currency},
    )


def attach_receipt(
    db: Session,
    actor: Actor,
    case: Case,
    disbursement: Disbursement,
    *,
    data: bytes,
    file_name: str | None,
    description: str,
    version: int | None,
    max_bytes: int,
) -> uuid.UUID:
    """Attach a receipt: sealed as a case attachment (casework.attachments answers), linked
    here. A stale form (another receipt attached meanwhile) is a ConflictError."""
    policy.authorize_record(actor, case)
    if disbursement.case_id != case.id:
        raise CaseworkError(_l("This disbursement is not of this case."))
    if disbursement.status == DisbursementStatus.RETURNED.value:
        raise CaseworkError(_l("This disbursement was returned: it needs no receipt."), "receipt")
    if version != disbursement.version:
        raise ConflictError(
            _l("Someone changed this disbursement meanwhile. Look at it again."), "receipt"
        )
    answers = collect(
        case_file_attaching,
        case,
        uuid.UUID,
        session=db,
        actor=actor,
        data=data,
        file_name=file_name,
        description=description,
        max_bytes=max_bytes,
    )
    if not answers:
        raise CaseworkError(_l("Receipts cannot be attached here."), "receipt")
    disbursement.receipt_id = answers[0]
    db.flush()
    record(
        db,
        "assistance.receipt_attached",
        actor=actor,
        object_type="assistance_disbursement",
        object_id=disbursement.id,
        case_id=case.id,
        details={"attachment_id": str(answers[0])},
    )
    return answers[0]


def disbursements(db: Session, actor: Actor, case: Case) -> list[Disbursement]:
    """The case's disbursements the actor may see, newest delivery first."""
    return list(
        db.scalars(
            select(Disbursement)
            .where(Disbursement.case_id == case.id, policy.visible_disbursements(actor))
            .order_by(Disbursement.delivered_on.desc(), Disbursement.requested_at.desc())
        )
    )


def get_disbursement(db: Session, case: Case, disbursement_id: uuid.UUID) -> Disbursement | None:
    found = db.get(Disbursement, disbursement_id)
    return found if found is not None and found.case_id == case.id else None


def waiting(db: Session, actor: Actor) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """Pending disbursements this supervisor may decide (never their own): the id, case id
    and case number of each (plain columns: the task list needs no more)."""
    if not policy.may_decide_any(actor):
        return []
    rows = db.execute(
        select(Disbursement.id, Case.id, Case.case_number)
        .join(Case, Case.id == Disbursement.case_id)
        .where(policy.waiting_for(actor))
        .order_by(Disbursement.requested_at)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def on_case_transferred(case: Case, session: Session, actor: Actor, **_extra: object) -> None:
    """Receiver of ``casework.signals.case_transferred``: pending disbursements go back (their
    organisation no longer holds the case; the new one records its own)."""

    def audit(disbursement: Disbursement) -> None:
        record(
            session,
            "assistance.returned",
            actor=actor,
            object_type="assistance_disbursement",
            object_id=disbursement.id,
            case_id=case.id,
            details={"reason_code": "case_transferred"},
        )

    decisions.end_waiting(
        session,
        Disbursement,
        [Disbursement.case_id == case.id],
        actor,
        DisbursementStatus.RETURNED.value,
        audit,
    )
