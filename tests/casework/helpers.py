"""Registering people and attaching files through the real forms."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from casework import services
from casework.vocabulary import CaseType
from core.permissions import Role
from core.security import Actor
from tests.factories import csrf_token, post_form

FARIDA = {
    "name_original": "فریده نظری",
    "name_latin": "Farida Nazari",
    "aliases": "Farīda Nazarī, Фарида Назари",
    "date_of_birth": "1994-03-15",
    "sex": "female",
    "nationality": "AF",
    "languages": ["prs", "ru"],
    "phone": "+93 700 123 456",
    "address_country": "AF",
    "address_region": "Herat",
    "address_locality": "Ghoryan",
    "document_type": "passport",
    "document_number": "P-1234 567",
    "document_country": "AF",
    "document_expiry": "2030-01-31",
    "case_type": "presumed_victim",
    "event_date": "2026-10-01",
    "place": "Islam Qala border point",
    "referring_source": "Border police",
    "vulnerabilities": ["trafficking_victim", "single_parent"],
    "risk_level": "high",
}


def register(client, data: dict, confirm_new: bool = False):
    payload = dict(data)
    if confirm_new:
        payload["not_a_duplicate"] = "y"
    return post_form(client, "/cases/new", payload)


def case_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}", location), location
    return location


def search(client, kind: str, term: str):
    """Post a search and follow its redirect to the result page (the page a browser shows)."""
    return post_form(
        client,
        "/cases/search",
        {"kind": kind, "term": term},
        token_from="/cases/",
        follow_redirects=True,
    )


def registered_case(client, again: bool = False) -> str:
    """Register Farida through the form (``again``: past the duplicate warning); the case URL."""
    return case_url(register(client, FARIDA, confirm_new=again))


CONSENT = {
    "basis": "consent",
    "purpose": "Share medical needs with the shelter doctor",
    "given_by": "person",
    "method": "written",
    "given_on": "2026-10-02",
    "service_types": ["health"],
}

SCREENING = {
    "screened_on": "2026-10-03",
    "indicators": ["deception", "retention_of_documents", "debt_bondage"],
    "means_of_control": ["withholds_documents", "threats"],
    "exploitation_types": ["forced_labour"],
    "notes": "Recruited for a bakery job abroad",
    "outcome": "possible",
    "deciding_organisation_type": "ngo",
}


def record_consent(client, case_url_: str, data: dict):
    return post_form(client, f"{case_url_}/consent/new", data)


def record_screening(client, case_url_: str, data: dict):
    return post_form(client, f"{case_url_}/screening/new", data)


# Attachments: small files of each allowed kind, and the upload through the real form.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32) + b"\xff\xd9"


def zip_bytes(entries: list[tuple[str, bytes]], store_first: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if (i == 0 and store_first) else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    return zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ]
    )


DOCX_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)


def docx_bytes(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", DOCX_TYPES),
            ("word/document.xml", b"<w:document/>"),
            *(extra or []),
        ],
        store_first=False,
    )


def upload(client, case_url: str, data: bytes, name: str, description: str = "", **kw):
    """Post a file through the upload form of a case; returns the response."""
    token = csrf_token(client, case_url)
    return client.post(
        f"{case_url}/attachments/new",
        data={
            "csrf_token": token,
            "attachment_description": description,
            "attachment_file": (io.BytesIO(data), name, kw.get("content_type", "application/pdf")),
        },
        content_type="multipart/form-data",
    )


def today_section(html: str, heading_id: str) -> str:
    """The HTML of one group of the Today page (from its heading to the end of its section)."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def caseworker_actor(account) -> Actor:
    """The actor of a caseworker's account, for calling services directly."""
    return Actor(account.user.id, Role.CASEWORKER, account.user.organisation_id)


def register_named(db, actor: Actor, name: str, born: date | None = None):
    """A returnee's case registered through the service, under one original-script name."""
    return services.register_case(
        db,
        actor,
        services.PersonDetails(name_original=name, date_of_birth=born),
        [],
        services.CaseDetails(case_type=CaseType.RETURNEE),
    )
