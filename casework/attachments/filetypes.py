"""Which files may be attached, decided from their bytes alone.

The browser's content type and the file name's extension are never trusted: a file is
accepted only when its first bytes are those of a PDF (without JavaScript, launch actions,
embedded files or rich media), PNG or JPEG, when it is an OpenDocument
text or a Word (DOCX) document without macros, scripts or ActiveX (judged by what the package
declares and holds, not by part names), or when it is plain UTF-8 text that does not open like
markup (HTML, SVG, XML). Everything else, executables and HTML named ``.pdf`` included, is
refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote
from xml.parsers import expat

from core.exceptions import HomewardError


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "PDF", (".pdf",))
PNG = FileType("image/png", "PNG", (".png",))
JPEG = FileType("image/jpeg", "JPEG", (".jpg", ".jpeg"))
TEXT = FileType("text/plain; charset=utf-8", "Text", (".txt",))
ODT = FileType("application/vnd.oasis.opendocument.text", "ODT", (".odt",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX", (".docx",)
)
ALLOWED = (PDF, PNG, JPEG, TEXT, ODT, DOCX)
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}
#: For the file picker only (``<input accept>``); never used to decide anything.
ACCEPT = ",".join(ext for t in ALLOWED for ext in t.extensions)

_ODT_MIME = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XML_PART_LIMIT = 256 * 1024
_MAX_PARTS = 5000
#: The first bytes of an OLE compound file: a VBA project (vbaProject.bin) or an OLE object.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: OOXML content and relationship types of macros, ActiveX and macro key bindings (lower case).
_ACTIVE_TYPE = re.compile(r"vba|macroenabled|activex|keymapcustomizations|\.macro|/macro")
_ACTIVE_NAME = re.compile(r"vbaproject|vbadata|activex|keymapcustomizations")
#: ODF folders that hold Basic or script libraries, and their manifest media types.
_ODF_SCRIPT_FOLDERS = {"basic", "scripts", "dialogs"}
_ODF_SCRIPT_TYPE = re.compile(r"basic|script|macro")
_SCRIPT_URL_SCHEMES = ("vnd.sun.star.script:", "macro:")
#: Relationship types (last segment, lower case) that must not point outside the package.
_EXTERNAL_ACTIVE = {"attachedtemplate", "subdocument", "oleobject", "frame"}
_XML_STREAM_LIMIT = 64 * 1024 * 1024
#: Packages embedded in a package (a workbook behind a chart, or a hostile .docm): how deep
#: they are followed, and how many decompressed bytes of them one file may cost in all.
_NESTED_DEPTH = 3
_NESTED_TOTAL_LIMIT = 64 * 1024 * 1024
# Text opening like markup would render as a page if anything ever served it inline.
# RTF is markup too, and carries OLE objects (\objdata) that Word runs: never "text".
# Word takes any file opening with "{\rt" for RTF, so that is what is refused.
_MARKUP = re.compile(rb"^\s*(?:<\s*[a-zA-Z!?/]|\{\s*\\\*?\s*rt)", re.IGNORECASE)
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_odt(data: bytes) -> bool:
    # The OpenDocument spec puts an uncompressed "mimetype" entry first in the archive, so the
    # type sits at a fixed offset; its stored size (offset 22) must match exactly.
    return (
        data[:4] == b"PK\x03\x04"
        and data[30:38] == b"mimetype"
        and int.from_bytes(data[22:26], "little") == len(_ODT_MIME)
        and data[38 : 38 + len(_ODT_MIME)] == _ODT_MIME
        and _package_is_clean(data, _odt_is_clean)
    )


def _is_docx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and _package_is_clean(data, _docx_is_clean)


class _Refused(HomewardError):
    """The package holds something active (macros, scripts, ActiveX) or cannot be read."""


def _package_is_clean(data: bytes, check: Callable[[zipfile.ZipFile, _Budget], None]) -> bool:
    """True when ``check`` finds nothing active in the ZIP package (and it can be read).

    Every part is looked at, whatever the package type: an OLE compound file (VBA project,
    OLE object) is refused, and so is a nested package (a .docm or macro ODT embedded as a
    file) that holds anything active, to a few levels and within a decompression budget.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budget = _Budget()
            _scan_parts(archive, budget, depth=0)
            check(archive, budget)
    except (_Refused, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError):
        return False
    except (EOFError, RuntimeError, NotImplementedError):  # encrypted or odd compression
        return False
    return True


