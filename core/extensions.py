"""Flask extensions shared by every domain: translation, CSRF, rate limits, keys, navigation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.wrappers import Response

from core import crypto, locales, vocabulary
from core.config import ConfigError, Settings
from core.keys import (
    KeyError_,
    KeyRing,
    ensure_development_key_file,
    keys_from_environment,
    provider_for,
)
from core.navcounts import READS as NAV_READS
from core.navcounts import nav_count_cache
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


def is_right_to_left(locale: str) -> bool:
    """Dari, Pashto, Arabic, Urdu (and any language CLDR writes right to left)."""
    return locale.split("_")[0] in RTL_LANGUAGES or locales.is_right_to_left(locale)


def supported_locales(app: Flask) -> list[str]:
    """The languages offered: the default one and those whose catalogue is complete."""
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    offered = locales.complete_locales(directory, "en")
    return sorted({*offered, app.config["BABEL_DEFAULT_LOCALE"]})


def offered_locales() -> list[str]:
    """The codes of the languages this application offers (computed at start-up)."""
    found: list[str] = current_app.extensions["homeward_locales"]
    return found


def language_choices() -> list[tuple[str, str]]:
    """(code, the language named in itself) for every language offered, for select fields."""
    return [(code, locales.endonym(code)) for code in offered_locales()]


def remember_language(response: Response, code: str) -> Response:
    """Keep the language chosen on the sign-in or account page in a cookie (a code only)."""
    response.set_cookie(
        locales.LOCALE_COOKIE,
        code,
        max_age=locales.LOCALE_COOKIE_SECONDS,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def _cookie_locale(offered: list[str]) -> str | None:
    chosen = request.cookies.get(locales.LOCALE_COOKIE)
    return chosen if chosen in offered else None


def select_locale() -> str | None:
    """The user's stored preference, else the language chosen on the sign-in page (a
    cookie), else the browser's best offered one, else the default (None)."""
    if not has_request_context():  # CLI commands: the default locale
        return None
    offered = offered_locales()
    for choice in collect(preferred_locale_asking, None, str):
        if choice in offered:
            return choice
    return _cookie_locale(offered) or request.accept_languages.best_match(offered)


def check_key_material(settings: Settings) -> KeyRing:
    """Load the master keys, or refuse to start with a one-line reason."""
    if settings.is_development and not keys_from_environment():
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
    #: Where ``/`` sends those whose first entry this is, when not the entry's own page.
    landing: str | None = None

    @property
    def landing_endpoint(self) -> str:
        """The page ``/`` opens for those whose navigation starts with this entry."""
        return self.landing or self.endpoint


def nav_items() -> list[tuple[NavItem, int | None]]:
    """The actor's navigation entries in order, each with its badge count (None for none)."""
    actor = current_actor()
    if actor is None:
        return []
    items: list[NavItem] = [
        item for found in collect(navigation_collecting, None, list) for item in found
    ]
    allowed = sorted((i for i in items if actor.can(i.permission)), key=lambda i: i.order)
    return [(i, count) for i, count in zip(allowed, _nav_counts(actor, allowed), strict=True)]


def _nav_counts(actor: Actor, items: list[NavItem]) -> list[int | None]:
    """Each entry's badge: from the per-user cache (:mod:`core.navcounts`) while fresh, and
    always counted afresh for the page being shown (the list it counts is on screen)."""
    cache = nav_count_cache()
    scope = (str(actor.role), actor.organisation_id)
    kept = cache.get(actor.user_id, scope)
    fresh: dict[str, int] = {}
    counts: list[int | None] = []
    for item in items:
        if item.count is None:
            counts.append(None)
            continue
        if item.endpoint in kept and item.endpoint != request.endpoint:
            counts.append(kept[item.endpoint])
            continue
        fresh[item.endpoint] = item.count(actor)
        counts.append(fresh[item.endpoint])
    cache.put(actor.user_id, fresh, scope)
    return counts


def _forget_nav_counts(response: Response) -> Response:
    """After a request that may have changed something, the user's badges count afresh."""
    actor = current_actor()
    if actor is not None and request.method not in NAV_READS:
        nav_count_cache().forget(actor.user_id)
    return response


def _template_context() -> dict[str, Any]:
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    # The 503 page while the database is down: nothing that would read it.
    offline = bool(g.get("database_unavailable"))
    seconds_left = [] if offline else collect(session_seconds_asking, None, int)
    return {
        "session_seconds_left": seconds_left[0] if seconds_left else None,
        "html_lang": locale.replace("_", "-"),
        "html_dir": "rtl" if is_right_to_left(locale) else "ltr",
        "nav_items": [] if offline else nav_items(),
        "actor": None if offline else current_actor(),
    }


def isolate(value: Any, direction: str = "auto") -> Markup:
    """``value`` in a ``<bdi>``: a Latin case number, e-mail address, name or date keeps its
    own direction inside right-to-left text (and the text around it keeps its order).
    ``direction="ltr"`` for what has no letter to tell (a phone number: "+93 70 123 4567")."""
    if value is None or value == "":
        return Markup("")
    if direction == "ltr":
        return Markup('<bdi dir="ltr">%s</bdi>') % value
    return Markup("<bdi>%s</bdi>") % value


def isolate_text(value: Any) -> str:
    """``value`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: the plain-text
    ``<bdi>``, for flash messages and page titles, where no markup goes."""
    return "" if value is None or value == "" else f"\u2068{value}\u2069"


def init_app(app: Flask) -> None:
    app.extensions["homeward_keys"] = check_key_material(app.config["HOMEWARD_SETTINGS"])
    crypto.init_app(app, app.extensions["homeward_keys"])
    app.extensions["homeward_locales"] = supported_locales(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    app.context_processor(_template_context)
    app.after_request(_forget_nav_counts)
    app.jinja_env.filters["bdi"] = isolate
    app.jinja_env.filters["bdi_text"] = isolate_text
    vocabulary.init_app(app)


__all__ = ["NavItem", "_l", "babel", "csrf", "limiter"]
