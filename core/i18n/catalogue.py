"""The reader's message catalogue, found once a request instead of once a message.

Flask-Babel finds the catalogue for every message anew: the request's Babel context, its
domain, its locale (written out as a string) and its cache of catalogues, through about ten
context-local lookups. Measured at about 17 microseconds a message, that was several
milliseconds on a list page and most of the Today page. :class:`RequestDomain` (installed
as the application's domain, so ``gettext``, ``_l`` and the templates' ``_`` all use it)
keeps the catalogue it found on the request's Babel context, beside the locale and domain
it was found for, and answers from it while that locale stands: ``force_locale`` (an e-mail
in its recipient's language) and ``refresh`` put another locale object there, and the
catalogue is then looked up again. The messages are the same; only the lookup is cached.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel import support
from flask import Flask, g, has_app_context
from flask_babel import Domain
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

#: The attribute of Flask-Babel's per-request context where the catalogue is kept.
KEPT = "homeward_catalogue"


def _context() -> Any:
    """Flask-Babel's per-request context (None outside an application context or before
    Flask-Babel made it)."""
    return getattr(g, "_flask_babel", None) if has_app_context() else None


def _kept(context: Any, domain: Domain) -> support.NullTranslations | None:
    """The catalogue kept on ``context`` if it was found for ``domain`` and the locale the
    context holds now, else None."""
    kept = getattr(context, KEPT, None)
    if kept is None or kept[1] is not domain:
        return None
    if kept[0] is None or kept[0] is not getattr(context, "babel_locale", None):
        return None
    found: support.NullTranslations = kept[2]
    return found


class RequestDomain(Domain):
    """Flask-Babel's domain, remembering the request's catalogue (see the module's text)."""

    def get_translations(self) -> support.NullTranslations:
        context = _context()
        found = _kept(context, self) if context is not None else None
        if found is not None:
            return found
        translations: support.NullTranslations = super().get_translations()
        context = _context()  # made by the lookup when it was missing
        if context is not None:
            setattr(context, KEPT, (getattr(context, "babel_locale", None), self, translations))
        return translations


def current_translations() -> support.NullTranslations:
    """The request's catalogue: the kept one while its locale and domain still stand."""
    context = _context()
    domain = getattr(context, "babel_domain", None) if context is not None else None
    if domain is not None:
        found = _kept(context, domain)
        if found is not None:
            return found
    translations: support.NullTranslations = flask_babel.get_translations()
    return translations


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, __string: str, **variables: Any) -> str:
    """The templates' ``_`` and ``gettext``: what Jinja's new-style ``gettext`` does (the
    message escaped where the template autoescapes, then always formatted with
    ``variables``), without its two extra dispatches through the template context."""
    found: str = current_translations().ugettext(__string)
    if eval_ctx.autoescape:
        # The catalogue's text is markup as written (as in Jinja's own gettext); the
        # variables are escaped by the ``%`` below.
        found = Markup(found)  # noqa: S704
    return found % variables


def init_app(app: Flask) -> None:
    """Make the application's Babel domain a :class:`RequestDomain` and let the templates'
    ``_``/``gettext``/``ngettext`` read :func:`current_translations` (Flask-Babel installs
    callables that look the catalogue up for each message)."""
    babel = app.extensions["babel"]
    babel.instance.domain_instance = RequestDomain(domain=babel.default_domain)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = template_gettext
