"""The person's feedback, the writes: recording a survey (or that the person declined it).

One survey per referral and respondent, one per case at closure: the unique indexes decide
when two are recorded at the same moment, and the loser is told it is recorded already.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from casework.models import Case
from core.clock import utcnow
from core.exceptions import ConflictError, ServiceError
from core.security import Actor
from referrals.feedback.models import PersonFeedback
from referrals.feedback.vocabulary import (
    CASE_TEAM_RESPONDENTS,
    SCORES,
    Answer,
    Occasion,
    Question,
    Respondent,
)
from referrals.models import Referral

#: The longest comment kept (characters).
COMMENT_MAX = 2000


class FeedbackError(ServiceError):
    """The survey cannot be recorded as given (the message is for the user)."""


class FeedbackRecorded(ConflictError):
    """This survey was recorded already (by someone else, or a second submit)."""

    MESSAGE = _l("This feedback was recorded already.")


@dataclass(frozen=True)
class Answers:
    """What the person answered: ``declined`` the whole survey, or one ``Answer`` code per
    question, an overall score 1-5 (None: not given) and an optional comment."""

    recorded_on: date
    declined: bool = False
    answers: dict[Question, Answer | None] | None = None
    overall: int | None = None
    comment: str | None = None


def _checked(given: Answers, earliest: date | None) -> Answers:
    today = utcnow().date()
    if given.recorded_on > today:
        raise FeedbackError(_l("The date cannot be in the future."), "recorded_on")
    if earliest is not None and given.recorded_on < earliest:
        raise FeedbackError(_l("The date cannot be before the referral was sent."), "recorded_on")
    comment = (given.comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise FeedbackError(_l("Shorten the comment."), "comment")
    if given.declined:
        return Answers(recorded_on=given.recorded_on, declined=True, comment=comment)
    answers = dict(given.answers or {})
    for question in Question:
        if answers.get(question) is None:
            raise FeedbackError(_l("Choose an answer, or 'Declined to answer'."), question.value)
    if given.overall is not None and given.overall not in SCORES:
        raise FeedbackError(_l("Choose a score from 1 to 5."), "overall")
    return Answers(given.recorded_on, False, answers, given.overall, comment)


def record_feedback(
    db: Session,
    actor: Actor,
    case: Case,
    given: Answers,
    *,
    respondent: Respondent,
    referral: Referral | None = None,
) -> PersonFeedback:
    """Record one survey about ``referral`` (or, without one, at the case's closure). The
    caller checked the policy; raises FeedbackError for bad answers and FeedbackRecorded when
    this respondent's survey exists already."""
    if referral is None and respondent not in CASE_TEAM_RESPONDENTS:
        raise FeedbackError(_l("Choose who gives the answers."), "respondent")
    if case.person.erased_at is not None or actor.organisation_id is None:
        raise FeedbackError(_l("The person's data was erased: nothing can be recorded."))
    checked = _checked(given, referral.sent_at.date() if referral is not None else None)
    answers = checked.answers or {}
    feedback = PersonFeedback(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        referral_id=referral.id if referral is not None else None,
        occasion=(Occasion.REFERRAL if referral is not None else Occasion.CLOSURE).value,
        respondent=respondent.value,
        declined=checked.declined,
        overall=checked.overall,
        comment=checked.comment,
        recorded_on=checked.recorded_on,
        recorded_by_id=actor.user_id,
        organisation_id=actor.organisation_id,
        **{q.value: (a.value if a is not None else None) for q, a in answers.items()},
    )
    try:
        with db.begin_nested():
            db.add(feedback)
            db.flush()
    except IntegrityError:
        raise FeedbackRecorded(FeedbackRecorded.MESSAGE) from None
    _audit(db, actor, feedback)
    return feedback


def _audit(db: Session, actor: Actor, feedback: PersonFeedback) -> None:
    record(
        db,
        "person_feedback.recorded",
        actor=actor,
        object_type="person_feedback",
        object_id=feedback.id,
        case_id=feedback.case_id,
        details={
            "occasion": feedback.occasion,
            "respondent": feedback.respondent,
            "declined": feedback.declined,
            "referral_id": str(feedback.referral_id) if feedback.referral_id else None,
        },
    )
