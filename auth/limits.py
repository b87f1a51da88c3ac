"""What every sign-in-like page shares: the per-address rate limit and the one message that
tells nothing about which part of the sign-in was wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.config import current_settings

GENERIC_LOGIN_ERROR = _l("That e-mail address and password do not match an active account.")


def login_limit() -> str:
    """The per-address limit on every sign-in-like POST (a setting; Flask-Limiter calls this
    in the request, as route plumbing)."""
    return current_settings().auth.login_rate_limit
