"""Who may see and record the person's feedback. Checked on the server for every request.

- The case team of the case (its caseworker, the supervisors of its organisation: casework's
  ``can_view_case``) sees every survey of the case and records those of the case team: about a
  referral the provider accepted, and at closure once the case is closed.
- Provider staff see and record only the provider's survey of a referral addressed to their
  organisation that it accepted (accepted, completed or not completed). What the person told
  their caseworker about the provider is not shown to the provider.
- Nobody else: not another organisation, not auditors (the log only), not administrators.
  Loaders answer 404, audited as a denial, so a survey's existence is not revealed.

Each rule has its SQL twin beside it (``visible_feedback`` for ``can_view_feedback``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from casework import policy as case_policy
from casework.models import Case
from casework.vocabulary import Stage
from core.permissions import Permission
from core.security import Actor
from referrals.feedback.models import PersonFeedback
from referrals.feedback.vocabulary import CASE_TEAM_RESPONDENTS, Respondent
from referrals.models import Referral
from referrals.policy import is_provider_of
from referrals.vocabulary import ReferralState

#: States in which the provider accepted the referral: the person received (some) service.
ANSWERED_STATES = frozenset(
    {ReferralState.ACCEPTED, ReferralState.COMPLETED, ReferralState.NOT_COMPLETED}
)
_ANSWERED = sorted(s.value for s in ANSWERED_STATES)
_PROVIDER = Respondent.PROVIDER.value


def service_received(referral: Referral) -> bool:
    return referral.state in _ANSWERED


def is_case_team(actor: Actor, case: Case) -> bool:
    """The caseworker of the case or a supervisor of its organisation (no emergency grant)."""
    return case_policy.can_view_case(actor, case)


def is_answering_provider(actor: Actor, referral: Referral) -> bool:
    """Staff of the organisation the referral is addressed to, which accepted it."""
    return is_provider_of(actor, referral) and service_received(referral)


def can_view_feedback(
    actor: Actor, feedback: PersonFeedback, case: Case, referral: Referral | None
) -> bool:
    if feedback.case_id != case.id:
        return False
    if is_case_team(actor, case):
        return True
    return (
        feedback.respondent == _PROVIDER
        and referral is not None
        and feedback.referral_id == referral.id
        and is_answering_provider(actor, referral)
    )


def visible_feedback(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition (on ``PersonFeedback``) matching exactly what ``can_view_feedback``
    allows."""
    team = case_policy.in_visible_case(actor, PersonFeedback.case_id)
    if not actor.can(Permission.REFERRAL_RESPOND) or actor.organisation_id is None:
        return team
    addressed = select(Referral.id).where(
        Referral.provider_organisation_id == actor.organisation_id,
        Referral.state.in_(_ANSWERED),
    )
    provider = and_(
        PersonFeedback.respondent == _PROVIDER, PersonFeedback.referral_id.in_(addressed)
    )
    return or_(team, provider)


def may_record_about_referral(
    actor: Actor, referral: Referral, case: Case, respondent: Respondent
) -> bool:
    """The case team records the person's answers about a referral they received service
    from; the provider its own survey. The person's data must not be erased."""
    if case.person.erased_at is not None or referral.case_id != case.id:
        return False
    if not service_received(referral):
        return False
    if respondent is Respondent.PROVIDER:
        return is_answering_provider(actor, referral)
    return respondent in CASE_TEAM_RESPONDENTS and case_policy.can_edit_case(actor, case)


def may_record_at_closure(actor: Actor, case: Case) -> bool:
    """The case team, once the case is closed (the survey is offered after closing)."""
    return (
        case.person.erased_at is None
        and case.stage == Stage.CLOSED.value
        and case_policy.can_edit_case(actor, case)
    )
