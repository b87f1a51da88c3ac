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

import re
from dataclasses import dataclass

from casework.attachments.filetypes.names import (
    MAX_NAME,
    clean_file_name,
    content_disposition,
    download_name,
)
from casework.attachments.filetypes.packages import is_docx, is_odt
from casework.attachments.filetypes.pdf import pdf_is_clean

__all__ = [
    "ACCEPT",
    "ALLOWED",
    "BY_CONTENT_TYPE",
    "DOCX",
    "JPEG",
    "MAX_NAME",
    "ODT",
    "PDF",
    "PNG",
    "TEXT",
    "FileType",
    "clean_file_name",
    "content_disposition",
    "detect",
    "download_name",
]


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

# Text opening like markup would render as a page if anything ever served it inline.
# RTF is markup too, and carries OLE objects (\objdata) that Word runs: never "text".
# Word takes any file opening with "{\rt" for RTF, so that is what is refused.
_MARKUP = re.compile(rb"^\s*(?:<\s*[a-zA-Z!?/]|\{\s*\\\*?\s*rt)", re.IGNORECASE)
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


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
        return PDF if pdf_is_clean(data) else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if is_odt(data):
        return ODT
    if is_docx(data):
        return DOCX
    if _is_text(data):
        return TEXT
    return None
