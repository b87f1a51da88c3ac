"""Word (DOCX) packages: refused when they declare or hold macros, ActiveX or key macros."""

from __future__ import annotations

import re
import zipfile

from casework.attachments.filetypes.parts import Budget, Refused, read_part, xml_elements

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: OOXML content and relationship types of macros, ActiveX and macro key bindings (lower case).
ACTIVE_TYPE = re.compile(r"vba|macroenabled|activex|keymapcustomizations|\.macro|/macro")
ACTIVE_NAME = re.compile(r"vbaproject|vbadata|activex|keymapcustomizations")
#: Relationship types (last segment, lower case) that must not point outside the package.
_EXTERNAL_ACTIVE = {"attachedtemplate", "subdocument", "oleobject", "frame"}


def docx_is_clean(archive: zipfile.ZipFile, _budget: Budget) -> None:
    """Refuses a Word package with VBA, macro-enabled parts, ActiveX or key macros.

    Decided by what the package declares ([Content_Types].xml and every relationship part),
    not only by part names, so a VBA project under an innocent name is found too.
    """
    names = archive.namelist()
    if "word/document.xml" not in names:
        raise Refused("not a word document")
    if any(ACTIVE_NAME.search(n.lower()) for n in names):
        raise Refused("macro part")
    types = read_part(archive, "[Content_Types].xml")
    if types is None:
        raise Refused("no content types")
    declared = [
        attributes.get("ContentType", "").strip().lower()
        for element, attributes in xml_elements(types)
        if element in ("Default", "Override")
    ]
    if DOCX_MAIN not in declared:
        raise Refused("no main document")
    if any(ACTIVE_TYPE.search(t) for t in declared):
        raise Refused("active content type")
    for name in names:
        if name.lower().endswith(".rels"):
            refuse_active_relationships(archive, name)


def refuse_active_relationships(archive: zipfile.ZipFile, name: str) -> None:
    content = read_part(archive, name) or b""
    for element, attributes in xml_elements(content):
        kind = attributes.get("Type", "").lower()
        if element == "Relationship" and ACTIVE_TYPE.search(kind):
            raise Refused("active relationship")
        # A template, sub-document or object fetched from elsewhere brings its own
        # macros (remote template injection).
        external = attributes.get("TargetMode", "").lower() == "external"
        if external and kind.rsplit("/", 1)[-1] in _EXTERNAL_ACTIVE:
            raise Refused("external template or object")
        # An "alternative format chunk" is a whole RTF, MHT or HTML document (with its OLE
        # objects or ActiveX) that Word imports when the file opens, inside or outside.
        if element == "Relationship" and kind.rsplit("/", 1)[-1] == "afchunk":
            raise Refused("imported document chunk")
