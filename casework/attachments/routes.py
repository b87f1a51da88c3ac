"""Attachment pages: upload to a case, download with an audit event, the case-page panel.

File names and descriptions never appear in addresses or logs: only ids do.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _

from auth.queries import user_names
from casework import policy
from casework.attachments import filetypes, services
from casework.attachments.forms import AttachmentForm
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from core.config import current_settings
from core.crypto import IntegrityError, SubjectErasedError
from core.db import get_session, keep_changes_on_error
from core.permissions import Permission
from core.security import Actor, require, require_actor

log = logging.getLogger(__name__)


def _max_bytes() -> int:
    return current_settings().casework.attachment_max_bytes


def _new_form() -> AttachmentForm:
    form = AttachmentForm()
    form.attachment_file.description = _(
        "PDF, PNG or JPEG image, Word (DOCX), OpenDocument text (ODT) or plain text; "
        "at most %(limit)s MB.",
        limit=_max_bytes() // (1024 * 1024),
    )
    return form


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    rows = services.case_attachments(db, case)
    can_upload = actor.can(Permission.CASE_EDIT) and policy.can_view_case(actor, case)
    return {
        "attachments": rows,
        "attachment_form": _new_form() if can_upload else None,
        "uploader_names": user_names(db, {r.uploaded_by_id for r in rows}),
        "accept": filetypes.ACCEPT,
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the attachments."""
    return CasePanel(
        "attachments",
        "casework/attachments/_panel.html",
        40,
        panel_context(case, actor),
        anchor="attachments",
        title=_("Attachments"),
    )


def format_size(size: int) -> str:
    """A file size for people: bytes, KB or MB, in the user's locale."""
    if size < 1024:
        return _("%(n)s bytes", n=format_decimal(size))
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(round(size / 1024, 1)))
    return _("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1)))


def _load_case(case_id: uuid.UUID, *, edit: bool = False, erased: bool = False) -> Case:

    return load_case(case_id, edit=edit, erased=erased)


@require(Permission.CASE_EDIT)
def upload(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = _load_case(case_id, edit=True)
    record_page_view(case, "attachment_upload")
    form = _new_form()
    if form.validate_on_submit():
        storage = form.attachment_file.data
        # One byte past the limit is enough to know the file is too large.
        data = storage.stream.read(_max_bytes() + 1)
        try:
            services.attach_file(
                db,
                require_actor(),
                case,
                data,
                storage.filename,
                form.attachment_description.data,
                _max_bytes(),
            )
        except services.AttachmentRefused as exc:
            keep_changes_on_error()
            form.attachment_file.errors = [str(exc.message)]
            return _upload_page(case, form, 413 if exc.reason == "too_large" else 422)
        flash(_("File attached."), "success")
        return redirect(url_for("casework.case", case_id=case.id, _anchor="attachments"))
    return _upload_page(case, form, 422 if form.is_submitted() else 200)


def _upload_page(case: Case, form: AttachmentForm, status: int) -> ResponseReturnValue:
    page = render_template(
        "casework/attachments/upload.html", case=case, form=form, accept=filetypes.ACCEPT
    )
    return page, status


@require(Permission.CASE_VIEW)
def download(case_id: uuid.UUID, attachment_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = _load_case(case_id, erased=True)  # an erased person's file: the "gone" page below
    attachment = services.find_attachment(db, case, attachment_id)
    if attachment is None:
        abort(404)
    try:
        opened = services.open_attachment(db, require_actor(), case, attachment)
    except SubjectErasedError:
        keep_changes_on_error()
        return render_template("casework/attachments/gone.html"), 410
    except IntegrityError:
        keep_changes_on_error()
        log.error("attachment %s failed its integrity check", attachment.id)
        return render_template("casework/attachments/gone.html", damaged=True), 410
    response = Response(opened.data, mimetype=None, content_type=opened.content_type)
    response.headers["Content-Disposition"] = filetypes.content_disposition(opened.download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
