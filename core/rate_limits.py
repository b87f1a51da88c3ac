"""Checking a rate-limit setting before Flask-Limiter sees it: given a limit it cannot parse,
Flask-Limiter logs an error and lets every request through, so a typo in
``HOMEWARD_LOGIN_RATE_LIMIT`` would leave the sign-in pages unlimited."""

from __future__ import annotations

from limits import parse_many


def parses(value: str) -> bool:
    """True when ``value`` is at least one limit Flask-Limiter understands ("20 per minute")."""
    try:
        return bool(parse_many(value))
    except ValueError:
        return False
