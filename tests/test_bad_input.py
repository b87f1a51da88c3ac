"""Hostile query strings and form values: never a 5xx, always a clear 4xx or a sane page.

Each input comes from an outside attack or is a sibling of one: patterns anchored with ``$``
(which accepts a trailing newline), dates at the edge of the calendar, search terms far over
their length limit, and keyset cursors that are malformed or have no time zone.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.permissions import Role
from tests.factories import csrf_token, make_account, sign_in

ID = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
NAIVE = f"2026-01-01T00:00:00|{ID}"
LONG = "x" * 200_000


def _signed_in(app, db_session, client, role: Role):
    account = make_account(app, db_session, role)
    sign_in(client, account, db_session)
    return account


def _assert_clear(response, allowed: tuple[int, ...]) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in allowed, response.status_code


AUDIT_GETS = [
    # (query string, expected status)
    ("action=login.failed%0A", 400),
    ("action=login.failed%0D%0A", 400),
    ("object_type=case%0A", 400),
    ("object_id=abc%0A", 400),
    ("case=HW-1%0A", 400),
    ("date_to=9999-12-31", 400),
    ("date_from=9999-12-31", 400),
    ("date_from=0001-01-01", 400),
    ("date_from=1900-01-01&date_to=1900-01-02", 400),
    ("date_from=2026-01-01&date_to=2026-01-31", 200),
    ("user=" + "a" * 5000, 400),
    ("before=99999999999999999999", 200),
    ("after=-1", 200),
    ("after=%EF%BC%91%EF%BC%92", 200),  # full-width digits: isdigit() but not a cursor
    ("before=%C2%B2", 200),  # superscript two: isdigit() too
]


@pytest.mark.parametrize(("query", "status"), AUDIT_GETS)
def test_audit_log_filters(app, db_session, client, query, status):
    _signed_in(app, db_session, client, Role.AUDITOR)
    _assert_clear(client.get(f"/audit/?{query}"), (status,))


@pytest.mark.parametrize(
    "path",
    [
        f"/audit/cases/{ID}?after=%C2%B2",
        f"/audit/users/{ID}?before=%EF%BC%91",
        "/audit/alerts?days=%0A7",
        "/audit/alerts?days=99999999",
    ],
)
def test_audit_pages_with_odd_cursors(app, db_session, client, path):
    _signed_in(app, db_session, client, Role.AUDITOR)
    _assert_clear(client.get(path), (200,))


@pytest.mark.parametrize(
    "query",
    [
        "action=login.failed%0A",
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "object_id=a%0A",
    ],
)
def test_audit_export_validates_before_it_streams(app, db_session, client, query):
    _signed_in(app, db_session, client, Role.AUDITOR)
    token = csrf_token(client, "/audit/")
    response = client.post(f"/audit/export?{query}", data={"csrf_token": token})
    _assert_clear(response, (400,))
    assert response.mimetype == "text/html"
    exported = db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "audit.exported")
    )
    assert exported == 0


def test_audit_export_of_a_valid_filter_streams_a_whole_csv(app, db_session, client):
    _signed_in(app, db_session, client, Role.AUDITOR)
    token = csrf_token(client, "/audit/")
    response = client.post(
        "/audit/export?date_from=2000-01-01&date_to=2099-12-31", data={"csrf_token": token}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("seq,") and len(lines) > 1


@pytest.mark.parametrize(
    "after",
    [
        NAIVE,
        f"2026-01-01T00:00:00+00:00|{ID}",
        f"9999-12-31T23:59:59+00:00|{ID}",
        f"0001-01-01T00:00:00+00:00|{ID}",
        f"0001-01-01T00:00:00+14:00|{ID}",
        f"2026-01-01|{ID}",
        "garbage",
        "|",
        "2026-01-01T00:00:00+00:00|not-a-uuid",
        "x" * 10_000,
    ],
)
@pytest.mark.parametrize("sort", ["newest", "oldest", "number"])
def test_caseload_cursors(app, db_session, client, after, sort):
    _signed_in(app, db_session, client, Role.SUPERVISOR)
    response = client.get("/cases/", query_string={"after": after, "sort": sort})
    _assert_clear(response, (200, 400))


@pytest.mark.parametrize(
    "after",
    [NAIVE, f"9999-12-31T23:59:59+00:00|{ID}", f"0001-01-01T00:00:00+14:00|{ID}", "garbage"],
)
def test_my_referrals_cursors(app, db_session, client, after):
    _signed_in(app, db_session, client, Role.CASEWORKER)
    _assert_clear(client.get("/referrals/mine", query_string={"after": after}), (200, 400))


def test_user_filter_length_is_enforced(app, db_session, client):
    _signed_in(app, db_session, client, Role.ADMINISTRATOR)
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "query": LONG})
    _assert_clear(response, (400,))
    assert "at most 100" in response.get_data(as_text=True) or "longer than" in (
        response.get_data(as_text=True)
    )


def test_user_filter_without_a_token_does_not_filter(app, db_session, client):
    """A filter that fails validation (here: no CSRF token) is not applied at all."""
    _signed_in(app, db_session, client, Role.ADMINISTRATOR)
    response = client.post("/admin/users", data={"query": "nobody-matches-this"})
    _assert_clear(response, (400,))


@pytest.mark.parametrize(
    ("kind", "term"),
    [
        ("name", LONG),
        ("document", LONG),
        ("case_number", "HW-1\n"),
        ("date_of_birth", "9999-12-31"),
        ("date_of_birth", "1994-03-15\n"),
    ],
)
def test_case_search_terms(app, db_session, client, kind, term):
    _signed_in(app, db_session, client, Role.CASEWORKER)
    token = csrf_token(client, "/cases/")
    response = client.post("/cases/search", data={"csrf_token": token, "kind": kind, "term": term})
    _assert_clear(response, (200, 400))


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "date_from=2026-01-01%0A",
    ],
)
def test_figures_periods(app, db_session, client, query):
    _signed_in(app, db_session, client, Role.SUPERVISOR)
    _assert_clear(client.get(f"/referrals/figures?{query}"), (400,))


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 50_000,
        "area=" + "x" * 50_000,
        "organization=" + str(uuid.UUID(int=7)) + "%0A",
        "country=AF%0A",
        "language=ps%0A",
    ],
)
def test_directory_filters(app, db_session, client, query):
    _signed_in(app, db_session, client, Role.CASEWORKER)
    _assert_clear(client.get(f"/directory/?{query}"), (200, 400))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "ABC\n"),
        ("country", "XK\n"),
    ],
)
def test_organisation_codes_refuse_a_trailing_newline(app, db_session, client, field, value):
    _signed_in(app, db_session, client, Role.ADMINISTRATOR)
    data = {
        "name": "Newline Agency",
        "code": "NLA",
        "country": "XK",
        "is_case_agency": "y",
        field: value,
    }
    data["csrf_token"] = csrf_token(client, "/admin/organisations/new")
    response = client.post("/admin/organisations/new", data=data)
    _assert_clear(response, (200, 400, 422))
    assert response.status_code != 302


def test_second_factor_with_non_ascii_digits(app, db_session, client):
    """Arabic-Indic digits pass str.isdigit(); comparing them in constant time raised."""
    account = make_account(app, db_session, Role.CASEWORKER)
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": account.email, "password": "x"})
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": account.email, "password": account.password},
    )
    assert response.headers["Location"].endswith("/login/second-factor")
    token = csrf_token(client, "/login/second-factor")
    response = client.post("/login/second-factor", data={"csrf_token": token, "code": "١٢٣٤٥٦"})
    _assert_clear(response, (200, 400, 401, 422))


@pytest.mark.parametrize("version", ["²", "１", "1\n"])
def test_survey_weights_with_an_odd_version(app, db_session, client, version):
    """Superscript and full-width digits pass str.isdigit(); int() refused them (500)."""
    from casework.monitoring.models import SurveyVersion
    from tests.casework.monitoring.test_monitoring import _set_weights

    _signed_in(app, db_session, client, Role.ADMINISTRATOR)
    response = _set_weights(client, db_session, based_on=version)
    _assert_clear(response, (200, 400, 409, 422))
    assert db_session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


_APP_PACKAGES = ("audit", "auth", "casework", "core", "referrals")
_DOLLAR_ANCHOR = re.compile(r"""r?(["'])\^[^"'\n]*\$\1""")


def test_no_validation_pattern_is_anchored_with_a_dollar():
    """``$`` also matches before a trailing newline: validation patterns end with ``\\Z``."""
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for package in _APP_PACKAGES
        for path in sorted((root / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _DOLLAR_ANCHOR.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("document_expiry", "9999-12-31"),
        ("date_of_birth", "0001-01-01"),
        ("event_date", "1000-01-01"),
    ],
)
def test_registration_dates_outside_a_sane_range(app, db_session, client, field, value):
    from casework.models import Case
    from tests.casework.helpers import FARIDA, register

    _signed_in(app, db_session, client, Role.CASEWORKER)
    response = register(client, {**FARIDA, field: value}, confirm_new=True)
    _assert_clear(response, (200, 400, 422))
    assert "between the years" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize("option", ["--to", "--from"])
def test_figures_command_refuses_dates_at_the_calendar_edge(app, db_session, option):
    result = app.test_cli_runner().invoke(args=["referrals", "figures", option, "9999-12-31"])
    assert result.exit_code == 2, result.output
    assert "between the years 2000 and 2100" in result.output
    assert not isinstance(result.exception, OverflowError)
