"""What every sign-in-like page shares: the one message that tells nothing about which part of
the sign-in was wrong (the rate limit is :func:`core.ratelimit.sign_in_limited`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GENERIC_LOGIN_ERROR = _l("That e-mail address and password do not match an active account.")
