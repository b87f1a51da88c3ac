"""Fingerprinted static URLs: ``url_for('static', filename=…)`` adds ``?v=<content hash>``.

The address of a static file changes whenever its content does, so browsers and the proxy
may keep it for a year (nginx serves ``/static/`` with ``Cache-Control: immutable``; the app
does the same when it serves the file itself with the current fingerprint).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

#: A year, the longest cache lifetime browsers honour.
IMMUTABLE = "public, max-age=31536000, immutable"


def fingerprint(path: Path) -> str | None:
    """The first 12 hex digits of the file's SHA-256, remembered while its mtime holds."""
    cache: dict[Path, tuple[float, str]] = current_app.extensions["homeward_asset_hashes"]
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    known = cache.get(path)
    if known is not None and known[0] == mtime:
        return known[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    cache[path] = (mtime, digest)
    return digest


def _static_file(filename: str) -> Path | None:
    folder = current_app.static_folder
    if folder is None:
        return None
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    # Every page names the same few files: each is found on disk once (only files that exist
    # are kept, so the cache is no larger than the static folder; a file removed since is not
    # fingerprinted, as fingerprint() no longer finds it). The path is the file's resolved
    # one: a release that swaps a symlinked static folder under a running process is picked
    # up at the restart or reload that a release makes anyway (docs/deployment.md).
    found: dict[tuple[str | None, str], Path] = current_app.extensions["homeward_asset_paths"]
    filename = str(values["filename"])
    key = (current_app.static_folder, filename)
    path = found.get(key)
    if path is None:
        path = _static_file(filename)
        if path is not None:
            found[key] = path
    digest = fingerprint(path) if path is not None else None
    if digest is not None:
        values["v"] = digest


def cache_fingerprinted(response: Response) -> Response:
    """A static file asked for with its current fingerprint may be cached for a year."""
    if request.endpoint != "static" or response.status_code != 200:
        return response
    path = _static_file(str((request.view_args or {}).get("filename", "")))
    if path is not None and request.args.get("v") == fingerprint(path):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_app(app: Flask) -> None:
    app.extensions["homeward_asset_hashes"] = {}
    app.extensions["homeward_asset_paths"] = {}
    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)
