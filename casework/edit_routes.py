"""Editing a case section by section (person, case details, documents) with optimistic locking."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from casework import editing, formdata, services
from casework.forms import CaseEditForm, DocumentForm, PersonEditForm
from casework.loading import load_case, record_page_view
from casework.models import Case
from core.db import get_session
from core.exceptions import EditConflict
from core.forms import field_error
from core.permissions import Permission
from core.security import require, require_actor


def _conflict(template: str, form: Any, record: Case, exc: EditConflict) -> ResponseReturnValue:
    """409: both versions side by side; the form keeps the user's input, now at the new version."""
    form.version.data = str(exc.version)
    return render_template(template, form=form, case=record, conflict=exc.current), 409


def _loaded_version(form: Any) -> int:
    try:
        return int(form.version.data or "")
    except ValueError:
        return -1


def _edit_section(
    record: Case,
    form: Any,
    template: str,
    fill: Callable[[], int],
    save: Callable[[int], list[str]],
) -> ResponseReturnValue:
    """One section's edit page: ``fill`` loads the form (returning the record's version),
    ``save`` stores it against the version the form was loaded at (returning changed fields)."""
    if not form.is_submitted():
        form.version.data = str(fill())
    elif form.validate():
        try:
            changed = save(_loaded_version(form))
        except EditConflict as exc:
            return _conflict(template, form, record, exc)
        except services.CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("casework.case", case_id=record.id))
    return render_template(template, form=form, case=record, conflict=None)


@require(Permission.CASE_EDIT)
def edit_person(case_id: uuid.UUID) -> ResponseReturnValue:
    record = load_case(case_id, edit=True)
    record_page_view(record, "person")
    form = PersonEditForm()
    formdata.hold_stored_values(form, record.person)

    def fill() -> int:
        formdata.fill_person_form(form, record.person)
        return record.person.version

    def save(version: int) -> list[str]:
        details = formdata.person_details(form)
        reason = form.correction_reason.data
        return editing.update_person(
            get_session(), require_actor(), record, details, version, reason=reason
        )

    return _edit_section(record, form, "casework/edit_person.html", fill, save)


@require(Permission.CASE_EDIT)
def edit_case(case_id: uuid.UUID) -> ResponseReturnValue:
    record = load_case(case_id, edit=True)
    record_page_view(record, "details")
    # The vulnerabilities and the referral source the case holds stay offered even when
    # retired (core.lists.fields).
    form = CaseEditForm(
        data={
            "vulnerabilities": record.vulnerability_codes,
            "referral_source": record.referral_source or "",
        }
    )
    form.place_code.held = record.place_code

    def fill() -> int:
        formdata.fill_case_form(form, record)
        return record.version

    def save(version: int) -> list[str]:
        details = formdata.case_details(form)
        return editing.update_case_details(get_session(), require_actor(), record, details, version)

    return _edit_section(record, form, "casework/edit_case.html", fill, save)


@require(Permission.CASE_EDIT)
def add_document(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    record = load_case(case_id, edit=True)
    record_page_view(record, "documents")
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            for details in formdata.document_details(form):
                editing.add_document(db, require_actor(), record, details)
        except services.CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Document added."), "success")
            return redirect(url_for("casework.case", case_id=record.id))
    return render_template("casework/add_document.html", form=form, case=record)
