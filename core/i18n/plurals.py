"""Counts in plural messages in the locale's digits: ``ngettext`` formats ``%(num)d`` with
ASCII digits, so a Dari reader would read "5 روز" beside "۱۴۰۵" on the same page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import flask_babel
from jinja2 import pass_context
from jinja2.runtime import Context

from core.i18n.digits import localise


def localise_count(text: str, num: object) -> str:
    """``text`` with the first standalone ``num`` written in the locale's digits (the count
    ``ngettext`` put there); other digits (a case number in the message) are left alone."""
    if not isinstance(num, int) or isinstance(num, bool):
        return text
    plain = str(num)
    local = localise(plain)
    if local == plain:
        return text
    changed = re.sub(rf"(?<![0-9]){re.escape(plain)}(?![0-9])", local, str(text), count=1)
    return type(text)(changed) if isinstance(text, str) and type(text) is not str else changed


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """:func:`flask_babel.ngettext` with the count in the locale's digits."""
    return localise_count(flask_babel.ngettext(singular, plural, num, **variables), num)


def localised_template_ngettext(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the template ``ngettext`` Flask-Babel installs (Jinja's new-style one, which
    escapes and formats) so its count is written in the locale's digits too."""

    @pass_context
    def template_ngettext(
        context: Context, singular: str, plural: str, num: int, **variables: Any
    ) -> Any:
        return localise_count(original(context, singular, plural, num, **variables), num)

    return template_ngettext
