"""Today items of referrals: answers and outcomes to read, declined referrals to place elsewhere.

The referrer sees, under "Waiting for me", the referrals they sent that a provider accepted or
closed (completed or not) in the last :data:`READ_DAYS` days; a declined one stays until the case
has a referral sent after the refusal (or is closed). Only cases the referrer may still open, whose
person's data is not erased: a case transferred or reassigned away leaves nothing behind. Overdue
answers and escalations come from the task list (:mod:`referrals.followup.tasks`). Plain columns
only: nothing decrypted.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from casework import policy
from casework.models import Case, Person
from casework.tasks import Task, gather
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import Settings
from core.permissions import Permission
from core.security import Actor
from referrals.links import referral_target
from referrals.models import Referral
from referrals.vocabulary import ReferralState

#: How long an answer or outcome stays on the Today page.
READ_DAYS = 7

_CLOSED = (ReferralState.COMPLETED.value, ReferralState.NOT_COMPLETED.value)

LABELS = {
    ReferralState.ACCEPTED.value: (_l("Referral accepted"), _l("Read the answer")),
    ReferralState.DECLINED.value: (_l("Referral declined"), _l("Refer elsewhere")),
    ReferralState.COMPLETED.value: (_l("Referral outcome recorded"), _l("Read the outcome")),
    ReferralState.NOT_COMPLETED.value: (_l("Referral outcome recorded"), _l("Read the outcome")),
}


#: A later referral of the same case. Made once: building an alias of the mapped class adapts
#: every column, which cost more than the query itself when done on every Today page.
_LATER = aliased(Referral)


def answers_to_read(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """The actor's referrals answered or closed lately; declined ones until referred again."""
    if not actor.can(Permission.REFERRAL_SEND):
        return []
    since = utcnow() - timedelta(days=READ_DAYS)
    later = _LATER
    referred_again = (
        select(later.id)
        .where(later.case_id == Referral.case_id, later.sent_at > Referral.answered_at)
        .exists()
    )
    declined = and_(
        Referral.state == ReferralState.DECLINED.value,
        Case.stage != Stage.CLOSED.value,
        ~referred_again,
    )
    stmt = (
        select(Referral.id, Referral.reference, Referral.case_id, Referral.state)
        .join(Case, Case.id == Referral.case_id)
        .join(Person, Person.id == Case.person_id)
        .where(
            Referral.referrer_id == actor.user_id,
            policy.visible_cases(actor),
            Person.erased_at.is_(None),
            or_(
                declined,
                and_(Referral.state == ReferralState.ACCEPTED.value, Referral.answered_at >= since),
                and_(Referral.state.in_(_CLOSED), Referral.closed_at >= since),
            ),
        )
        .order_by(Referral.sent_at)
    )
    return [_item(r.id, r.reference, r.case_id, r.state) for r in db.execute(stmt)]


def _item(referral_id: uuid.UUID, reference: str, case_id: uuid.UUID, state: str) -> Task:
    label, action = LABELS[state]
    if state == ReferralState.DECLINED.value:
        endpoint, values = "referrals.choose_service", {"case_id": case_id}
    else:
        endpoint, values = referral_target(referral_id, case_id, for_provider=False)
    return Task(
        kind=f"referral_{state}",
        label=label,
        reference=reference,
        endpoint=endpoint,
        values=values,
        case_id=case_id,
        action=action,
    )


SOURCES = (answers_to_read,)


def items_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.today_items_collecting``: the items of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
