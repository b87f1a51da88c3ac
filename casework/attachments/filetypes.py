"""Which files may be attached, decided from their bytes alone.

The browser's content type and the file name's extension are never trusted: a file is
accepted only when its first bytes are those of a PDF, PNG or JPEG, when it is an OpenDocument
text or a Word (DOCX, without macros) document, or when it is plain UTF-8 text that does not
open like markup (HTML, SVG, XML). Everything else, executables and HTML named ``.pdf``
included, is refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote


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
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CONTENT_TYPES_LIMIT = 256 * 1024
# Text opening like markup would render as a page if anything ever served it inline.
_MARKUP = re.compile(rb"^\s*<\s*[a-zA-Z!?/]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_odt(data: bytes) -> bool:
    # The OpenDocument spec puts an uncompressed "mimetype" entry first in the archive, so the
    # type sits at a fixed offset; its stored size (offset 22) must match exactly.
    return (
        data[:4] == b"PK\x03\x04"
        and data[30:38] == b"mimetype"
        and int.from_bytes(data[22:26], "little") == len(_ODT_MIME)
        and data[38 : 38 + len(_ODT_MIME)] == _ODT_MIME
    )


def _is_docx(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            if any("vbaproject" in n.lower() for n in names):
                return False
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_LIMIT:
                return False
            with archive.open(info) as member:
                types = member.read(_CONTENT_TYPES_LIMIT + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError):
        return False
    return len(types) <= _CONTENT_TYPES_LIMIT and _DOCX_MAIN in types and b"macro" not in types


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
        return PDF
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
