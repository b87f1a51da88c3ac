"""Attach files to a case and open them again; every upload, refusal and download is audited.

Services flush only; the request commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework.attachments import filetypes
from casework.attachments.models import BLOB_PURPOSE, CaseAttachment
from casework.models import Case
from core.crypto import CryptoError, decrypt_blob, encrypt_blob
from core.exceptions import ServiceError
from core.security import Actor


class AttachmentRefused(ServiceError):
    """The file cannot be attached; ``message`` says why and how to fix it, ``reason`` is the
    audited code (``too_large``, ``empty``, ...)."""

    def __init__(self, message: object, reason: str) -> None:
        super().__init__(message, "attachment_file")
        self.reason = reason


@dataclass(frozen=True)
class AttachmentRow:
    """What the list of a case's attachments shows; names are None once unreadable."""

    id: uuid.UUID
    file_name: str | None
    description: str | None
    type_label: str
    size_bytes: int
    uploaded_by_id: uuid.UUID
    created_at: datetime


@dataclass(frozen=True)
class OpenedAttachment:
    data: bytes
    download_name: str
    content_type: str


def _refuse(db: Session, case: Case, reason: str, size: int, message: object) -> AttachmentRefused:
    record(
        db,
        "attachment.refused",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        outcome="failed",
        details={"reason": reason, "size_bytes": size},
    )
    return AttachmentRefused(message, reason)


def attach_file(
    db: Session,
    actor: Actor,
    case: Case,
    data: bytes,
    file_name: str | None,
    description: str | None,
    max_bytes: int,
) -> CaseAttachment:
    """Seal a file under the person's key and attach it to the case.

    Raises AttachmentRefused (audited) when the file is empty, too large or of a type that
    is not allowed, judged by its content only.
    """
    file_type = _allowed_type(db, case, data, max_bytes)
    attachment = CaseAttachment(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        uploaded_by_id=actor.user_id,
        content_type=file_type.content_type,
        size_bytes=len(data),
    )
    attachment.file_name = filetypes.clean_file_name(file_name)
    attachment.description = (description or "").strip() or None
    attachment.sealed_content = encrypt_blob(db, case.person_id, BLOB_PURPOSE, attachment.id, data)
    db.add(attachment)
    db.flush()
    record(
        db,
        "attachment.uploaded",
        actor=actor,
        object_type="attachment",
        object_id=attachment.id,
        case_id=case.id,
        details={"content_type": file_type.content_type.split(";")[0], "size_bytes": len(data)},
    )
    return attachment


def _allowed_type(db: Session, case: Case, data: bytes, max_bytes: int) -> filetypes.FileType:
    """The type judged by the content; AttachmentRefused (audited) when it may not be attached."""
    if not data:
        raise _refuse(db, case, "empty", 0, _l("The file is empty. Choose another file."))
    if len(data) > max_bytes:
        raise _refuse(
            db,
            case,
            "too_large",
            len(data),
            _l(
                "The file is larger than %(limit)s MB. Attach a smaller file or a scan at a "
                "lower resolution.",
                limit=max_bytes // (1024 * 1024),
            ),
        )
    file_type = filetypes.detect(data)
    if file_type is None:
        raise _refuse(
            db,
            case,
            "type_not_allowed",
            len(data),
            _l(
                "This kind of file cannot be attached, whatever its name says. Attach a PDF, "
                "a PNG or JPEG image, a Word (DOCX) or OpenDocument (ODT) text without macros, "
                "or plain text."
            ),
        )
    return file_type


def case_attachments(db: Session, case: Case) -> list[AttachmentRow]:
    """The attachments of a case, newest first, decrypting only names and descriptions."""
    rows = []
    for a in db.scalars(
        select(CaseAttachment)
        .where(CaseAttachment.case_id == case.id)
        .order_by(CaseAttachment.created_at.desc(), CaseAttachment.id)
    ):
        name: str | None
        description: str | None
        try:
            name, description = a.file_name, a.description
        except CryptoError:
            name = description = None
        file_type = filetypes.BY_CONTENT_TYPE.get(a.content_type)
        rows.append(
            AttachmentRow(
                id=a.id,
                file_name=name,
                description=description,
                type_label=file_type.label if file_type else a.content_type,
                size_bytes=a.size_bytes,
                uploaded_by_id=a.uploaded_by_id,
                created_at=a.created_at,
            )
        )
    return rows


def find_attachment(db: Session, case: Case, attachment_id: uuid.UUID) -> CaseAttachment | None:
    """The attachment if it belongs to this case (ids of other cases' files find nothing)."""
    attachment = db.get(CaseAttachment, attachment_id)
    return attachment if attachment is not None and attachment.case_id == case.id else None


def open_attachment(
    db: Session, actor: Actor, case: Case, attachment: CaseAttachment
) -> OpenedAttachment:
    """Decrypt a file for download and audit it (ids only).

    Raises SubjectErasedError once the person was erased (also audited, as failed) and
    IntegrityError when the stored bytes were altered.
    """
    try:
        data = decrypt_blob(db, BLOB_PURPOSE, attachment.id, attachment.sealed_content)
        name = attachment.file_name
    except CryptoError as exc:
        record(
            db,
            "attachment.downloaded",
            actor=actor,
            object_type="attachment",
            object_id=attachment.id,
            case_id=case.id,
            outcome="failed",
            details={"error": type(exc).__name__},
        )
        raise
    record(
        db,
        "attachment.downloaded",
        actor=actor,
        object_type="attachment",
        object_id=attachment.id,
        case_id=case.id,
        details={"size_bytes": len(data)},
    )
    file_type = filetypes.BY_CONTENT_TYPE.get(attachment.content_type, filetypes.TEXT)
    return OpenedAttachment(data, filetypes.download_name(name, file_type), attachment.content_type)


def attach_for_another(
    case: Case,
    session: Session,
    actor: Actor,
    data: bytes,
    file_name: str | None,
    description: str | None,
    max_bytes: int,
    **_extra: object,
) -> uuid.UUID:
    """Receiver of ``casework.signals.case_file_attaching`` (issue 17: assistance receipts):
    :func:`attach_file`, answering the new attachment's id."""
    return attach_file(session, actor, case, data, file_name, description, max_bytes).id
