"""The public API of the indicators: every section, and the headline (:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeleton, CaseSkeletonReferral
from core.settings_sections import ReportSettings
from referrals.vocabulary import ReferralState
from reports.indicators.closures import closures
from reports.indicators.common import (
    DEFAULT_VISIT_INTERVAL_DAYS,
    IDENTIFIED_VICTIM_TYPES,
    Context,
    _one_key,
    _protected_value,
    context,
)
from reports.indicators.identification import identification
from reports.indicators.monitoring import monitoring
from reports.indicators.referrals import referrals
from reports.indicators.timeliness import timeliness
from reports.suppression import Cell
from reports.tables import Filters, Section

# ---------------------------------------------------------------------------------------------
# The public API


def compute(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    plan_due_days: int,
    today: date | None = None,
    *,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> tuple[Section, ...]:
    """Every section of figures for the filters, each table protected (in the contract's
    order: identification, timeliness, referrals, monitoring, closures)."""
    ctx = context(db, filters, settings, plan_due_days, today, visit_interval_days)
    return tuple(section(ctx) for section in SECTIONS)


def headline(
    db: Session, filters: Filters, settings: ReportSettings, today: date | None = None
) -> list[tuple[str, Cell]]:
    """The headline figures, each protected (1..threshold-1 shows as ``"<5"``):

    - people registered: cases registered in the period (registration month);
    - identified victims: of those, cases of type identified victim or returnee and victim;
    - children: of those, children at registration;
    - referrals sent: referrals of the filtered cases sent in the period (sent month);
    - referrals completed: of those, the ones completed;
    - cases closed: filtered cases closed in the period (month of closure).
    """
    return _headline(context(db, filters, settings, today=today))


def _headline(ctx: Context) -> list[tuple[str, Cell]]:
    """:func:`headline` from the counts the sections read too (no query of its own once they
    are read)."""
    victims = sum(
        ctx.registered_by(CaseSkeleton.case_type).get(t, 0) for t in IDENTIFIED_VICTIM_TYPES
    )
    children = ctx.registered_by(CaseSkeleton.child).get(True, 0)
    referrals = _one_key(ctx.referrals_by(CaseSkeletonReferral.state))
    figures = [
        (_l("People registered"), ctx.registered),
        (_l("Identified victims"), victims),
        (_l("Children"), children),
        (_l("Referrals sent"), sum(referrals.values())),
        (_l("Referrals completed"), referrals.get(ReferralState.COMPLETED.value, 0)),
        (_l("Cases closed"), sum(ctx.closed_by_reason.values())),
    ]
    return [(str(label), _protected_value(ctx, value)) for label, value in figures]


SECTIONS: tuple[Callable[[Context], Section], ...] = (
    identification,
    timeliness,
    referrals,
    monitoring,
    closures,
)
