"""The public API of the indicators: every section, and the headline (:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from core.settings_sections import ReportSettings
from reports.indicators.closures import closures
from reports.indicators.common import (
    DEFAULT_PLAN_DUE_DAYS,
    DEFAULT_VISIT_INTERVAL_DAYS,
    Context,
    context,
)
from reports.indicators.identification import identification
from reports.indicators.monitoring import monitoring
from reports.indicators.prefetch import in_one_snapshot
from reports.indicators.publishing import linked_tables_agree, published_headline
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
    """Every section of figures for the filters, each table protected and the tables that
    share numbers hiding them alike (:mod:`reports.indicators.publishing`), in the contract's
    order: identification, timeliness, referrals, monitoring, closures."""
    ctx = context(db, filters, settings, plan_due_days, today, visit_interval_days)
    return sections_of(ctx)


def sections_of(ctx: Context) -> tuple[Section, ...]:
    """:func:`compute` for a context (the cache reads it too): on PostgreSQL with the scans
    read side by side in one snapshot (:mod:`~reports.indicators.prefetch`)."""
    sections = in_one_snapshot(ctx, SECTIONS)
    if sections is None:
        sections = tuple(section(ctx) for section in SECTIONS)
    return linked_tables_agree(sections)


def headline(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    today: date | None = None,
    *,
    plan_due_days: int = DEFAULT_PLAN_DUE_DAYS,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> list[tuple[str, Cell]]:
    """The headline figures as the sections publish them (a headline counted afresh would
    give their hidden cells back; :func:`reports.indicators.publishing.published_headline`;
    the plan's due days and the visit interval change no headline figure):

    - people registered: cases registered in the period (registration month);
    - identified victims: of those, cases of type identified victim or returnee and victim;
    - children: of those, children at registration;
    - referrals sent: referrals of the filtered cases sent in the period (sent month);
    - referrals completed: of those, the ones completed;
    - cases closed: filtered cases closed in the period (month of closure).
    """
    return published_headline(
        compute(
            db,
            filters,
            settings,
            plan_due_days,
            today,
            visit_interval_days=visit_interval_days,
        )
    )


SECTIONS: tuple[Callable[[Context], Section], ...] = (
    identification,
    timeliness,
    referrals,
    monitoring,
    closures,
)
