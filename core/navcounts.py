"""The navigation's badge counts, kept per user for a short time in this process.

Counting what waits for someone (tasks, referrals to answer, ...) reads a dozen tables; every
page shows the counts, so computing them on every request cost more than most pages
themselves. They are kept here for ``HOMEWARD_NAV_COUNT_CACHE_SECONDS`` (30 by default; 0
turns the cache off), keyed by user id, in the memory of the process that computed them:

* a request that may change something (any method but GET, HEAD, OPTIONS) by a user drops
  that user's counts in this process, so the next page counts afresh;
* the page an entry leads to (the task list, Today) always counts its own entry afresh, from
  the rows it shows, and stores that number;
* what others change (a colleague assigns a case, a provider answers a referral, a deadline
  passes), or a change made through another worker process, shows in a badge at most that many
  seconds later. A badge is a hint; the lists themselves are always read fresh.

Only numbers are kept, never personal data.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION_KEY = "homeward_nav_counts"
#: Methods that only read: they leave the cached counts alone.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _Entry:
    expires: float
    counts: dict[str, int] = field(default_factory=dict)
    #: What the counts were counted as (role, organisation): counts kept for another are
    #: never shown (an administrator changed the user's role or organisation meanwhile).
    scope: Hashable = None


class NavCountCache:
    """Badge counts by user id and navigation endpoint, each user's for ``seconds``."""

    #: The most users kept; past it, expired entries go, then the oldest.
    MAX_USERS = 10_000

    def __init__(self, seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, user_id: uuid.UUID, scope: Hashable = None) -> dict[str, int]:
        """The user's counts still fresh and counted for ``scope`` (a copy; empty when none,
        expired or counted for another role or organisation)."""
        if self.seconds <= 0:
            return {}
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry.expires <= self.clock() or entry.scope != scope:
                return {}
            return dict(entry.counts)

    def put(self, user_id: uuid.UUID, counts: dict[str, int], scope: Hashable = None) -> None:
        """Keep counts; an entry still fresh for the same scope keeps its expiry (it never
        lives longer); one of another scope is replaced."""
        if self.seconds <= 0 or not counts:
            return
        now = self.clock()
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry.expires <= now or entry.scope != scope:
                if len(self._entries) >= self.MAX_USERS:
                    self._prune(now)
                entry = self._entries[user_id] = _Entry(now + self.seconds, scope=scope)
            entry.counts.update(counts)

    def forget(self, user_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(user_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _prune(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
        while len(self._entries) >= self.MAX_USERS:
            del self._entries[next(iter(self._entries))]


def nav_count_cache(app: Flask | None = None) -> NavCountCache:
    """The app's cache (made on first use, sized from the settings)."""
    target = app or current_app
    cache = target.extensions.get(EXTENSION_KEY)
    if cache is None:
        settings = target.config["HOMEWARD_SETTINGS"]
        cache = target.extensions[EXTENSION_KEY] = NavCountCache(settings.NAV_COUNT_CACHE_SECONDS)
    assert isinstance(cache, NavCountCache)
    return cache
