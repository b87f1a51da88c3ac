"""Referrals: the referrals sent in the period and what became of them
(:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.models import Organisation
from casework.consent.vocabulary import SERVICE_TYPES
from casework.skeleton.models import CaseSkeletonReferral
from referrals.vocabulary import DECLINE_REASONS, ReferralState
from referrals.vocabulary import label as referral_label
from reports.indicators.common import (
    REFERRAL_STATES,
    Context,
    _column,
    _counts,
    _list_labels,
    _rows,
    _stat_table,
    _unknown,
)
from reports.indicators.timeliness import _days_column
from reports.queries import median
from reports.suppression import ProtectedTable
from reports.tables import Figure, Section, StatTable

# ---------------------------------------------------------------------------------------------
# Referrals


def _state_columns() -> tuple[list[str], list[str]]:
    codes = [s.value for s in REFERRAL_STATES]
    return codes, [str(referral_label(s, ReferralState)) for s in codes]


def _by_state(
    ctx: Context,
    key: Any,
    order: Sequence[Any],
    labeller: Callable[[set[Any]], Callable[[Any], str]],
) -> ProtectedTable:
    """Referrals by ``key`` (rows: ``order``, then the other keys present, then "Unknown") and
    state; ``labeller`` gets the keys present and gives the row label of a key."""
    counts = ctx.referrals_by(key, CaseSkeletonReferral.state)
    label = labeller({k for k, _s in counts if k is not None})
    states, state_labels = _state_columns()
    states += sorted({s for _k, s in counts if s not in states})
    state_labels += [s for s in states[len(state_labels) :]]
    keys = list(order) + sorted(
        {k for k, _s in counts if k is not None and k not in order}, key=lambda k: label(k)
    )
    rows = [label(k) for k in keys] + [_unknown()]
    keys.append(None)
    table = [[counts.get((k, s), 0) for s in states] for k in keys]
    return _counts(ctx, rows, state_labels, table)


def referrals_by_service_type(ctx: Context) -> Figure:
    """Referrals sent in the period (by the month they were sent) for the filtered cases (the
    referring case's organisation, case type, ...), by the service's main type (rows, the
    deployment's list of kinds of service; none recorded: "Unknown") and the referral's
    current state (columns: still waiting, accepted, declined, expired, completed, not
    completed, cancelled). The row total is every referral sent. Counts referrals, not
    people."""
    order, names = _list_labels(ctx.db, SERVICE_TYPES)
    return Figure(
        "referrals_by_service_type",
        str(_l("Referrals by kind of service")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, by "
                "the service's main kind and the referral's state now; counts referrals."
            )
        ),
        _by_state(
            ctx, CaseSkeletonReferral.service_type, order, lambda _k: lambda c: names.get(c, c)
        ),
    )


def referrals_by_provider(ctx: Context) -> Figure:
    """Referrals sent in the period (by the month they were sent) for the filtered cases, by
    provider organisation (its name; a provider no longer known: "Unknown") and current state
    (columns as :func:`referrals_by_service_type`). Counts referrals, not people."""

    def labeller(ids: set[Any]) -> Callable[[Any], str]:
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(sorted(ids)))
        names = {i: n for i, n in ctx.db.execute(query)}
        return lambda i: str(names.get(i) or _l("Provider no longer listed"))

    return Figure(
        "referrals_by_provider",
        str(_l("Referrals by provider")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, by "
                "the provider they were sent to and the referral's state now; counts referrals."
            )
        ),
        _by_state(ctx, CaseSkeletonReferral.provider_id, [], labeller),
    )


def referrals_declined_by_reason(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases and declined, by
    the decline reason (the deployment's list of reasons, every entry shown; none given:
    "Unknown"). Counts referrals."""
    declined = ReferralState.DECLINED.value
    counts = {
        reason: n
        for (state, reason), n in ctx.referrals_by(
            CaseSkeletonReferral.state, CaseSkeletonReferral.decline_reason
        ).items()
        if state == declined
    }
    order, names = _list_labels(ctx.db, DECLINE_REASONS)
    rows, values = _rows(counts, order, lambda c: names.get(c, c))
    return Figure(
        "referrals_declined_by_reason",
        str(_l("Declined referrals by reason")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that the provider declined, by the reason given; none given is Unknown."
            )
        ),
        _column(ctx, rows, str(_l("Referrals")), values),
    )


def _referral_times(ctx: Context, column: Any) -> StatTable:
    order, names = _list_labels(ctx.db, SERVICE_TYPES)
    found = ctx.referral_days(column)
    keys: list[str | None] = [k for k in order if k in found]
    keys += sorted(k for k in found if k is not None and k not in order)
    if None in found:
        keys.append(None)
    every: dict[int, int] = {}
    for hist in found.values():
        for d, n in hist.items():
            every[d] = every.get(d, 0) + n
    groups = [found[k] for k in keys] + [every]
    rows = [names.get(k, k) if k is not None else _unknown() for k in keys]
    return _stat_table(
        ctx,
        [*rows, str(_l("All referrals"))],
        [str(_l("Referrals")), _days_column()],
        [sum(h.values()) for h in groups],
        [(median(h),) for h in groups],
        total_last=True,
    )


def referral_answer_times(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases that were answered
    (accepted or declined), by the service's main type then all of them (last row): how many
    (``n``) and the median whole days from sending to the answer. Referrals not answered are
    not counted."""
    return Figure(
        "referral_answer_times",
        str(_l("Days to the provider's answer")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that were answered: the median number of whole days from sending to the answer."
            )
        ),
        _referral_times(ctx, CaseSkeletonReferral.days_to_answer),
    )


def referral_completion_times(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases that were completed,
    by the service's main type then all of them (last row): how many (``n``) and the median
    whole days from sending to completion."""
    return Figure(
        "referral_completion_times",
        str(_l("Days to completion")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that were completed: the median number of whole days from sending to completion."
            )
        ),
        _referral_times(ctx, CaseSkeletonReferral.days_to_complete),
    )


def referrals_transnational(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases, transnational (to a
    provider in another country) or not (rows), by current state (columns). Counts
    referrals."""
    counts = ctx.referrals_by(CaseSkeletonReferral.transnational, CaseSkeletonReferral.state)
    states, labels = _state_columns()
    states += sorted({s for _t, s in counts if s not in states})
    labels += states[len(labels) :]
    table = [
        [counts.get((True, s), 0) for s in states],
        [counts.get((False, s), 0) + counts.get((None, s), 0) for s in states],
    ]
    return Figure(
        "referrals_transnational",
        str(_l("Transnational referrals")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, to "
                "a provider in another country or not, by the referral's state now."
            )
        ),
        _counts(ctx, [str(_l("Transnational")), str(_l("Within the country"))], labels, table),
    )


def referrals(ctx: Context) -> Section:
    return Section(
        "referrals",
        str(_l("Referrals")),
        (
            referrals_by_service_type(ctx),
            referrals_by_provider(ctx),
            referrals_declined_by_reason(ctx),
            referral_answer_times(ctx),
            referral_completion_times(ctx),
            referrals_transnational(ctx),
        ),
    )
