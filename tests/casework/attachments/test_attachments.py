"""Case attachments through the pages: sealed at rest, typed by content, limited, audited."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select, text, update

from audit.models import AuditEvent
from casework.attachments.models import CaseAttachment
from casework.models import Case
from core.crypto import erase_subject
from core.permissions import Role
from tests.casework.helpers import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    case_url,
    docx_bytes,
    odt_bytes,
    register,
    upload,
)
from tests.factories import csrf_token, make_account, make_organisation, override_settings, sign_in


def _events(db_session, action: str) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def _only_attachment(db_session) -> CaseAttachment:
    return db_session.scalars(select(CaseAttachment)).one()


def test_upload_then_download_round_trip(app, db_session, client, farida, caseworker):
    response = upload(client, farida, PDF_BYTES, "medical certificate.pdf", "From the clinic")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{farida}#attachments"
    page = client.get(farida).get_data(as_text=True)
    for shown in ["medical certificate.pdf", "From the clinic", "PDF", "bytes"]:
        assert shown in page, shown
    assert caseworker.user.display_name in page

    attachment = _only_attachment(db_session)
    assert attachment.content_type == "application/pdf"
    assert attachment.size_bytes == len(PDF_BYTES)
    download = client.get(f"{farida}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''medical%20certificate.pdf" in disposition

    case_id = db_session.scalar(select(Case.id))
    uploaded = _events(db_session, "attachment.uploaded")
    downloaded = _events(db_session, "attachment.downloaded")
    assert [e.object_id for e in uploaded] == [str(attachment.id)]
    assert [(e.object_id, e.outcome) for e in downloaded] == [(str(attachment.id), "ok")]
    assert downloaded[0].case_id == case_id
    assert downloaded[0].actor_user_id == caseworker.user.id
    for event in uploaded + downloaded:
        assert "certificate" not in (event.details or "")
        assert "clinic" not in (event.details or "")


@pytest.mark.parametrize(
    ("data", "name", "label", "content_type"),
    [
        (PNG_BYTES, "photo.png", "PNG", "image/png"),
        (JPEG_BYTES, "photo.jpeg", "JPEG", "image/jpeg"),
        ("Ёлка — شجرة\n".encode(), "note.txt", "Text", "text/plain; charset=utf-8"),
        (odt_bytes(), "letter.odt", "ODT", "application/vnd.oasis.opendocument.text"),
        (
            docx_bytes(),
            "letter.docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_types_are_recognised_by_content(
    app, db_session, client, farida, data, name, label, content_type
):
    # The browser's claim (application/pdf) is ignored either way.
    assert upload(client, farida, data, name).status_code == 302
    attachment = _only_attachment(db_session)
    assert attachment.content_type == content_type
    download = client.get(f"{farida}/attachments/{attachment.id}")
    assert download.data == data and download.headers["Content-Type"] == content_type


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "report.pdf"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "scan.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64), "invoice.pdf"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "notes.txt"),
        (b"GIF89a\x01\x00\x01\x00", "image.jpg"),
        (docx_bytes([("word/vbaProject.bin", b"macro")]), "letter.docx"),
        (b"PK\x03\x04" + bytes(60), "letter.docx"),
        (b"", "empty.pdf"),
    ],
)
def test_other_files_are_refused_whatever_their_name(app, db_session, client, farida, data, name):
    response = upload(client, farida, data, name)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="attachment_file-error"' in body
    assert db_session.scalars(select(CaseAttachment)).first() is None
    refused = _events(db_session, "attachment.refused")
    assert len(refused) == 1 and refused[0].outcome == "failed"


def test_an_executable_named_pdf_gets_a_clear_message(app, db_session, client, farida):
    response = upload(client, farida, b"MZ\x90\x00" + bytes(100), "x.pdf")
    assert "cannot be attached, whatever its name says" in response.get_data(as_text=True)


def test_a_file_over_the_attachment_limit_gets_a_message(app, db_session, client, farida):
    with override_settings(app, ATTACHMENT_MAX_MB=1):
        response = upload(client, farida, b"a" * (1024 * 1024 + 1), "long.txt", "kept")
        assert response.status_code == 413
        body = response.get_data(as_text=True)
        assert 'id="attachment_file-error"' in body and "larger than 1 MB" in body
        assert 'value="kept"' in body  # the description typed is not lost
        assert db_session.scalars(select(CaseAttachment)).first() is None
        assert (
            json.loads(_events(db_session, "attachment.refused")[0].details)["reason"]
            == "too_large"
        )
        assert upload(client, farida, b"a" * (1024 * 1024), "exact.txt").status_code == 302


def test_a_request_over_the_upload_limit_gets_the_413_page(
    app, db_session, client, farida, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = upload(client, farida, PDF_BYTES + b"0" * (128 * 1024), "big.pdf")
    assert response.status_code == 413
    assert "larger than allowed" in response.get_data(as_text=True)


def test_the_database_holds_no_plaintext(app, db_session, client, farida):
    marker = "PLAINTEXT-MARKER-7Q2"
    content = f"Statement: {marker}\n".encode()
    assert upload(client, farida, content, f"{marker}.txt", f"about {marker}").status_code == 302
    rows = db_session.execute(
        text("SELECT sealed_content, file_name, description FROM case_attachment")
    ).all()
    assert len(rows) == 1
    for column in rows[0]:
        raw = bytes(column)
        assert marker.encode() not in raw and len(raw) > 0
    audit_rows = db_session.execute(text("SELECT details FROM audit_event")).all()
    assert all(marker not in str(row[0]) for row in audit_rows)


def test_an_attachment_of_another_case_is_not_found(app, db_session, client, farida):
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    attachment = _only_attachment(db_session)
    other = case_url(register(client, {"name_original": "Timur", "case_type": "returnee"}, True))
    assert client.get(f"{other}/attachments/{attachment.id}").status_code == 404


def test_supervisor_of_the_organisation_may_download(app, db_session, client, farida, supervisor):
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    attachment = _only_attachment(db_session)
    other = app.test_client()
    sign_in(other, supervisor, db_session)
    assert other.get(f"{farida}/attachments/{attachment.id}").data == PDF_BYTES


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_others_are_refused_and_audited(app, db_session, client, farida, agency, role):
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    attachment = _only_attachment(db_session)
    case_id = db_session.scalar(select(Case.id))
    organisation = agency if role is Role.CASEWORKER else None
    if role is Role.PROVIDER_STAFF:
        organisation = make_organisation(app, db_session, agency=False, provider=True)
    outsider = make_account(app, db_session, role, organisation=organisation)
    other = app.test_client()
    sign_in(other, outsider, db_session)
    before = len(_events(db_session, "access.denied"))
    token = csrf_token(other, "/account")
    responses = [
        other.get(f"{farida}/attachments/{attachment.id}"),
        other.get(f"{farida}/attachments/new"),
        other.post(
            f"{farida}/attachments/new",
            data={"csrf_token": token, "attachment_file": (io.BytesIO(b"x"), "x")},
            content_type="multipart/form-data",
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    denied = _events(db_session, "access.denied")[before:]
    assert len(denied) == 3
    assert all(e.actor_user_id == outsider.user.id for e in denied)
    if role is Role.CASEWORKER:  # refused by the case's scope, so the case is named
        assert all(e.case_id == case_id for e in denied)
    assert len(_events(db_session, "attachment.downloaded")) == 0
    assert len(db_session.scalars(select(CaseAttachment)).all()) == 1


def test_after_erasure_a_download_says_the_file_is_gone(app, db_session, client, farida):
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    attachment = _only_attachment(db_session)
    erase_subject(db_session, attachment.person_id)
    db_session.commit()
    response = client.get(f"{farida}/attachments/{attachment.id}")
    assert response.status_code == 410
    body = response.get_data(as_text=True)
    assert "data was erased" in body and "Content-Disposition" not in response.headers
    failed = _events(db_session, "attachment.downloaded")
    assert [(e.object_id, e.outcome) for e in failed] == [(str(attachment.id), "failed")]


def test_a_file_copied_into_another_row_does_not_open(app, db_session, client, farida):
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    assert upload(client, farida, PNG_BYTES, "b.png").status_code == 302
    first, second = db_session.scalars(select(CaseAttachment)).all()
    db_session.execute(
        update(CaseAttachment)
        .where(CaseAttachment.id == first.id)
        .values(sealed_content=bytes(second.sealed_content))
    )
    db_session.commit()
    response = client.get(f"{farida}/attachments/{first.id}")
    assert response.status_code == 410
    assert "failed the integrity check" in response.get_data(as_text=True)
    assert client.get(f"{farida}/attachments/{second.id}").data == PNG_BYTES


def test_the_upload_page_and_the_print_view(app, db_session, client, farida):
    page = client.get(f"{farida}/attachments/new")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(True)
    assert upload(client, farida, PDF_BYTES, "a.pdf").status_code == 302
    printed = client.get(f"{farida}?print=1").get_data(as_text=True)
    assert "a.pdf" in printed and "Attach file" not in printed


def test_uploads_never_touch_temporary_files(app, db_session, client, farida, monkeypatch):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr("werkzeug.formparser.SpooledTemporaryFile", no_disk)
    large = b"Statement line.\n" * (64 * 1024)  # 1 MB: werkzeug spools anything over 500 KB
    assert upload(client, farida, large, "statement.txt").status_code == 302
