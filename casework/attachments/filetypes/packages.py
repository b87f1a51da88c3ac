"""ZIP packages (ODT, DOCX): every part looked at, nested packages followed within a budget."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from casework.attachments.filetypes.odf import declares_odt, odt_is_clean
from casework.attachments.filetypes.ooxml import (
    ACTIVE_NAME,
    ACTIVE_TYPE,
    docx_is_clean,
    refuse_active_relationships,
)
from casework.attachments.filetypes.parts import (
    MAX_PARTS,
    NESTED_DEPTH,
    OLE_MAGIC,
    Budget,
    Refused,
    part_head,
    read_part,
    xml_elements,
)


def is_odt(data: bytes) -> bool:
    """True for an OpenDocument text without scripts."""
    return declares_odt(data) and _package_is_clean(data, odt_is_clean)


def is_docx(data: bytes) -> bool:
    """True for a Word document without macros, ActiveX or key macros."""
    return data[:4] == b"PK\x03\x04" and _package_is_clean(data, docx_is_clean)


def _package_is_clean(data: bytes, check: Callable[[zipfile.ZipFile, Budget], None]) -> bool:
    """True when ``check`` finds nothing active in the ZIP package (and it can be read).

    Every part is looked at, whatever the package type: an OLE compound file (VBA project,
    OLE object) is refused, and so is a nested package (a .docm or macro ODT embedded as a
    file) that holds anything active, to a few levels and within a decompression budget.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budget = Budget()
            _scan_parts(archive, budget, depth=0)
            check(archive, budget)
    except (Refused, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError):
        return False
    except (EOFError, RuntimeError, NotImplementedError):  # encrypted or odd compression
        return False
    return True


def _scan_parts(archive: zipfile.ZipFile, budget: Budget, depth: int) -> None:
    """Refuses duplicate parts, OLE compound files and hostile nested packages."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise Refused("too many parts")
    # Two entries of one name (OPC and ODF compare part names without regard to case): one
    # reader takes the first, another the last, so the part checked may not be the part run.
    names = [info.filename.replace("\\", "/").lstrip("/").lower() for info in infos]
    if len(set(names)) != len(names):
        raise Refused("duplicate part")
    for info in infos:
        head = part_head(archive, info)
        if head == OLE_MAGIC:
            raise Refused("ole part")  # a VBA project or OLE object, whatever its name
        if head[:4] == b"PK\x03\x04":
            _check_nested(archive, info, budget, depth + 1)


def _check_nested(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, depth: int
) -> None:
    """A package embedded as a part: refused when too deep, too large or holding anything active."""
    if depth > NESTED_DEPTH or info.file_size > budget.left:
        raise Refused("nested package too deep or too large")
    with archive.open(info) as member:
        inner = member.read(budget.left + 1)
    budget.left -= len(inner)
    if budget.left < 0:
        raise Refused("nested package too large")
    with zipfile.ZipFile(io.BytesIO(inner)) as nested:
        _scan_parts(nested, budget, depth)
        _nested_is_clean(nested, budget)


def _nested_is_clean(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Refuses an embedded package of any kind (OOXML or ODF) that declares or holds macros."""
    names = archive.namelist()
    if any(ACTIVE_NAME.search(n.lower()) for n in names):
        raise Refused("macro part")
    for name in names:
        lower = name.lower()
        if lower == "[content_types].xml":
            for _element, attributes in xml_elements(read_part(archive, name) or b""):
                if ACTIVE_TYPE.search(attributes.get("ContentType", "").lower()):
                    raise Refused("active content type")
        elif lower.endswith(".rels"):
            refuse_active_relationships(archive, name)
    odt_is_clean(archive, budget)
