"""Reading the parts of a ZIP package (OOXML or ODF) within limits, for the file checks."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from core.exceptions import HomewardError

XML_PART_LIMIT = 256 * 1024
MAX_PARTS = 5000
#: The first bytes of an OLE compound file: a VBA project (vbaProject.bin) or an OLE object.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XML_STREAM_LIMIT = 64 * 1024 * 1024
#: Packages embedded in a package (a workbook behind a chart, or a hostile .docm): how deep
#: they are followed, and how many decompressed bytes of them one file may cost in all.
NESTED_DEPTH = 3
NESTED_TOTAL_LIMIT = 64 * 1024 * 1024


class Refused(HomewardError):
    """The package holds something active (macros, scripts, ActiveX) or cannot be read."""


@dataclass
class Budget:
    """What one file may still cost to check: bytes of nested packages to decompress, and
    bytes of content and styles parts to stream (every embedded object has its own)."""

    left: int = NESTED_TOTAL_LIMIT
    xml_left: int = XML_STREAM_LIMIT


def part_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.is_dir() or info.file_size < len(OLE_MAGIC):
        return b""
    with archive.open(info) as member:
        return member.read(len(OLE_MAGIC))


def read_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A small XML part of the package, None when absent; refused when too large."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > XML_PART_LIMIT:
        raise Refused(name)
    with archive.open(info) as member:
        content = member.read(XML_PART_LIMIT + 1)
    if len(content) > XML_PART_LIMIT:
        raise Refused(name)
    return content


def xml_elements(content: bytes) -> list[tuple[str, dict[str, str]]]:
    """Each element's local name and attributes (local names, character references resolved).

    A document type declaration is refused outright: packages never carry one, and its
    entities could spell a content type that no reader of the raw bytes would see.
    """
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        local = {key.rsplit(" ", 1)[-1]: value for key, value in attributes.items()}
        found.append((name.rsplit(" ", 1)[-1], local))

    def doctype(*_args: object) -> None:
        raise Refused("doctype")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise Refused("xml") from exc
    return found
