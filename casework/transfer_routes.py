"""Transfer pages: request from the case page; accept or decline from the caseload."""

from __future__ import annotations

import uuid

from flask import abort, flash, make_response, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from casework import policy, transfers
from casework.forms import DeclineTransferForm, TransferForm
from casework.models import Case, CaseTransfer
from casework.services import CaseworkError
from core.db import get_session
from core.errors import render_error
from core.forms import ConfirmForm, parse_uuid
from core.permissions import Permission
from core.security import deny, require, require_actor


@require(Permission.CASE_ASSIGN)
def request_transfer(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = db.get(Case, case_id)
    if case is None:
        abort(404)
    policy.authorize_assign(actor, case)
    form = TransferForm()
    form.organisation.choices = [
        (str(o.id), o.name) for o in transfers.receiving_organisations(db, case)
    ]
    if form.validate_on_submit():
        organisation_id = parse_uuid(form.organisation.data)
        try:
            if organisation_id is None:
                raise CaseworkError("Choose another active case-management organisation.")
            transfers.request_transfer(db, actor, case, organisation_id)
        except CaseworkError:
            flash(
                _(
                    "Choose another active case-management organisation; "
                    "only one transfer can wait at a time."
                ),
                "error",
            )
        else:
            flash(_("Transfer requested. The case stays with you until they accept."), "success")
    else:
        flash(_("Choose another active case-management organisation."), "error")
    return redirect(url_for("casework.case", case_id=case.id))


def _load_transfer(transfer_id: uuid.UUID) -> CaseTransfer:
    transfer = get_session().get(CaseTransfer, transfer_id)
    if transfer is None:
        abort(404)
    actor = require_actor()
    receiving = transfer.to_organisation_id == actor.organisation_id
    if receiving and transfer.status != transfers.PENDING:
        # Answered by a colleague already: a conflict, not a denial.
        abort(make_response(render_error(409, _("This transfer has been answered already."))))
    if not transfers.may_decide(actor, transfer):
        deny(
            Permission.CASE_ASSIGN,
            "not_receiving_organisation",
            object_type="case",
            object_id=transfer.case_id,
            case_id=transfer.case_id,
        )
    return transfer


def _answered(exc: transfers.TransferConflict) -> ResponseReturnValue:
    """409 for the answer that came second: the first one stands."""
    return render_error(409, _(str(exc.message)))


@require(Permission.CASE_ASSIGN)
def accept(transfer_id: uuid.UUID) -> ResponseReturnValue:
    transfer = _load_transfer(transfer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        case = transfers.accept(get_session(), require_actor(), transfer)
    except transfers.TransferConflict as exc:
        return _answered(exc)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
        return redirect(url_for("casework.index"))
    flash(_("Transfer accepted; the case is now assigned to you."), "success")
    return redirect(url_for("casework.case", case_id=case.id))


@require(Permission.CASE_ASSIGN)
def decline(transfer_id: uuid.UUID) -> ResponseReturnValue:
    transfer = _load_transfer(transfer_id)
    form = DeclineTransferForm()
    if form.validate_on_submit():
        try:
            transfers.decline(get_session(), require_actor(), transfer, form.reason.data or "")
        except transfers.TransferConflict as exc:
            return _answered(exc)
        flash(_("Transfer declined."), "success")
    else:
        flash(_("Say why the transfer is declined (at most 500 characters)."), "error")
    return redirect(url_for("casework.index"))
