"""OpenDocument text packages: refused when they hold Basic or script libraries or links."""

from __future__ import annotations

import re
import zipfile
from xml.parsers import expat

from casework.attachments.filetypes.parts import Budget, Refused, read_part, xml_elements

ODT_MIME = b"application/vnd.oasis.opendocument.text"
#: ODF folders that hold Basic or script libraries, and their manifest media types.
_ODF_SCRIPT_FOLDERS = {"basic", "scripts", "dialogs"}
_ODF_SCRIPT_TYPE = re.compile(r"basic|script|macro")
_SCRIPT_URL_SCHEMES = ("vnd.sun.star.script:", "macro:")


def declares_odt(data: bytes) -> bool:
    """True when the archive opens with the OpenDocument text "mimetype" entry."""
    # The OpenDocument spec puts an uncompressed "mimetype" entry first in the archive, so the
    # type sits at a fixed offset; its stored size (offset 22) must match exactly.
    return (
        data[:4] == b"PK\x03\x04"
        and data[30:38] == b"mimetype"
        and int.from_bytes(data[22:26], "little") == len(ODT_MIME)
        and data[38 : 38 + len(ODT_MIME)] == ODT_MIME
    )


def odt_is_clean(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Refuses an OpenDocument package with Basic or script libraries (anywhere inside).

    Looks at the entries' paths and at META-INF/manifest.xml (paths and media types).
    """
    paths = list(archive.namelist())
    manifest = read_part(archive, "META-INF/manifest.xml")
    if manifest is not None:
        for element, attributes in xml_elements(manifest):
            if element != "file-entry":
                continue
            if _ODF_SCRIPT_TYPE.search(attributes.get("media-type", "").lower()):
                raise Refused("script media type")
            paths.append(attributes.get("full-path", ""))
    for path in paths:
        folders = [part.strip().lower() for part in path.replace("\\", "/").split("/")[:-1]]
        if _ODF_SCRIPT_FOLDERS.intersection(folders):
            raise Refused("script library")
    # The document's own content and styles, and those of every embedded object.
    for name in archive.namelist():
        if name.replace("\\", "/").rsplit("/", 1)[-1].lower() in ("content.xml", "styles.xml"):
            _refuse_script_links(archive, name, budget)


def _refuse_script_links(archive: zipfile.ZipFile, name: str, budget: Budget) -> None:
    """Refuses event listeners and links that run a macro (``vnd.sun.star.script:``, ``macro:``),
    even one stored outside the document. Streams the part, within the file's budget."""

    def start(element: str, attributes: dict[str, str]) -> None:
        if element.rsplit(":", 1)[-1] == "event-listener":
            raise Refused("event listener")
        for value in attributes.values():
            if value.strip().lower().startswith(_SCRIPT_URL_SCHEMES):
                raise Refused("script link")

    def doctype(*_args: object) -> None:
        raise Refused("doctype")

    # Without namespace processing: prefixes stay in the names (any prefix is caught).
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(name) as member:
            while chunk := member.read(64 * 1024):
                budget.xml_left -= len(chunk)
                if budget.xml_left < 0:
                    raise Refused("content too large")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refused("xml") from exc
