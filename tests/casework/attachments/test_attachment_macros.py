"""Office documents that carry macros, scripts or ActiveX are refused, however they are named.

The hostile files are built here with zipfile, the way an attacker would: a real-looking
package with the macro part declared by content type, hidden under an innocent name, or
stored as an OLE compound file; an OpenDocument text with Basic or script libraries.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.attachments import filetypes
from casework.attachments.models import CaseAttachment
from tests.casework.helpers import docx_bytes, odt_bytes, upload, zip_bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA_BIN = OLE_MAGIC + bytes(504)  # what a vbaProject.bin starts with
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _types(*extra: str, main: str = DOCX_MAIN) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
        + "".join(extra)
        + "</Types>"
    ).encode()


def _docx(types: bytes, *extra: tuple[str, bytes]) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", types),
            ("word/document.xml", b"<w:document/>"),
            *extra,
        ],
        store_first=False,
    )


def _manifest(*entries: tuple[str, str]) -> bytes:
    lines = "".join(
        f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{media}"/>'
        for path, media in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        + lines
        + "</manifest:manifest>"
    ).encode()


def _odt(manifest: bytes | None = None, *extra: tuple[str, bytes]) -> bytes:
    return zip_bytes(
        [
            ("mimetype", ODT_MIME),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", manifest if manifest is not None else _manifest()),
            *extra,
        ]
    )


BASIC_MODULE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
    b'script:language="StarBasic">Sub Main\nShell("calc")\nEnd Sub</script:module>'
)

HOSTILE_DOCX = {
    # The classic: vbaProject.bin declared with its content type (as Word writes a .docm).
    "vba_part_declared": _docx(
        _types(
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
            main="application/vnd.ms-word.document.macroEnabled.main+xml",
        ),
        ("word/vbaProject.bin", VBA_BIN),
    ),
    # A renamed VBA part: innocent name, the content type still says what it is.
    "renamed_vba_part_by_override": _docx(
        _types(
            '<Override PartName="/word/media/image1.png" '
            'ContentType="application/vnd.ms-office.vbaProject"/>'
        ),
        ("word/media/image1.png", VBA_BIN),
    ),
    # A renamed VBA part whose content type is hidden too: the part is still an OLE file.
    "renamed_vba_part_undeclared": _docx(_types(), ("word/media/image1.png", VBA_BIN)),
    # The content type written with a character reference, which a substring search misses.
    "vba_type_with_character_reference": _docx(
        _types(
            '<Override PartName="/word/data.xml" '
            'ContentType="application/vnd.ms-office.vba&#80;roject"/>'
        ),
        ("word/data.xml", b"<x/>"),
    ),
    # Macro-enabled main document alone (no part name to spot).
    "macro_enabled_main": _docx(
        _types(main="application/vnd.ms-word.document.macroEnabled.main+xml")
    ),
    # ActiveX controls.
    "activex": _docx(
        _types(
            '<Override PartName="/word/activeX/activeX1.xml" '
            'ContentType="application/vnd.ms-office.activeX+xml"/>'
        ),
        ("word/activeX/activeX1.xml", b"<ax:ocx/>"),
    ),
    # A relationship that points the document at a VBA project under another name.
    "vba_relationship": _docx(
        _types(),
        (
            "word/_rels/document.xml.rels",
            b'<?xml version="1.0"?><Relationships '
            b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId9" Target="notes.xml" Type="http://schemas.microsoft.com/'
            b'office/2006/relationships/vbaProject"/></Relationships>',
        ),
    ),
    # Remote template injection: the macros come from a .dotm fetched when the file opens.
    "external_attached_template": _docx(
        _types(),
        (
            "word/_rels/settings.xml.rels",
            b'<?xml version="1.0"?><Relationships '
            b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/attachedTemplate" Target="https://example.org/t.dotm" '
            b'TargetMode="External"/></Relationships>',
        ),
    ),
    # A DTD (entities could spell anything) is not allowed in a package.
    "doctype_in_content_types": _docx(
        b'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY v "vbaProject">]>'
        + _types()[_types().index(b"<Types") :]
    ),
}

HOSTILE_ODT = {
    # A LibreOffice document with a Basic library, as LibreOffice writes it.
    "basic_library": _odt(
        _manifest(
            ("Basic/", "application/binary"),
            ("Basic/script-lc.xml", "text/xml"),
            ("Basic/Standard/Module1.xml", "text/xml"),
        ),
        ("Basic/script-lc.xml", b"<library:libraries/>"),
        ("Basic/Standard/Module1.xml", BASIC_MODULE),
    ),
    # The Basic entries are present but the manifest does not list them.
    "basic_entries_unlisted": _odt(None, ("Basic/Standard/Module1.xml", BASIC_MODULE)),
    # Scripts (Python, BeanShell, JavaScript) stored in the document.
    "scripts": _odt(
        _manifest(("Scripts/python/evil.py", "application/binary")),
        ("Scripts/python/evil.py", b"import os\nos.system('calc')\n"),
    ),
    # A script library under another folder, given away by its media type in the manifest.
    "script_media_type": _odt(
        _manifest(("Object 1/lib/", "application/vnd.sun.star.basic")),
        ("Object 1/lib/Module1.xml", BASIC_MODULE),
    ),
    # A Basic library inside an embedded object.
    "basic_in_embedded_object": _odt(None, ("Object 1/Basic/Standard/Module1.xml", BASIC_MODULE)),
    # An OLE compound file (where MS-Office VBA lives) stored inside.
    "ole_part": _odt(None, ("ObjectReplacements/Object 1", VBA_BIN)),
    # A macro run when the document opens, even one kept outside the document.
    "event_listener": zip_bytes(
        [
            ("mimetype", ODT_MIME),
            (
                "content.xml",
                b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                b'office:1.0" xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0">'
                b"<office:scripts><office:event-listeners><script:event-listener "
                b'script:language="ooo:script" script:event-name="dom:load" '
                b'xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="vnd.sun.star.script:'
                b'Tools.Misc.Run?language=Basic&amp;location=application"/>'
                b"</office:event-listeners></office:scripts></office:document-content>",
            ),
        ]
    ),
    # A link that runs a macro when clicked.
    "macro_link": zip_bytes(
        [
            ("mimetype", ODT_MIME),
            (
                "content.xml",
                b'<office:document-content xmlns:text="t" xmlns:xlink="http://www.w3.org/1999/'
                b'xlink" xmlns:office="o"><text:a xlink:href=" macro:///Standard.Module1.Main">'
                b"Open</text:a></office:document-content>",
            ),
        ]
    ),
    "doctype_in_manifest": _odt(
        b'<?xml version="1.0"?><!DOCTYPE manifest:manifest [<!ENTITY x "Basic/">]>'
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_DOCX))
def test_docx_with_macros_is_not_a_docx(name):
    assert filetypes.detect(HOSTILE_DOCX[name]) is None


@pytest.mark.parametrize("name", sorted(HOSTILE_ODT))
def test_odt_with_macros_is_not_an_odt(name):
    assert filetypes.detect(HOSTILE_ODT[name]) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (docx_bytes(), filetypes.DOCX),
        (_docx(_types(), ("word/_rels/document.xml.rels", b"<Relationships/>")), filetypes.DOCX),
        # An ordinary hyperlink to a web page is an external relationship too, and fine.
        (
            _docx(
                _types(),
                (
                    "word/_rels/document.xml.rels",
                    b'<Relationships><Relationship Id="rId4" Type="http://schemas.'
                    b"openxmlformats.org/officeDocument/2006/relationships/hyperlink"
                    b'" Target="https://example.org/" TargetMode="External"/></Relationships>',
                ),
            ),
            filetypes.DOCX,
        ),
        (odt_bytes(), filetypes.ODT),
        (_odt(_manifest(("styles.xml", "text/xml"))), filetypes.ODT),
        # A text that merely talks about macros is a document like any other.
        (_odt(None, ("styles.xml", b"<style>Basic/ Scripts/ vbaProject</style>")), filetypes.ODT),
    ],
)
def test_plain_documents_are_still_accepted(data, expected):
    assert filetypes.detect(data) is expected


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        (HOSTILE_DOCX["renamed_vba_part_by_override"], "letter.docx"),
        (HOSTILE_DOCX["renamed_vba_part_undeclared"], "letter.docx"),
        (HOSTILE_ODT["basic_library"], "letter.odt"),
    ],
)
def test_upload_of_a_macro_document_is_refused_and_audited(
    app, db_session, client, farida, data, file_name
):
    response = upload(client, farida, data, file_name)
    assert response.status_code == 422
    assert "without macros" in response.get_data(as_text=True)
    assert db_session.scalars(select(CaseAttachment)).first() is None
