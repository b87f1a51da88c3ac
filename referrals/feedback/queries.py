"""The person's feedback, the reads: a case's and a referral's surveys (each read audited)
and the feedback figures per provider and service kind (plain columns only, nothing
decrypted).

Small counts: an average or a share computed from fewer than :data:`MIN_ANSWERS` answers is
not shown (the page shows "<5"), so a provider cannot tell what one person said.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from casework.models import Case
from core.security import Actor
from referrals.directory.models import ServiceTypeTerm
from referrals.feedback.models import PersonFeedback
from referrals.feedback.policy import ANSWERED_STATES, visible_feedback
from referrals.feedback.vocabulary import CASE_TEAM_RESPONDENTS, Answer, Occasion, Question
from referrals.figures import Period
from referrals.models import Referral

#: Fewer answers than this: no average, no share ("<5" on the page).
MIN_ANSWERS = 5


def of_case(db: Session, actor: Actor, case: Case) -> list[PersonFeedback]:
    """The case's surveys the actor may see, oldest first."""
    return list(
        db.scalars(
            select(PersonFeedback)
            .where(PersonFeedback.case_id == case.id, visible_feedback(actor))
            .order_by(PersonFeedback.recorded_at, PersonFeedback.id)
        )
    )


def of_referral(db: Session, actor: Actor, referral: Referral) -> list[PersonFeedback]:
    """The referral's surveys the actor may see (provider staff: the provider's own)."""
    return list(
        db.scalars(
            select(PersonFeedback)
            .where(PersonFeedback.referral_id == referral.id, visible_feedback(actor))
            .order_by(PersonFeedback.recorded_at, PersonFeedback.id)
        )
    )


def record_views(
    db: Session, actor: Actor, shown: list[PersonFeedback], case_id: uuid.UUID, page: str
) -> None:
    """Audit that these surveys were shown (ids only); nothing when none was."""
    if not shown:
        return
    record(
        db,
        "person_feedback.viewed",
        actor=actor,
        object_type="person_feedback",
        object_id=shown[0].id if len(shown) == 1 else None,
        case_id=case_id,
        details={"page": page, "count": len(shown), "ids": [str(f.id) for f in shown]},
    )


@dataclass(frozen=True)
class ToAsk:
    """A referral of the case the person received service from, and the case team's
    respondents whose survey about it is not recorded yet."""

    referral: Referral
    open_respondents: tuple[str, ...]


def referrals_to_ask(referrals: list[Referral], recorded: list[PersonFeedback]) -> list[ToAsk]:
    done = {(f.referral_id, f.respondent) for f in recorded}
    found = []
    for r in referrals:
        if r.state not in ANSWERED_STATES:
            continue
        left = tuple(k.value for k in CASE_TEAM_RESPONDENTS if (r.id, k.value) not in done)
        found.append(ToAsk(r, left))
    return found


# ---- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """An average or share and the number of answers it comes from."""

    value: float | None
    answers: int

    @property
    def small(self) -> bool:
        return 0 < self.answers < MIN_ANSWERS

    @property
    def shown(self) -> float | None:
        return None if self.answers < MIN_ANSWERS else self.value


@dataclass
class FeedbackFigures:
    """The surveys about one provider's referrals of one service kind."""

    organisation_id: uuid.UUID
    name: str
    kind: str | None
    surveys: int = 0
    declined: int = 0
    scores: list[int] = field(default_factory=list)
    answers: dict[Question, list[str]] = field(default_factory=lambda: {q: [] for q in Question})

    @property
    def overall(self) -> Cell:
        n = len(self.scores)
        return Cell(sum(self.scores) / n if n else None, n)

    def yes_share(self, question: Question) -> Cell:
        """The share of "yes" among the yes, partly and no answers."""
        given = [a for a in self.answers[question] if a != Answer.DECLINED.value]
        n = len(given)
        return Cell(given.count(Answer.YES.value) / n if n else None, n)


def _start(day: object) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)  # type: ignore[arg-type]


def feedback_figures(
    db: Session, period: Period, referring_organisation_id: uuid.UUID | None = None
) -> list[FeedbackFigures]:
    """Referral surveys per provider organisation and service kind (a service of two kinds
    counts in both), for referrals sent in the period (by ``referring_organisation_id``)."""
    stmt = (
        select(
            Referral.provider_organisation_id,
            Organisation.name,
            ServiceTypeTerm.code,
            PersonFeedback.declined,
            PersonFeedback.overall,
            *(getattr(PersonFeedback, q.value) for q in Question),
        )
        .join(Referral, Referral.id == PersonFeedback.referral_id)
        .join(Organisation, Organisation.id == Referral.provider_organisation_id)
        .outerjoin(ServiceTypeTerm, ServiceTypeTerm.service_id == Referral.service_id)
        .where(PersonFeedback.occasion == Occasion.REFERRAL.value)
    )
    if referring_organisation_id is not None:
        stmt = stmt.where(Referral.referring_organisation_id == referring_organisation_id)
    if period.start is not None:
        stmt = stmt.where(Referral.sent_at >= _start(period.start))
    if period.end is not None and period.end.year < 9999:
        stmt = stmt.where(Referral.sent_at < _start(period.end + timedelta(days=1)))
    table: dict[tuple[uuid.UUID, str | None], FeedbackFigures] = {}
    for row in db.execute(stmt):
        key = (row.provider_organisation_id, row.code)
        f = table.setdefault(key, FeedbackFigures(row.provider_organisation_id, row.name, row.code))
        f.surveys += 1
        if row.declined:
            f.declined += 1
            continue
        if row.overall is not None:
            f.scores.append(row.overall)
        for q in Question:
            if (answer := getattr(row, q.value)) is not None:
                f.answers[q].append(answer)
    return sorted(
        table.values(), key=lambda f: (f.name.casefold(), str(f.organisation_id), f.kind or "")
    )
