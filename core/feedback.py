"""Where the user sees the result of what they sent: confirmations and error summaries.

A redirect to ``/page#section`` lands the user on that section, far below the top of a long
page: the messages flashed before such a redirect carry the section, and the page shows them
inside it (:func:`section_flashes`); the others stay at the top (:func:`page_flashes`). A
page that failed to save lists every error of its forms at the top, each linked to its field
(:func:`error_summary`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from flask import Flask, Response, g, get_flashed_messages, session
from flask.signals import message_flashed
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms import Field, Form
from wtforms.fields import FieldList, FormField, HiddenField, RadioField, SelectMultipleField
from wtforms.widgets import ListWidget, TableWidget

#: Between a flash's category and the section it belongs to (``success#notes``).
SEPARATOR = "#"
_SECTION = re.compile(r"[A-Za-z][\w-]{0,63}")
_FLASH = Markup('<div class="flash flash--{0}" role="{1}">{2}</div>')


def in_section(category: str, section: str) -> str:
    """The flash category that shows a message of ``category`` inside ``section``."""
    return f"{category}{SEPARATOR}{section}"


def _split(category: str) -> tuple[str, str | None]:
    kind, _sep, section = category.partition(SEPARATOR)
    return kind, section or None


def _counted(_app: Flask, **_extra: object) -> None:
    g.flashed_here = g.get("flashed_here", 0) + 1


def _land_with_redirect(response: Response) -> Response:
    """Messages flashed before a redirect to ``#section`` go to that section."""
    count = g.get("flashed_here", 0)
    if not count or not response.location or response.status_code not in range(300, 400):
        return response
    section = urlsplit(response.location).fragment
    if not _SECTION.fullmatch(section):
        return response
    pending = list(session.get("_flashes", []))
    for index in range(max(0, len(pending) - count), len(pending)):
        category, message = pending[index]
        if SEPARATOR not in category:
            pending[index] = (in_section(category, section), message)
    session["_flashes"] = pending
    return response


def _render(flashes: list[tuple[str, str]]) -> Markup:
    return Markup("").join(
        _FLASH.format(kind, "alert" if kind == "error" else "status", message)
        for kind, message in flashes
    )


def _flashed() -> list[tuple[str, str]]:
    """(category, message) of this request's messages; the same list however often read."""
    return cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))


def section_flashes(section: str) -> Markup:
    """The messages meant for ``section``, marked up; the page top then leaves them out."""
    placed: set[str] = g.setdefault("placed_sections", set())
    placed.add(section)
    mine = []
    for category, message in _flashed():
        kind, target = _split(category)
        if target == section:
            mine.append((kind, message))
    return Markup('<div class="flashes">%s</div>') % _render(mine) if mine else Markup("")


def page_flashes() -> list[tuple[str, str]]:
    """(kind, message) of the messages that no section of the page has shown."""
    placed: set[str] = g.get("placed_sections", set())
    found = []
    for category, message in _flashed():
        kind, target = _split(category)
        if target is None or target not in placed:
            found.append((kind, message))
    return found


@dataclass(frozen=True)
class FieldError:
    """One error of a form: its message and the id of the control it belongs to (if any)."""

    message: str
    target: str | None


def _target(field: Field) -> str | None:
    """The id of the control to focus for ``field``: the first option of a list of choices."""
    if isinstance(field, RadioField | SelectMultipleField) and isinstance(
        field.widget, ListWidget | TableWidget
    ):
        first = next(iter(field), None)
        return str(first.id) if first is not None else None
    return str(field.id)


def _field_errors(form: Form) -> list[FieldError]:
    return [error for field in form for error in _errors_in(field)]


def _errors_in(field: Field) -> list[FieldError]:
    if isinstance(field, FormField):
        return _field_errors(field.form)
    if isinstance(field, FieldList):
        return [error for entry in field.entries for error in _errors_in(entry)]
    return _errors_of(field)


def _errors_of(field: Field) -> list[FieldError]:
    if isinstance(field, HiddenField) or field.type == "CSRFTokenField":
        return [FieldError(str(e), None) for e in field.errors]
    label, target = str(field.label.text), _target(field)
    return [
        FieldError(_("%(field)s: %(error)s", field=label, error=str(e)), target)
        for e in field.errors
    ]


def form_errors(form: Form) -> list[FieldError]:
    """The form's own errors, then each field's in the order of the form."""
    own = [FieldError(str(m), None) for m in getattr(form, "form_errors", [])]
    return own + _field_errors(form)


@pass_context
def error_summary(context: Context) -> list[FieldError]:
    """Every error of the forms in the template's context, for the summary at the page top."""
    found: list[FieldError] = []
    seen: set[int] = set()
    for value in context.get_all().values():
        if isinstance(value, Form) and id(value) not in seen:
            seen.add(id(value))
            found += form_errors(value)
    return found


def init_app(app: Flask) -> None:
    message_flashed.connect(_counted, app)
    app.after_request(_land_with_redirect)
    app.jinja_env.globals.update(
        section_flashes=section_flashes, page_flashes=page_flashes, error_summary=error_summary
    )