@dataclass
class _Budget:
    """What one file may still cost to check: bytes of nested packages to decompress, and
    bytes of content and styles parts to stream (every embedded object has its own)."""

    left: int = _NESTED_TOTAL_LIMIT
    xml_left: int = _XML_STREAM_LIMIT


def _scan_parts(archive: zipfile.ZipFile, budget: _Budget, depth: int) -> None:
    """Refuses duplicate parts, OLE compound files and hostile nested packages."""
    infos = archive.infolist()
    if len(infos) > _MAX_PARTS:
        raise _Refused("too many parts")
    # Two entries of one name (OPC and ODF compare part names without regard to case): one
    # reader takes the first, another the last, so the part checked may not be the part run.
    names = [info.filename.replace("\\", "/").lstrip("/").lower() for info in infos]
    if len(set(names)) != len(names):
        raise _Refused("duplicate part")
    for info in infos:
        head = _part_head(archive, info)
        if head == _OLE_MAGIC:
            raise _Refused("ole part")  # a VBA project or OLE object, whatever its name
        if head[:4] == b"PK\x03\x04":
            _check_nested(archive, info, budget, depth + 1)


def _check_nested(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, depth: int
) -> None:
    """A package embedded as a part: refused when too deep, too large or holding anything active."""
    if depth > _NESTED_DEPTH or info.file_size > budget.left:
        raise _Refused("nested package too deep or too large")
    with archive.open(info) as member:
        inner = member.read(budget.left + 1)
    budget.left -= len(inner)
    if budget.left < 0:
        raise _Refused("nested package too large")
    with zipfile.ZipFile(io.BytesIO(inner)) as nested:
        _scan_parts(nested, budget, depth)
        _nested_is_clean(nested, budget)


def _nested_is_clean(archive: zipfile.ZipFile, budget: _Budget) -> None:
    """Refuses an embedded package of any kind (OOXML or ODF) that declares or holds macros."""
    names = archive.namelist()
    if any(_ACTIVE_NAME.search(n.lower()) for n in names):
        raise _Refused("macro part")
    for name in names:
        lower = name.lower()
        if lower == "[content_types].xml":
            for _element, attributes in _xml_elements(_read_part(archive, name) or b""):
                if _ACTIVE_TYPE.search(attributes.get("ContentType", "").lower()):
                    raise _Refused("active content type")
        elif lower.endswith(".rels"):
            _refuse_active_relationships(archive, name)
    _odt_is_clean(archive, budget)


def _part_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.is_dir() or info.file_size < len(_OLE_MAGIC):
        return b""
    with archive.open(info) as member:
        return member.read(len(_OLE_MAGIC))


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A small XML part of the package, None when absent; refused when too large."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _XML_PART_LIMIT:
        raise _Refused(name)
    with archive.open(info) as member:
        content = member.read(_XML_PART_LIMIT + 1)
    if len(content) > _XML_PART_LIMIT:
        raise _Refused(name)
    return content


def _xml_elements(content: bytes) -> list[tuple[str, dict[str, str]]]:
    """Each element's local name and attributes (local names, character references resolved).

    A document type declaration is refused outright: packages never carry one, and its
    entities could spell a content type that no reader of the raw bytes would see.
    """
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        local = {key.rsplit(" ", 1)[-1]: value for key, value in attributes.items()}
        found.append((name.rsplit(" ", 1)[-1], local))

    def doctype(*_args: object) -> None:
        raise _Refused("doctype")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise _Refused("xml") from exc
    return found


