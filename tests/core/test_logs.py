"""Structured request logs: who, which route, what status, how long; never what was sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask

from core.app import create_app
from core.config import ConfigError
from core.logs import configure_logging
from core.permissions import Role
from tests.conftest import make_settings
from tests.factories import make_account, post_form, sign_in


@pytest.fixture
def json_app(database_url, key_file, db_session) -> Iterator[Flask]:
    application = create_app(make_settings(database_url, key_file, LOG_FORMAT="json"))
    application.extensions["homeward_db"].bind_connection(db_session.info["connection"])
    yield application
    configure_logging("text")


def _lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def _requests(captured: str) -> list[dict]:
    return [entry for entry in _lines(captured) if entry["logger"] == "homeward.request"]


def test_json_request_line_names_user_route_status_and_duration(json_app, db_session, capsys):
    account = make_account(json_app, db_session, Role.CASEWORKER)
    client = json_app.test_client()
    sign_in(client, account, db_session)
    capsys.readouterr()
    response = client.get("/account")
    assert response.status_code == 200
    (line,) = _requests(capsys.readouterr().err)
    assert line["route"] == "auth.account"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["user_id"] == str(account.user.id)
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["message"] == "request"


def test_no_parameter_or_form_value_reaches_the_log(json_app, db_session, capsys):
    client = json_app.test_client()
    email, password = "nadia.example.person@example.org", "Secret-Passphrase-4242"
    post_form(client, "/login", {"email": email, "password": password})
    client.get("/login?next=/cases/Nadia-Rahimi-1994-03-15")
    client.get("/no/such/page/P1234567")
    captured = capsys.readouterr().err
    for secret in (email, password, "Nadia", "1994-03-15", "P1234567", "/no/such"):
        assert secret not in captured
    routes = [(line["route"], line["status"]) for line in _requests(captured)]
    assert ("auth.login", 200) in routes and ("unmatched", 404) in routes


def test_request_id_from_the_proxy_is_kept_only_when_it_is_a_plain_token(json_app, capsys):
    client = json_app.test_client()
    kept = client.get("/healthz", headers={"X-Request-Id": "abc-123-def-456"})
    replaced = client.get("/healthz", headers={"X-Request-Id": "name=Nadia Rahimi; dob"})
    assert kept.headers["X-Request-Id"] == "abc-123-def-456"
    assert "Nadia" not in replaced.headers["X-Request-Id"]
    assert len(replaced.headers["X-Request-Id"]) == 32
    ids = [line["request_id"] for line in _requests(capsys.readouterr().err)]
    assert ids == [kept.headers["X-Request-Id"], replaced.headers["X-Request-Id"]]


def test_records_logged_during_a_request_carry_its_id(json_app, capsys):
    import logging

    from core.security import public

    @json_app.get("/_log_something")
    def _log_something():
        logging.getLogger("homeward.test").warning("something happened")
        return "ok"

    public(_log_something)
    response = json_app.test_client().get("/_log_something")
    entries = _lines(capsys.readouterr().err)
    (warning,) = [e for e in entries if e["logger"] == "homeward.test"]
    assert warning["request_id"] == response.headers["X-Request-Id"]
    assert warning["level"] == "WARNING"


def test_text_format_writes_key_value_lines(app, client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if "homeward.request" in ln]
    assert "route=health.healthz" in line and "status=200" in line and "method=GET" in line
    assert not line.lstrip().startswith("{")


def test_unknown_log_format_is_refused(database_url, key_file):
    with pytest.raises(ConfigError, match="HOMEWARD_LOG_FORMAT"):
        create_app(make_settings(database_url, key_file, LOG_FORMAT="xml"))
