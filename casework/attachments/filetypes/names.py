"""File names fit to store, show and send back in a download header."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from casework.attachments.filetypes import FileType

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
