"""Subject rights pages: export (JSON and printable), erasure request, confirmation and
cancellation; the case-page panel (corrections, export, erasure) and the confirmation task."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.services import CaseworkError
from casework.subject_rights import policy, services, vocabulary
from casework.subject_rights.corrections import corrections_of
from casework.subject_rights.forms import ErasureRequestForm
from core.db import get_session
from core.forms import ConfirmForm, field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    corrections = corrections_of(db, case.person, case.organisation_id)
    pending = services.pending_erasure(db, case.person)
    people: set[uuid.UUID | None] = {c.corrected_by_id for c in corrections}
    if pending is not None:
        people.add(pending.requested_by_id)
    return {
        "corrections": corrections,
        "may_export": policy.may_act_for_person(actor, case, Permission.PERSON_EXPORT),
        "may_erase": policy.may_act_for_person(actor, case, Permission.PERSON_ERASE),
        "pending": pending,
        "may_confirm": pending is not None and services.can_confirm(actor, pending),
        "names": user_names(db, people),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: corrections, export and erasure."""
    return CasePanel(
        "subject_rights",
        "casework/subject_rights/_panel.html",
        75,
        panel_context(case, actor),
        anchor="subject-rights",
        title=_("The person's data"),
    )


def _export(case_id: uuid.UUID, fmt: str) -> tuple[Case, dict[str, Any]]:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    policy.authorize(actor, case, Permission.PERSON_EXPORT)
    if case.person.erased_at is not None:
        abort(410)
    return case, services.export_person(db, actor, case, fmt)


@require(Permission.PERSON_EXPORT)
def export_json(case_id: uuid.UUID) -> ResponseReturnValue:
    case, data = _export(case_id, "json")
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="subject-access-{case.case_number}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@require(Permission.PERSON_EXPORT)
def export_page(case_id: uuid.UUID) -> ResponseReturnValue:
    case, data = _export(case_id, "html")
    return render_template("casework/subject_rights/export.html", case=case, data=data)


@require(Permission.PERSON_ERASE)
def request_erasure(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    policy.authorize(actor, case, Permission.PERSON_ERASE)
    if case.person.erased_at is not None:
        abort(410)
    record_page_view(case, "erasure_request")
    pending = services.pending_erasure(db, case.person)
    form = ErasureRequestForm()
    if pending is None and form.validate_on_submit():
        try:
            services.request_erasure(db, actor, case, form.reason.data)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Erasure requested. Another supervisor must confirm it."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="subject-rights"))
    return render_template(
        "casework/subject_rights/request_erasure.html", case=case, form=form, pending=pending
    )


def _erasure_request(case: Case, request_id: uuid.UUID) -> Any:
    found = services.get_erasure(get_session(), case, request_id)
    if found is None:
        abort(404)
    return found


@require(Permission.PERSON_ERASE)
def confirm_erasure(case_id: uuid.UUID, request_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    request = _erasure_request(case, request_id)
    services.authorize_confirmation(actor, case, request)
    record_page_view(case, "erasure_confirmation")
    form = ConfirmForm()
    if request.status == vocabulary.ErasureStatus.PENDING and form.validate_on_submit():
        try:
            services.confirm_erasure(db, actor, case, request)
        except CaseworkError as exc:
            flash(_(str(exc.message)), "error")
        else:
            flash(_("Erased. Nothing of this person can be read any more."), "success")
            return redirect(url_for("casework.case", case_id=case.id))
    names = user_names(db, {request.requested_by_id})
    return render_template(
        "casework/subject_rights/confirm_erasure.html",
        case=case,
        request=request,
        form=form,
        names=names,
    )


@require(Permission.PERSON_ERASE)
def cancel_erasure(case_id: uuid.UUID, request_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    request = _erasure_request(case, request_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.cancel_erasure(db, require_actor(), case, request)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
    else:
        flash(_("Erasure request cancelled."), "success")
    return redirect(url_for("casework.case", case_id=case.id, _anchor="subject-rights"))
