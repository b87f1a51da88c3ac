"""PDF files: refused when they declare JavaScript, launch actions, embedded files or rich media."""

from __future__ import annotations

import re
import zlib

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


def pdf_is_clean(data: bytes) -> bool:
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
