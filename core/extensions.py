"""Flask extensions shared by every domain: translation, CSRF, rate limits, keys, navigation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from core import crypto, vocabulary
from core.config import ConfigError, Settings
from core.keys import KeyError_, KeyRing, ensure_development_key_file, provider_for
from core.permissions import Permission
from core.ratelimit import limiter
from core.security import Actor, current_actor
from core.signals import (
    collect,
    navigation_collecting,
    preferred_locale_asking,
    session_seconds_asking,
)

babel = Babel()
csrf = CSRFProtect()

#: Languages written right to left: Dari, Pashto, Arabic, Urdu, Persian.
RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ps", "ur"})


def supported_locales(app: Flask) -> list[str]:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    found = {p.name for p in directory.iterdir() if (p / "LC_MESSAGES").is_dir()}
    return sorted(found | {app.config["BABEL_DEFAULT_LOCALE"]})


def select_locale() -> str | None:
    """The user's preferred language, else the browser's best supported one."""
    if not has_request_context():  # CLI commands: the default locale
        return None
    locales = current_app.extensions["homeward_locales"]
    for choice in collect(preferred_locale_asking, None, str):
        if choice in locales:
            return choice
    return request.accept_languages.best_match(locales)


def check_key_material(settings: Settings) -> KeyRing:
    """Load the master keys, or refuse to start with a one-line reason."""
    if settings.is_development:
        ensure_development_key_file(settings.KEY_FILE)
    try:
        ring = provider_for(settings.KEY_FILE).load()
    except KeyError_ as exc:
        raise ConfigError(f"refusing to start: {exc}") from exc
    if settings.is_production and ring.development:
        raise ConfigError("refusing to start in production: the master key is a development key")
    return ring


@dataclass(frozen=True)
class NavItem:
    """A navigation entry; ``count`` (when given) returns a number shown as a badge."""

    endpoint: str
    label: Any
    permission: Permission
    order: int = 100
    count: Callable[[Actor], int] | None = None


def nav_items() -> list[tuple[NavItem, int | None]]:
    """The actor's navigation entries in order, each with its badge count (None for none)."""
    actor = current_actor()
    if actor is None:
        return []
    items: list[NavItem] = [
        item for found in collect(navigation_collecting, None, list) for item in found
    ]
    allowed = sorted((i for i in items if actor.can(i.permission)), key=lambda i: i.order)
    return [(i, i.count(actor) if i.count is not None else None) for i in allowed]


def _template_context() -> dict[str, Any]:
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    language = locale.split("_")[0]
    # The 503 page while the database is down: nothing that would read it.
    offline = bool(g.get("database_unavailable"))
    seconds_left = [] if offline else collect(session_seconds_asking, None, int)
    return {
        "session_seconds_left": seconds_left[0] if seconds_left else None,
        "html_lang": locale.replace("_", "-"),
        "html_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
        "nav_items": [] if offline else nav_items(),
        "actor": None if offline else current_actor(),
    }


def _format_datetime(value: Any) -> str:
    return "" if value is None else str(format_datetime(value, "medium"))


def _format_date(value: Any) -> str:
    return "" if value is None else str(format_date(value, "medium"))


def init_app(app: Flask) -> None:
    app.extensions["homeward_keys"] = check_key_material(app.config["HOMEWARD_SETTINGS"])
    crypto.init_app(app, app.extensions["homeward_keys"])
    app.extensions["homeward_locales"] = supported_locales(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    app.context_processor(_template_context)
    app.jinja_env.filters["datetimeformat"] = _format_datetime
    app.jinja_env.filters["dateformat"] = _format_date
    vocabulary.init_app(app)


__all__ = ["NavItem", "_l", "babel", "csrf", "limiter"]