def _docx_is_clean(archive: zipfile.ZipFile, _budget: _Budget) -> None:
    """Refuses a Word package with VBA, macro-enabled parts, ActiveX or key macros.

    Decided by what the package declares ([Content_Types].xml and every relationship part),
    not only by part names, so a VBA project under an innocent name is found too.
    """
    names = archive.namelist()
    if "word/document.xml" not in names:
        raise _Refused("not a word document")
    if any(_ACTIVE_NAME.search(n.lower()) for n in names):
        raise _Refused("macro part")
    types = _read_part(archive, "[Content_Types].xml")
    if types is None:
        raise _Refused("no content types")
    declared = [
        attributes.get("ContentType", "").strip().lower()
        for element, attributes in _xml_elements(types)
        if element in ("Default", "Override")
    ]
    if _DOCX_MAIN not in declared:
        raise _Refused("no main document")
    if any(_ACTIVE_TYPE.search(t) for t in declared):
        raise _Refused("active content type")
    for name in names:
        if name.lower().endswith(".rels"):
            _refuse_active_relationships(archive, name)


def _refuse_active_relationships(archive: zipfile.ZipFile, name: str) -> None:
    content = _read_part(archive, name) or b""
    for element, attributes in _xml_elements(content):
        kind = attributes.get("Type", "").lower()
        if element == "Relationship" and _ACTIVE_TYPE.search(kind):
            raise _Refused("active relationship")
        # A template, sub-document or object fetched from elsewhere brings its own
        # macros (remote template injection).
        external = attributes.get("TargetMode", "").lower() == "external"
        if external and kind.rsplit("/", 1)[-1] in _EXTERNAL_ACTIVE:
            raise _Refused("external template or object")
        # An "alternative format chunk" is a whole RTF, MHT or HTML document (with its OLE
        # objects or ActiveX) that Word imports when the file opens, inside or outside.
        if element == "Relationship" and kind.rsplit("/", 1)[-1] == "afchunk":
            raise _Refused("imported document chunk")


def _odt_is_clean(archive: zipfile.ZipFile, budget: _Budget) -> None:
    """Refuses an OpenDocument package with Basic or script libraries (anywhere inside).

    Looks at the entries' paths and at META-INF/manifest.xml (paths and media types).
    """
    paths = list(archive.namelist())
    manifest = _read_part(archive, "META-INF/manifest.xml")
    if manifest is not None:
        for element, attributes in _xml_elements(manifest):
            if element != "file-entry":
                continue
            if _ODF_SCRIPT_TYPE.search(attributes.get("media-type", "").lower()):
                raise _Refused("script media type")
            paths.append(attributes.get("full-path", ""))
    for path in paths:
        folders = [part.strip().lower() for part in path.replace("\\", "/").split("/")[:-1]]
        if _ODF_SCRIPT_FOLDERS.intersection(folders):
            raise _Refused("script library")
    # The document's own content and styles, and those of every embedded object.
    for name in archive.namelist():
        if name.replace("\\", "/").rsplit("/", 1)[-1].lower() in ("content.xml", "styles.xml"):
            _refuse_script_links(archive, name, budget)


def _refuse_script_links(archive: zipfile.ZipFile, name: str, budget: _Budget) -> None:
    """Refuses event listeners and links that run a macro (``vnd.sun.star.script:``, ``macro:``),
    even one stored outside the document. Streams the part, within the file's budget."""

    def start(element: str, attributes: dict[str, str]) -> None:
        if element.rsplit(":", 1)[-1] == "event-listener":
            raise _Refused("event listener")
        for value in attributes.values():
            if value.strip().lower().startswith(_SCRIPT_URL_SCHEMES):
                raise _Refused("script link")

    def doctype(*_args: object) -> None:
        raise _Refused("doctype")

    # Without namespace processing: prefixes stay in the names (any prefix is caught).
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(name) as member:
            while chunk := member.read(64 * 1024):
                budget.xml_left -= len(chunk)
                if budget.xml_left < 0:
                    raise _Refused("content too large")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Refused("xml") from exc


