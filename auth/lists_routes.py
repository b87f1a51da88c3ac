"""Administration of the lists a deployment can set: every list, each list's entries, adding
an entry, its labels per language, retiring it or offering it again (views; the writes are in
:mod:`auth.lists`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from auth import lists as lists_service
from auth.forms import ListEntryForm, ListEntryStateForm, list_entry_form
from core.db import get_session
from core.extensions import NavItem, offered_locales
from core.forms import field_error
from core.lists import queries
from core.lists.registry import ListSpec, specs
from core.locales import endonym
from core.permissions import Permission
from core.security import require, require_actor


@cache
def _catalogue_locales(directory: str) -> tuple[str, ...]:
    return tuple(sorted(p.parent.parent.name for p in Path(directory).glob("*/LC_MESSAGES/*.mo")))


def app_locales() -> list[str]:
    """The application's languages: English first, then every locale with a catalogue or
    offered to users."""
    directory = str(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", ""))
    found = {*_catalogue_locales(directory), *offered_locales()} - {"en"}
    return ["en", *sorted(found)]


def _list_or_404(name: str) -> ListSpec:
    found = lists_service.list_spec(name)
    if found is None:
        abort(404)
    return found


def _version(value: str | None) -> int | None:
    """The version a form was loaded at: None for an entry never touched, -1 when garbled
    (so it can never match and the page shows the conflict)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1


def _labels(form: ListEntryForm, locales: list[str]) -> dict[str, str | None]:
    return {locale: form[lists_service.field_for(locale)].data for locale in locales}


@require(Permission.SETTINGS_MANAGE)
def lists() -> ResponseReturnValue:
    db = get_session()
    found = [(s, sum(1 for t in queries.terms(db, s.name) if not t.retired)) for s in specs()]
    record(db, "list.listed", object_type="list_entry", details={"count": len(found)})
    return render_template("auth/admin/lists.html", lists=found)


def _entries_page(name: str, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    list_ = _list_or_404(name)
    locales = app_locales()
    rows = queries.terms(db, name)
    by_locale = {
        t.code: {
            loc: queries.resolve(t.labels, _builtin(list_, t.code), loc, t.code) for loc in locales
        }
        for t in rows
    }
    record(db, "list.viewed", object_type="list_entry", object_id=name, details={"list": name})
    page = render_template(
        "auth/admin/list.html",
        list_=list_,
        terms=rows,
        locales=[(loc, endonym(loc)) for loc in locales],
        by_locale=by_locale,
        state_form=ListEntryStateForm(),
    )
    return page, status


@require(Permission.SETTINGS_MANAGE)
def list_entries(name: str) -> ResponseReturnValue:
    return _entries_page(name)


def _builtin(list_: ListSpec, code: str) -> object | None:
    return next((label for c, label in list_.builtin if c == code), None)


@require(Permission.SETTINGS_MANAGE)
def new_list_entry(name: str) -> ResponseReturnValue:
    db = get_session()
    list_ = _list_or_404(name)
    locales = app_locales()
    form = list_entry_form(locales, new=True)
    if form.validate_on_submit():
        try:
            entry = lists_service.add_entry(
                db,
                require_actor(),
                list_,
                str(form["code"].data or ""),
                _labels(form, locales),
                locales,
            )
        except lists_service.ListError as exc:
            field_error(form, exc)
        else:
            flash(_("Entry added. It is offered from now on."), "success")
            return redirect(url_for("auth.admin.list_entries", name=name) + f"#entry-{entry.code}")
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "auth/admin/list_entry.html", list_=list_, form=form, term=None, conflict=None, new=True
    )
    return page, status


def _describe_builtin(
    form: ListEntryForm, list_: ListSpec, found: queries.Term, locales: list[str]
) -> None:
    """Under each label field of a built-in entry, what a blank label shows."""
    if not found.builtin:
        return
    for loc in locales:
        form[lists_service.field_for(loc)].description = _(
            "Left blank: %(label)s",
            label=queries.resolve({}, _builtin(list_, found.code), loc, found.code),
        )


def _save_labels(
    form: ListEntryForm, list_: ListSpec, code: str, locales: list[str]
) -> tuple[dict[str, str] | None, int]:
    """Save the labels typed: (None, 302) when saved, else the conflict to show (stored
    labels by field) and the status."""
    try:
        changed = lists_service.update_labels(
            get_session(),
            require_actor(),
            list_,
            code,
            _labels(form, locales),
            locales,
            _version(form.version.data),
        )
    except lists_service.EntryConflict as exc:
        form.version.data = "" if exc.version is None else str(exc.version)
        labels = exc.current["labels"]
        return {lists_service.field_for(loc): labels.get(loc, "") for loc in locales}, 409
    except lists_service.ListError as exc:
        field_error(form, exc)
        return None, 400
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return None, 302


@require(Permission.SETTINGS_MANAGE)
def list_entry(name: str, code: str) -> ResponseReturnValue:
    db = get_session()
    list_ = _list_or_404(name)
    found = queries.term(db, name, code)
    if found is None:
        abort(404)
    locales = app_locales()
    form = list_entry_form(
        locales,
        new=False,
        data={lists_service.field_for(loc): found.labels.get(loc, "") for loc in locales},
    )
    _describe_builtin(form, list_, found, locales)
    conflict = None
    status = 200
    if not form.is_submitted():
        form.version.data = "" if found.version is None else str(found.version)
        record(
            db,
            "list.entry_viewed",
            object_type="list_entry",
            object_id=f"{name}:{code}",
            details={"list": name, "code": code},
        )
    elif form.validate():
        conflict, status = _save_labels(form, list_, code, locales)
        if status == 302:
            return redirect(url_for("auth.admin.list_entries", name=name) + f"#entry-{code}")
    else:
        status = 400
    page = render_template(
        "auth/admin/list_entry.html",
        list_=list_,
        form=form,
        term=queries.term(db, name, code) or found,
        conflict=conflict,
        new=False,
    )
    return page, status


def _set_state(name: str, code: str, retired: bool) -> ResponseReturnValue:
    db = get_session()
    list_ = _list_or_404(name)
    if queries.term(db, name, code) is None:
        abort(404)
    form = ListEntryStateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = lists_service.set_retired(
            db, require_actor(), list_, code, retired, _version(form.version.data)
        )
    except lists_service.EntryConflict:
        flash(_("Someone else changed this entry meanwhile: check it and try again."), "error")
        return _entries_page(name, 409)
    except lists_service.ListError as exc:
        flash(_(str(exc.message)), "error")
        return _entries_page(name, 400)
    if changed:
        flash(
            _("Entry retired: old records keep it, new ones cannot choose it.")
            if retired
            else _("Entry offered again."),
            "success",
        )
    return redirect(url_for("auth.admin.list_entries", name=name) + f"#entry-{code}")


@require(Permission.SETTINGS_MANAGE)
def retire_list_entry(name: str, code: str) -> ResponseReturnValue:
    return _set_state(name, code, True)


@require(Permission.SETTINGS_MANAGE)
def offer_list_entry(name: str, code: str) -> ResponseReturnValue:
    return _set_state(name, code, False)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the lists a deployment can set."""
    return [NavItem("auth.admin.lists", _l("Lists"), Permission.SETTINGS_MANAGE, 46)]
