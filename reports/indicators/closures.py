"""Closures: cases closed, reopened, transferred and erased (:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement

from casework.closure.vocabulary import CLOSURE_REASONS
from casework.skeleton.models import CaseSkeleton
from casework.vocabulary import CaseType
from reports.indicators.common import Context, _case_type, _column, _list_labels, _one_key, _rows
from reports.queries import counts_by
from reports.suppression import ProtectedTable
from reports.tables import Figure, Section

# ---------------------------------------------------------------------------------------------
# Closures


def closures_by_reason(ctx: Context) -> Figure:
    """Cases of the filters closed in the period (by the month of closure, whatever their
    registration month), by closure reason (the deployment's list of reasons; none recorded:
    "Unknown")."""
    order, names = _list_labels(ctx.db, CLOSURE_REASONS)
    counts = ctx.closed_by_reason
    rows, values = _rows(counts, order, lambda c: names.get(c, c))
    return Figure(
        "closures_by_reason",
        str(_l("Cases closed by reason")),
        str(
            _l(
                "Cases closed in the period (by month of closure), by the reason for closing; "
                "none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, str(_l("Cases")), values),
    )


def _by_case_type(ctx: Context, conditions: Sequence[ColumnElement[bool]]) -> ProtectedTable:
    return _case_type_column(ctx, _one_key(counts_by(ctx.db, [CaseSkeleton.case_type], conditions)))


def _case_type_column(ctx: Context, counts: Mapping[Any, int]) -> ProtectedTable:
    rows, values = _rows(counts, [t.value for t in CaseType], _case_type, unknown=False)
    return _column(ctx, rows, str(_l("Cases")), values)


def cases_reopened(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) reopened at least once, by case
    type (a case reopened twice counts once)."""
    return Figure(
        "cases_reopened",
        str(_l("Cases reopened")),
        str(
            _l(
                "Cases registered in the period (by month of registration) that were reopened "
                "at least once after closing, by case type."
            )
        ),
        _case_type_column(ctx, {t: v[2] for t, v in ctx.by_case_type.items() if v[2]}),
    )


def cases_transferred(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) transferred to another
    organisation at least once, by case type (counted under the organisation that holds them
    now)."""
    return Figure(
        "cases_transferred",
        str(_l("Cases transferred")),
        str(
            _l(
                "Cases registered in the period (by month of registration) that were "
                "transferred to another organisation at least once, by case type."
            )
        ),
        _case_type_column(ctx, {t: v[3] for t, v in ctx.by_case_type.items() if v[3]}),
    )


def people_erased(ctx: Context) -> Figure:
    """Cases of the filters whose person was erased in the period (by the month of erasure,
    whatever their registration month), by case type. Counts only: the erased people's
    other figures stay as they were."""
    return Figure(
        "people_erased",
        str(_l("Erasures")),
        str(
            _l(
                "Cases whose person's data was erased in the period (by month of erasure), by "
                "case type."
            )
        ),
        _by_case_type(
            ctx, [*ctx.where(CaseSkeleton.erased_month), CaseSkeleton.erased_month.is_not(None)]
        ),
    )


def closures(ctx: Context) -> Section:
    return Section(
        "closures",
        str(_l("Closures")),
        (closures_by_reason(ctx), cases_reopened(ctx), cases_transferred(ctx), people_erased(ctx)),
    )