#: PDF names that run code, launch programs or carry other files: JavaScript (also in forms,
#: XFA), launch and embedded-go-to actions, embedded files, Flash/3D rich media.
_PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|ImportData|GoToE)"
    rb"(?=[\s()<>\[\]{}/%]|$)"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"<<((?:(?!endobj).){0,4000}?)>>\s*stream\r?\n", re.DOTALL)
_PDF_STREAM_BUDGET = 64 * 1024 * 1024
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


def _pdf_is_clean(data: bytes) -> bool:
    """False when the PDF declares JavaScript, launch actions, embedded files or rich media.

    Such names live in dictionaries: in the file itself or inside a compressed object stream,
    which is inflated and read too; name escapes (``/J#61vaScript``) are resolved. Other
    streams (images, page content) are binary and skipped, so that their bytes cannot spell a
    name by chance, unless they hold an object header (a real object hidden in a fake stream).
    An object stream that cannot be inflated (encrypted, another filter) is refused: what it
    holds cannot be seen.
    """
    outside: list[bytes] = []
    position = 0
    budget = _PDF_STREAM_BUDGET
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue  # found inside the body of the stream before
        body_start = match.end()
        body_end = data.find(b"endstream", body_start)
        body_end = len(data) if body_end < 0 else body_end
        outside.append(data[position:body_start])
        body = data[body_start:body_end]
        if b"/ObjStm" in _PDF_NAME_ESCAPE.sub(_unescape, match.group(1)):
            try:
                inflated = zlib.decompressobj().decompress(body, budget + 1)
            except zlib.error:
                return False
            budget -= len(inflated)
            if not inflated or budget < 0 or _pdf_active(inflated):
                return False
        elif _PDF_OBJECT.search(body):
            outside.append(body)
        position = body_end
    outside.append(data[position:])
    return not _pdf_active(b"\n".join(outside))


def _unescape(match: re.Match[bytes]) -> bytes:
    return bytes([int(match.group(1), 16)])


def _pdf_active(data: bytes) -> bool:
    return bool(_PDF_ACTIVE.search(_PDF_NAME_ESCAPE.sub(_unescape, data)))


def _is_text(data: bytes) -> bool:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if _TEXT_CONTROLS.search(text):
        return False
    return not _MARKUP.match(body)


def detect(data: bytes) -> FileType | None:
    """The type of a file judged by its content, or None when it is not allowed."""
    if not data:
        return None
    if data.startswith(b"%PDF-"):
        return PDF if _pdf_is_clean(data) else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if _is_odt(data):
        return ODT
    if _is_docx(data):
        return DOCX
    if _is_text(data):
        return TEXT
    return None


MAX_NAME = 200
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
# Zero-width (non-)joiners are part of correct Persian and Arabic spelling; every other format
# character goes, direction overrides (which disguise "gnp.exe" as "exe.png") first of all.
_JOINERS = {"\u200c", "\u200d"}


def clean_file_name(raw: str | None) -> str:
    """A file name fit to store and show: no path, no control or direction-override characters.

    Keeps the person's script; at most 200 characters, keeping the extension.
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(c) in _INVISIBLE and c not in _JOINERS else c for c in name
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = (stem if ext else name)[: MAX_NAME - len(ext) - 1].rstrip() + (
            f".{ext}" if ext else ""
        )
    return name or "attachment"


def download_name(name: str, file_type: FileType) -> str:
    """The stored name, with the detected type's extension added when it is not there.

    A PNG named ``scan.exe`` downloads as ``scan.exe.png`` and opens in an image viewer.
    """
    if name.lower().endswith(file_type.extensions):
        return name
    return name + file_type.extensions[0]


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name per RFC 6266/5987.

    The result is a single header line whatever the name holds: quotes, CR/LF, any script.
    """
    safe = clean_file_name(name)
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        stem, ext = safe, ""
    fallback = _ascii(stem)[: MAX_NAME - 12] or "attachment"
    if _ascii(ext):
        fallback += "." + _ascii(ext)[:10]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def _ascii(text: str) -> str:
    """Latin letters without accents, digits and a few safe marks; the rest becomes "_"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._ ()-]", "_", plain).strip(" ._")
