"""Second reading of L8: a PDF was accepted on its first five bytes, JavaScript and all.

A PDF can run JavaScript when opened (``/OpenAction`` with ``/JS``), launch a program
(``/Launch``), or carry any file (``/EmbeddedFiles``): the same harm as a Word macro. The names
may be written with escapes (``/J#61vaScript``) or hidden inside a compressed object stream.
"""

from __future__ import annotations

import zlib

import pytest

from casework.attachments import filetypes
from tests.casework.helpers import PDF_BYTES


def _pdf(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _object_stream(content: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    data = zlib.compress(content) if filters == b"/FlateDecode" else content
    return (
        b"5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter "
        + filters
        + b" /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream\nendobj"
    )


HOSTILE = {
    "open_action_javascript": _pdf(
        b"1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"
    ),
    "escaped_name": _pdf(
        b"1 0 obj << /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj"
    ),
    "launch": _pdf(
        b"1 0 obj << /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj"
    ),
    "embedded_file": _pdf(b"1 0 obj << /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >> endobj"),
    "javascript_in_object_stream": _pdf(
        b"1 0 obj << /Type /Catalog /OpenAction 6 0 R >> endobj\n"
        + _object_stream(b"6 0 << /S /JavaScript /JS (app.alert(1)) >>")
    ),
    "unreadable_object_stream": _pdf(
        b"1 0 obj << /Type /Catalog >> endobj\n"
        + _object_stream(b"\x00\x01 not flate", filters=b"/LZWDecode")
    ),
    # A real object (found through the cross-reference table) placed inside what looks like
    # the body of a stream, so that a scanner skipping stream bodies would not see it.
    "object_inside_a_fake_stream": _pdf(
        b"1 0 obj << /Type /Catalog /OpenAction 9 0 R >> endobj\n"
        b"8 0 obj << /Length 0 >>\nstream\n"
        b"9 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
        b"endstream\nendobj"
    ),
    "xfa_form": _pdf(b"1 0 obj << /Type /Catalog /AcroForm << /XFA 3 0 R >> >> endobj"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_active_pdf_is_refused(name):
    assert filetypes.detect(HOSTILE[name]) is None


@pytest.mark.parametrize(
    "data",
    [
        PDF_BYTES,
        # Ordinary content: text that mentions JavaScript, a compressed page stream, a link.
        _pdf(
            b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"3 0 obj << /Length 30 /Filter /FlateDecode >>\nstream\n"
            + zlib.compress(b"BT (JavaScript is a word) Tj ET")
            + b"\nendstream\nendobj\n"
            b"4 0 obj << /S /URI /URI (https://example.org/) >> endobj"
        ),
        _pdf(b"1 0 obj << /Type /Catalog >> endobj\n" + _object_stream(b"6 0 << /Type /Page >>")),
        # An image stream in another filter is not an object stream: it stays acceptable.
        _pdf(
            b"7 0 obj << /Type /XObject /Subtype /Image /Filter /DCTDecode /Length 4 >>\n"
            b"stream\n\xff\xd8\xff\xd9\nendstream\nendobj"
        ),
        # Image bytes that happen to spell a name are not a dictionary.
        _pdf(
            b"7 0 obj << /Type /XObject /Subtype /Image /Filter /DCTDecode /Length 20 >>\n"
            b"stream\n\xff\xd8\x00/JS \x01/Launch\x02/JavaScript(\xff\xd9\nendstream\nendobj"
        ),
    ],
)
def test_plain_pdfs_are_still_accepted(data):
    assert filetypes.detect(data) is filetypes.PDF
