"""``/metrics``: Prometheus text behind a bearer token; per-route counts and latencies plus
the collected status figures; never paths, parameters or users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from core.app import create_app
from core.config import ConfigError
from tests.conftest import make_settings
from tests.factories import post_form

TOKEN = "metrics-token-" + "m" * 24


@pytest.fixture
def metrics_app(database_url, key_file, db_session) -> Iterator[Flask]:
    application = create_app(make_settings(database_url, key_file, METRICS_TOKEN=TOKEN))
    application.extensions["homeward_db"].bind_connection(db_session.info["connection"])
    yield application


def _scrape(client) -> dict[str, list]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def test_no_token_configured_means_no_endpoint(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_missing_or_wrong_token_is_refused(metrics_app):
    client = metrics_app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * len(TOKEN)}
    assert client.get("/metrics", headers=wrong).status_code == 403


def test_requests_are_counted_and_timed_per_route(metrics_app):
    client = metrics_app.test_client()
    for _ in range(3):
        client.get("/login")
    client.get("/no/such/page")
    post_form(client, "/login", {"email": "nadia.person@example.org", "password": "p" * 16})
    metrics = _scrape(client)
    counts = {
        (s.labels["route"], s.labels["method"], s.labels["status"]): s.value
        for s in metrics["homeward_requests"]
        if s.name == "homeward_requests_total"
    }
    assert counts[("auth.login", "GET", "200")] == 4  # three, and one for the CSRF token
    assert counts[("auth.login", "POST", "200")] == 1
    assert counts[("unmatched", "GET", "404")] == 1
    durations = {
        s.labels["route"]: s.value
        for s in metrics["homeward_request_duration_seconds"]
        if s.name == "homeward_request_duration_seconds_count"
    }
    assert durations["auth.login"] == 5


def test_status_figures_are_gauges(metrics_app):
    metrics = _scrape(metrics_app.test_client())
    assert metrics["homeward_audit_unsealed_events"][0].value >= 0
    assert "homeward_audit_checkpoint_age_seconds" in metrics


def test_nothing_personal_in_the_answer(metrics_app):
    client = metrics_app.test_client()
    post_form(client, "/login", {"email": "nadia.person@example.org", "password": "p" * 16})
    client.get("/login?next=/Nadia")
    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )
    assert "nadia" not in body.lower() and "/login" not in body


def test_a_short_token_is_refused(database_url, key_file):
    with pytest.raises(ConfigError, match="HOMEWARD_METRICS_TOKEN"):
        create_app(make_settings(database_url, key_file, METRICS_TOKEN="short"))
