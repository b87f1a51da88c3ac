"""Second reading of the macro-document check: packages built to slip past it.

- a package with two entries of one name (or names that differ only in case, which OPC treats
  as one part): readers disagree on which one counts (Python's zipfile takes the last, others
  the first), so the checker may read a clean copy while Office opens the hostile one;
- a macro-enabled document embedded as a package inside a clean DOCX or ODT (a .docm in
  word/embeddings, opened by a double click), whose VBA project is compressed inside the
  inner ZIP where the OLE signature scan of the outer package cannot see it;
- an event listener or macro link in an embedded ODF object's own content.xml/styles.xml.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from casework.attachments import filetypes
from tests.casework.attachments.test_attachment_macros import (
    HOSTILE_DOCX,
    HOSTILE_ODT,
    ODT_MIME,
    _docx,
    _manifest,
    _odt,
    _types,
)
from tests.casework.helpers import zip_bytes

EVENT_CONTENT = (
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
    b'office:1.0" xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0">'
    b"<office:scripts><office:event-listeners><script:event-listener "
    b'script:language="ooo:script" script:event-name="dom:load" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="vnd.sun.star.script:'
    b'Tools.Misc.Run?language=Basic&amp;location=application"/>'
    b"</office:event-listeners></office:scripts></office:document-content>"
)
ACTIVEX_OVERRIDE = (
    '<Override PartName="/word/media/a.xml" ContentType="application/vnd.ms-office.activeX+xml"/>'
)


def _with_duplicate(first: tuple[str, bytes], rest: list[tuple[str, bytes]]) -> bytes:
    """A ZIP whose first entry has the same name as a later one (zipfile warns, but writes)."""
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [first, *rest]:
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


CLEAN_DOCX_ENTRIES = [
    ("[Content_Types].xml", _types()),
    ("word/document.xml", b"<w:document/>"),
]

HOSTILE = {
    # Office reading the first [Content_Types].xml sees ActiveX; zipfile reads the clean last one.
    "docx_duplicate_content_types": _with_duplicate(
        ("[Content_Types].xml", _types(ACTIVEX_OVERRIDE)), CLEAN_DOCX_ENTRIES
    ),
    # Same with a relationship part.
    "docx_duplicate_rels": _with_duplicate(
        (
            "word/_rels/document.xml.rels",
            b'<Relationships><Relationship Id="r" Target="x.xml" Type="http://schemas.'
            b'microsoft.com/office/2006/relationships/vbaProject"/></Relationships>',
        ),
        [*CLEAN_DOCX_ENTRIES, ("word/_rels/document.xml.rels", b"<Relationships/>")],
    ),
    # Part names are case-insensitive in OPC: two spellings are one part, twice.
    "docx_case_variant_content_types": zip_bytes(
        [
            ("[Content_Types].xml", _types()),
            ("word/document.xml", b"<w:document/>"),
            ("[CONTENT_TYPES].XML", _types(ACTIVEX_OVERRIDE)),
        ],
        store_first=False,
    ),
    # ODT: a hostile content.xml first, a clean one last.
    "odt_duplicate_content": _with_duplicate(
        ("mimetype", ODT_MIME),
        [
            ("content.xml", EVENT_CONTENT),
            ("content.xml", b"<office:document-content/>"),
        ],
    ),
    # An altChunk: an RTF document (with an OLE object) that Word imports on opening.
    "docx_alt_chunk_rtf": _docx(
        _types('<Default Extension="rtf" ContentType="application/rtf"/>'),
        (
            "word/_rels/document.xml.rels",
            b'<Relationships><Relationship Id="rId9" Target="chunk.rtf" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/aFChunk"/></Relationships>',
        ),
        ("word/chunk.rtf", rb"{\rtf1{\object\objemb{\*\objdata 0105}}}"),
    ),
    # A .docm embedded in a clean DOCX: its VBA project is compressed inside the inner ZIP.
    "docx_embedding_a_docm": _docx(
        _types(
            '<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
            'officedocument.oleObject"/>'
        ),
        ("word/embeddings/oleObject1.bin", HOSTILE_DOCX["vba_part_declared"]),
    ),
    # The embedded package under an innocent name and type, one level deeper still.
    "docx_embedding_a_zip_embedding_a_docm": _docx(
        _types(),
        (
            "word/media/image1.png",
            _docx(_types(), ("word/embeddings/x.docx", HOSTILE_DOCX["vba_part_declared"])),
        ),
    ),
    # An ODT carrying a macro ODT (Basic library) as an embedded file.
    "odt_embedding_a_macro_odt": _odt(None, ("Pictures/1.png", HOSTILE_ODT["basic_library"])),
    # An embedded object's own content.xml with an event listener run on load.
    "odt_object_event_listener": _odt(
        _manifest(("Object 1/content.xml", "text/xml")),
        ("Object 1/content.xml", EVENT_CONTENT),
    ),
    "odt_object_styles_macro_link": _odt(
        None,
        (
            "Object 1/styles.xml",
            b'<office:document-styles xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'xmlns:office="o"><x xlink:href="macro:///Standard.Module1.Main"/>'
            b"</office:document-styles>",
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_package_is_refused(name):
    assert filetypes.detect(HOSTILE[name]) is None


def test_the_odt_duplicate_is_otherwise_a_valid_odt():
    """The duplicate-entry case must be refused for its duplicate, not for a broken mimetype."""
    data = HOSTILE["odt_duplicate_content"]
    assert data[30:38] == b"mimetype" and data[38 : 38 + len(ODT_MIME)] == ODT_MIME


def test_a_docx_with_an_embedded_clean_workbook_is_still_accepted():
    """Charts embed their workbook as a nested package: a clean one stays acceptable."""
    inner = zip_bytes(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ],
        store_first=False,
    )
    data = _docx(_types(), ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", inner))
    assert filetypes.detect(data) is filetypes.DOCX


def test_an_odt_with_a_clean_embedded_object_is_still_accepted():
    data = _odt(
        _manifest(("Object 1/content.xml", "text/xml")),
        ("Object 1/content.xml", b"<office:document-content/>"),
        ("Object 1/styles.xml", b"<office:document-styles/>"),
    )
    assert filetypes.detect(data) is filetypes.ODT


def test_a_nested_zip_bomb_is_refused_without_inflating_it():
    """A nested package that inflates past the budget is refused, not read into memory."""
    huge = b"PK\x03\x04" + b"\0" * (80 * 1024 * 1024)  # looks like a package, inflates to 80 MB
    inner = zip_bytes([("b.xlsx", huge)], store_first=False)
    data = _docx(_types(), ("word/embeddings/x.xlsx", inner))
    assert len(data) < 1024 * 1024
    assert filetypes.detect(data) is None


@pytest.mark.parametrize(
    "data",
    [
        rb"{\rtf1\ansi{\object\objemb{\*\objclass Equation.3}{\*\objdata 01050000}}}",
        rb"  {\RTF1 hello}",
        b"\xef\xbb\xbf{\\rtf1 hello}",
        rb"{\rtxa1 Word reads this as RTF too}",
    ],
)
def test_rtf_is_not_plain_text(data):
    """RTF (which embeds OLE objects Word runs) passed as UTF-8 "text"."""
    assert filetypes.detect(data) is None


def test_text_that_mentions_rtf_is_still_text():
    assert filetypes.detect(b"Notes: the file {\\rtf} was sent by e-mail.") is filetypes.TEXT


def test_many_embedded_objects_cannot_make_the_check_stream_gigabytes():
    """Each embedded object's content.xml is read now: their total is bounded, not each one."""
    big = b"<office:document-content>" + b" " * (30 * 1024 * 1024) + b"</office:document-content>"
    data = _odt(None, *[(f"Object {n}/content.xml", big) for n in range(1, 4)])
    assert len(data) < 1024 * 1024
    assert filetypes.detect(data) is None
