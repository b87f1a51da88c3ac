"""Odd file names: stored clean, shown escaped, sent back in one safe Content-Disposition."""

from __future__ import annotations

import re
from urllib.parse import unquote

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework.attachments.filetypes import PNG, clean_file_name, content_disposition, download_name
from casework.attachments.models import CaseAttachment
from tests.casework.helpers import PNG_BYTES, upload

ODD_NAMES = [
    "",
    ".",
    "..",
    "../../etc/passwd",
    "C:\\fakepath\\scan.png",
    'a"; filename="evil.html',
    "line\r\nX-Injected: yes\r\n\r\n.png",
    "\u202egnp.exe",
    "فریده نظری — паспорт.png",
    "x" * 1000 + ".png",
    "<script>alert(1)</script>.png",
    "%0d%0aSet-Cookie: a=b.png",
    "\x00\x1f\x7f.png",
]
DISPOSITION = re.compile(
    r"attachment; filename=\"[A-Za-z0-9._ ()-]{1,200}\"; filename\*=UTF-8''[A-Za-z0-9%._~-]+"
)


@given(st.text())
@example("line\r\nX-Injected: yes")
@example('a"b;c\\d')
def test_content_disposition_is_one_safe_header_line(name):
    header = content_disposition(name)
    assert DISPOSITION.fullmatch(header), header
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == clean_file_name(name)


@given(st.text())
def test_clean_names_have_no_paths_controls_or_overrides(name):
    clean = clean_file_name(name)
    assert 0 < len(clean) <= 200
    assert "/" not in clean and "\\" not in clean
    assert not any(ord(c) < 32 or c in "\x7f\u202e\u200f" for c in clean)
    assert clean_file_name(clean) == clean


def test_the_detected_type_decides_the_extension():
    assert download_name("scan.exe", PNG) == "scan.exe.png"
    assert download_name("scan.PNG", PNG) == "scan.PNG"


def _as_a_browser_sends_it(name: str) -> str:
    # The HTML standard's multipart encoding: quotes and line breaks are percent-escaped.
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.one_of(st.sampled_from(ODD_NAMES), st.text(max_size=400)),
    like_a_browser=st.booleans(),
)
def test_odd_names_never_fail_and_download_safely(
    app, db_session, client, farida, name, like_a_browser
):
    url = farida
    before = set(db_session.scalars(select(CaseAttachment.id)))
    sent = _as_a_browser_sends_it(name) if like_a_browser else name
    response = upload(client, url, PNG_BYTES, sent, description=name[:300])
    assert response.status_code in (302, 400, 422), response.status_code
    if response.status_code != 302:
        return
    (new_id,) = set(db_session.scalars(select(CaseAttachment.id))) - before
    assert client.get(url).status_code == 200
    download = client.get(f"{url}/attachments/{new_id}")
    assert download.status_code == 200 and download.data == PNG_BYTES
    assert len(download.headers.getlist("Content-Disposition")) == 1
    assert DISPOSITION.fullmatch(download.headers["Content-Disposition"])
    assert download.headers["Content-Type"] == "image/png"


def test_the_ascii_fallback_keeps_the_extension_and_persian_keeps_its_joiners():
    header = content_disposition("فریده.pdf")
    assert header.startswith('attachment; filename="attachment.pdf"; ')
    assert content_disposition("Résumé.docx").startswith('attachment; filename="Resume.docx"')
    assert clean_file_name("می\u200cخواهم.txt") == "می\u200cخواهم.txt"
    assert clean_file_name("\u202egnp.exe") == "gnp.exe"
