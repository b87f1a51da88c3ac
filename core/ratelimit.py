"""The rate limiter, and what it does when its shared store (Redis) is unreachable.

Limits are counted in ``HOMEWARD_RATELIMIT_STORAGE_URL`` (Redis in production) so they hold
across workers. When that store cannot be reached, Flask-Limiter switches to its in-memory
fallback and, until the store answers again, applies only :func:`fallback_limit`: sign-in-like
POSTs get the strict per-process ``HOMEWARD_LOGIN_FALLBACK_RATE_LIMIT`` (fail closed: each
worker now counts on its own, so the limit is lower), every other page none, and an alert is
logged (at most once a minute per process).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from core.config import current_settings

log = logging.getLogger("homeward.ratelimit")

F = TypeVar("F", bound=Callable[..., Any])

#: Seconds between two alerts of one process while the store stays unreachable.
ALERT_INTERVAL = 60.0
_last_alert = [0.0]


def login_limit() -> str:
    """The per-address limit on every sign-in-like POST (``HOMEWARD_LOGIN_RATE_LIMIT``)."""
    return current_settings().auth.login_rate_limit


def _is_sign_in_post() -> bool:
    if request.method != "POST" or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "_homeward_sign_in", False))


def fallback_limit() -> str:
    """The limit while the shared store is down: strict on sign-in POSTs, none elsewhere."""
    if not _is_sign_in_post():
        return ""
    now = time.monotonic()
    if now - _last_alert[0] >= ALERT_INTERVAL:
        _last_alert[0] = now
        log.error(
            "ALERT rate-limit storage unreachable: sign-in limited per process to %s",
            current_settings().LOGIN_FALLBACK_RATE_LIMIT,
        )
    return current_settings().LOGIN_FALLBACK_RATE_LIMIT


limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    strategy="fixed-window",
    in_memory_fallback=[fallback_limit],  # type: ignore[list-item]
)


def sign_in_limited(view: F) -> F:
    """Limit a sign-in-like view's POSTs per address; strictly per process if Redis is down."""
    limited = limiter.limit(login_limit, methods=["POST"])(view)
    limited._homeward_sign_in = True  # type: ignore[attr-defined]
    return cast(F, limited)
