"""Static URLs carry a content hash, so a year of caching never serves a stale file."""

from __future__ import annotations

import hashlib
import os
import re

from flask import url_for

from core.assets import IMMUTABLE
from core.config import PROJECT_ROOT


def test_pages_link_static_files_with_their_content_hash(client):
    page = client.get("/login").get_data(as_text=True)
    css = (PROJECT_ROOT / "static" / "css" / "homeward.css").read_bytes()
    digest = hashlib.sha256(css).hexdigest()[:12]
    assert f"/static/css/homeward.css?v={digest}" in page
    assert re.search(r"/static/js/homeward\.js\?v=[0-9a-f]{12}", page)


def test_the_current_fingerprint_may_be_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/homeward\.css\?v=[0-9a-f]{12})"', page)
    assert url
    response = client.get(url.group(1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_an_old_or_missing_fingerprint_is_not_cached_for_long(client):
    for url in ["/static/css/homeward.css", "/static/css/homeward.css?v=000000000000"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_address(app, client, tmp_path, monkeypatch):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "homeward.css"
    sheet.write_text("body { color: black; }")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context():
        before = url_for("static", filename="css/homeward.css")
    sheet.write_text("body { color: navy; }")
    later = sheet.stat().st_mtime_ns + 1_000_000_000  # a release writes it a moment later
    os.utime(sheet, ns=(later, later))
    with app.test_request_context():
        after = url_for("static", filename="css/homeward.css")
    digest = hashlib.sha256(b"body { color: navy; }").hexdigest()[:12]
    assert before != after and after == f"/static/css/homeward.css?v={digest}"
    fresh = client.get(after)
    assert fresh.headers["Cache-Control"] == IMMUTABLE and b"navy" in fresh.data
    assert "immutable" not in client.get(before).headers.get("Cache-Control", "")
