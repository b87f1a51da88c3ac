""":func:`figures`: what a figures page asks for, kept a short while (:mod:`reports.indicators`)."""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.i18n.names import current_locale
from core.settings_sections import ReportSettings
from reports.indicators.api import sections_of
from reports.indicators.common import DEFAULT_VISIT_INTERVAL_DAYS, context
from reports.indicators.publishing import published_headline
from reports.queries import skeletons_marker
from reports.suppression import Cell
from reports.tables import Filters, Section

#: How long :func:`figures` keeps what it computed (seconds): a repeated page within this
#: time, while :func:`reports.queries.skeletons_marker` is unchanged, is answered from memory.
CACHE_SECONDS = 60.0
#: At most this many filter combinations are kept per database (the oldest go first).
CACHE_ENTRIES = 64
_cache: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], _Cached]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class _Cached:
    marker: tuple[int, ...]
    until: float
    value: tuple[tuple[Section, ...], list[tuple[str, Cell]]]


def forget_cached() -> None:
    """Empty the cache of :func:`figures` (every database)."""
    with _cache_lock:
        _cache.clear()


def figures(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    plan_due_days: int,
    today: date | None = None,
    *,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> tuple[tuple[Section, ...], list[tuple[str, Cell]]]:
    """:func:`compute` and :func:`headline` for a page, from one reading of the skeletons,
    kept :data:`CACHE_SECONDS` per database, filters, settings, day and language while the
    skeletons' marker (:func:`reports.queries.skeletons_marker`) is unchanged. On PostgreSQL
    every flush that writes skeleton rows advances the marker, so a change shows on the next
    page; what it cannot see (a page read between a flush and its commit, a bulk write, a
    replica's lag; on SQLite, a change in place such as a new referral or a score) shows
    within :data:`CACHE_SECONDS` at most. :func:`compute` itself is never cached. The
    sections are frozen dataclasses, shared safely between requests."""
    ctx = context(db, filters, settings, plan_due_days, today, visit_interval_days)
    engine = db.get_bind()
    key = (
        filters,
        settings.small_cell_threshold,
        settings.sustainability_threshold,
        plan_due_days,
        visit_interval_days,
        ctx.today,
        str(current_locale()),
    )
    marker = skeletons_marker(db)
    now = time.monotonic()
    with _cache_lock:
        kept = _cache.get(engine, OrderedDict()).get(key)
    if kept is not None and kept.marker == marker and kept.until > now:
        return kept.value
    sections = sections_of(ctx)
    value = (sections, published_headline(sections))
    with _cache_lock:
        entries = _cache.setdefault(engine, OrderedDict())
        entries[key] = _Cached(marker, now + CACHE_SECONDS, value)
        entries.move_to_end(key)
        while len(entries) > CACHE_ENTRIES:
            entries.popitem(last=False)
    return value
