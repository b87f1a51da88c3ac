"""Per-provider referral figures, from plain columns only (states and times; nothing decrypted).

For the referrals *sent* in the period, per provider organisation (optionally per service):

* counts per state;
* acceptance rate = accepted ÷ (accepted + declined + expired), where "accepted" counts every
  referral the provider accepted, whatever happened after (completed, not completed, or
  cancelled after acceptance); referrals still waiting, or cancelled before an answer, are left
  out;
* median time to answer = the median of ``answered_at - sent_at`` over accepted and declined
  referrals, in hours;
* completion rate = completed ÷ (completed + not completed).

A rate or median without any referral to compute it from is ``None`` (shown as a dash).

By area (:func:`area_figures`): per province of return or identification (the case's plain
``province_pcode``), the cases registered and the referrals sent in the period, counted by the
database (GROUP BY). Counts from 1 to the deployment's threshold - 1 are shown as "<5"
(``HOMEWARD_SMALL_CELL_THRESHOLD``, 5 by default): so few people in a province could be told
apart. An erased person's case no longer holds its province (the
skeleton does) and counts as "Not recorded".
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from auth.models import Organisation
from casework.models import Case
from core.i18n.names import sort_key
from core.places import queries as places
from referrals.directory.models import Service
from referrals.models import Referral
from referrals.vocabulary import ReferralState

S = ReferralState
#: Column headings of the figures table: the states, short.
STATE_HEADINGS = {
    S.SENT: _l("Waiting"),
    S.ACCEPTED: _l("Accepted"),
    S.DECLINED: _l("Declined"),
    S.EXPIRED: _l("Expired"),
    S.COMPLETED: _l("Completed"),
    S.NOT_COMPLETED: _l("Not completed"),
    S.CANCELLED: _l("Cancelled"),
}
_ACCEPTED_LATER = frozenset({S.ACCEPTED, S.COMPLETED, S.NOT_COMPLETED})


@dataclass(frozen=True)
class Period:
    """Referrals sent from ``start`` to ``end`` (both days included; None: open)."""

    start: date | None = None
    end: date | None = None


@dataclass
class ProviderFigures:
    organisation_id: uuid.UUID
    name: str
    #: Set when the figures are per service of the provider.
    service: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in S})
    accepted: int = 0
    answer_hours: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.counts[S.DECLINED] + self.counts[S.EXPIRED]
        return self.accepted / decided if decided else None

    @property
    def median_hours_to_answer(self) -> float | None:
        return statistics.median(self.answer_hours) if self.answer_hours else None

    @property
    def completion_rate(self) -> float | None:
        finished = self.counts[S.COMPLETED] + self.counts[S.NOT_COMPLETED]
        return self.counts[S.COMPLETED] / finished if finished else None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def provider_figures(
    db: Session,
    period: Period,
    referring_organisation_id: uuid.UUID | None = None,
    by_service: bool = False,
) -> list[ProviderFigures]:
    """Figures per provider organisation (and service, with ``by_service``), by name; only
    ``referring_organisation_id``'s referrals when given (a supervisor sees what their own
    organisation sent)."""
    stmt = (
        select(
            Referral.provider_organisation_id,
            Organisation.name,
            Referral.service_id,
            Service.name.label("service"),
            Referral.state,
            Referral.sent_at,
            Referral.answered_at,
        )
        .join(Organisation, Organisation.id == Referral.provider_organisation_id)
        .join(Service, Service.id == Referral.service_id)
    )
    if referring_organisation_id is not None:
        stmt = stmt.where(Referral.referring_organisation_id == referring_organisation_id)
    if period.start is not None:
        stmt = stmt.where(Referral.sent_at >= _start(period.start))
    if period.end is not None and period.end < date.max:
        stmt = stmt.where(Referral.sent_at < _start(period.end + timedelta(days=1)))
    figures: dict[tuple[uuid.UUID, uuid.UUID | None], ProviderFigures] = {}
    for row in db.execute(stmt):
        key = (row.provider_organisation_id, row.service_id if by_service else None)
        f = figures.setdefault(
            key,
            ProviderFigures(
                row.provider_organisation_id, row.name, row.service if by_service else None
            ),
        )
        state = S(row.state)
        f.counts[state] += 1
        answered = row.answered_at is not None
        if state in _ACCEPTED_LATER or (state is S.CANCELLED and answered):
            f.accepted += 1
        if answered and state is not S.EXPIRED:
            f.answer_hours.append((row.answered_at - row.sent_at).total_seconds() / 3600)
    return sorted(
        figures.values(),
        key=lambda f: (f.name.casefold(), str(f.organisation_id), (f.service or "").casefold()),
    )


#: The default threshold (the pages and the CLI pass ``Settings.reports.small_cell_threshold``).
SMALL_COUNT = 5


@dataclass(frozen=True)
class AreaFigures:
    """One province of return or identification (``pcode`` None: not recorded)."""

    pcode: str | None
    name: str
    cases: int
    referrals: int


def _within(column: InstrumentedAttribute[datetime], period: Period) -> list[ColumnElement[bool]]:
    conditions = []
    if period.start is not None:
        conditions.append(column >= _start(period.start))
    if period.end is not None and period.end < date.max:
        conditions.append(column < _start(period.end + timedelta(days=1)))
    return conditions


def area_figures(
    db: Session,
    period: Period,
    organisation_id: uuid.UUID | None = None,
    language: str | None = None,
) -> list[AreaFigures]:
    """Per province of return or identification: the cases registered (opened) and the
    referrals sent in the period; only ``organisation_id``'s cases and the referrals it sent
    when given. Provinces by name in ``language``, "not recorded" (``pcode`` None) last."""
    cases = select(Case.province_pcode, func.count(Case.id)).where(*_within(Case.opened_at, period))
    referrals = (
        select(Case.province_pcode, func.count(Referral.id))
        .join(Case, Case.id == Referral.case_id)
        .where(*_within(Referral.sent_at, period))
    )
    if organisation_id is not None:
        cases = cases.where(Case.organisation_id == organisation_id)
        referrals = referrals.where(Referral.referring_organisation_id == organisation_id)
    registered = dict(db.execute(cases.group_by(Case.province_pcode)).all())
    sent = dict(db.execute(referrals.group_by(Case.province_pcode)).all())
    codes = set(registered) | set(sent)
    names = places.labels(db, [c for c in codes if c], language)
    rows = [
        AreaFigures(
            code, names.get(code, "") if code else "", registered.get(code, 0), sent.get(code, 0)
        )
        for code in codes
    ]
    return sorted(rows, key=lambda r: (r.pcode is None, sort_key(r.name), r.pcode or ""))


def small(count: int, threshold: int = SMALL_COUNT) -> bool:
    """A count shown as "<5" (none is shown as 0)."""
    return 0 < count < threshold


def count_text(count: int, threshold: int = SMALL_COUNT) -> str:
    """A count as the command line prints it: "<5" for a small one."""
    return f"<{threshold}" if small(count, threshold) else str(count)


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"
