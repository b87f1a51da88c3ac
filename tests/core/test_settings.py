"""Settings reach services one way: a frozen Settings section passed in as an argument.

Services, queries, policies, task sources and read models never read Flask's globals
(``current_app``, ``g``, ``has_app_context``) nor build URLs (``url_for``); routes, commands,
``init_app`` and core plumbing read :func:`core.config.current_settings` and pass the section
down. These tests hold the rule and show that a setting passed in changes what a service does,
with no application context at all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import has_app_context

from auth import sessions
from auth.models import UserSession
from casework.monitoring import tasks as monitoring_tasks
from casework.planning import tasks as planning_tasks
from core.config import BOUNDS, PROJECT_ROOT, ConfigError, Settings
from core.permissions import Role
from core.security import Actor
from referrals import sending
from referrals.vocabulary import Urgency
from tests.casework.helpers import registered_case
from tests.casework.planning_helpers import case_of
from tests.factories import settings_of, sign_in

PACKAGES = ("auth", "audit", "casework", "referrals")
#: Service modules by name, wherever they are in the domain packages.
SERVICE_NAMES = {
    "services.py",
    "queries.py",
    "policy.py",
    "tasks.py",
    "sending.py",
    "reading.py",
}
#: Other modules that are services in all but name (they were converted with the rest).
OTHER_SERVICES = {
    "auth/sessions.py",
    "auth/lockout.py",
    "auth/admin.py",
    "auth/limits.py",
    "audit/alerts.py",
    "casework/disclosure.py",
    "referrals/links.py",
}
#: Owned by the mail work, which changes them on its own branch.
NOT_YET = {"core/mail.py", "referrals/notifications.py"}
FORBIDDEN = {"current_app", "g", "has_app_context", "url_for"}
#: ``referrals/links.py`` is the one plumbing module that reads the URL map for e-mails.
PLUMBING = {"referrals/links.py": {"current_app"}}


def _service_modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            if rel in NOT_YET:
                continue
            if path.name in SERVICE_NAMES or rel in OTHER_SERVICES:
                found.append(path)
    return found


def _flask_globals_used(path: Path) -> set[str]:
    """Names of FORBIDDEN taken from flask (``from flask import g``) or read off the module
    (``flask.current_app``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flask":
            used |= {alias.name for alias in node.names} & FORBIDDEN
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "flask"
            and node.attr in FORBIDDEN
        ):
            used.add(node.attr)
    return used


def test_the_rule_covers_the_service_modules():
    names = {p.relative_to(PROJECT_ROOT).as_posix() for p in _service_modules()}
    # Meaningful: the modules that used to read the globals are all checked.
    assert {
        "auth/services.py",
        "auth/sessions.py",
        "auth/lockout.py",
        "casework/tasks.py",
        "casework/planning/tasks.py",
        "casework/monitoring/tasks.py",
        "referrals/sending.py",
        "referrals/services.py",
        "referrals/policy.py",
        "referrals/reading.py",
        "referrals/followup/queries.py",
    } <= names
    assert not names & NOT_YET


@pytest.mark.parametrize(
    "path", _service_modules(), ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix()
)
def test_services_take_settings_as_arguments_not_from_flask_globals(path: Path):
    rel = path.relative_to(PROJECT_ROOT).as_posix()
    used = _flask_globals_used(path) - PLUMBING.get(rel, set())
    assert not used, (
        f"{rel} uses {sorted(used)}: take the Settings section as an argument (routes and "
        "commands read core.config.current_settings()) and build URLs in the route"
    )


def test_the_ast_check_finds_a_forbidden_import(tmp_path: Path):
    bad = tmp_path / "services.py"
    bad.write_text("import flask\nfrom flask import current_app, request\nflask.g.x = 1\n")
    assert _flask_globals_used(bad) == {"current_app", "g"}


def test_domain_settings_are_not_copied_into_app_config(app):
    settings = settings_of(app)
    assert app.config["HOMEWARD_SETTINGS"] is settings
    for name in (
        "PLAN_DUE_DAYS",
        "VISIT_INTERVAL_DAYS",
        "REFERRAL_ESCALATION_DAYS",
        "LOCKOUT_THRESHOLD",
        "SESSION_IDLE_MINUTES",
        "MFA_REQUIRED_FOR_ALL",
        "ENV",
        "MAIL_FROM",
        "SMTP_URL",
        "BASE_URL",
        "DEFAULT_LOCALE",
    ):
        assert name not in app.config, name
    # What Flask and its extensions need is still there.
    assert app.config["SECRET_KEY"] and app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["BABEL_DEFAULT_LOCALE"] == settings.DEFAULT_LOCALE


def test_respond_hours_passed_in_set_the_deadline_without_an_app_context():
    assert not has_app_context()
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    default = Settings().referrals
    quick = replace(Settings(), REFERRAL_RESPOND_HOURS_URGENT=5).referrals
    assert sending.default_respond_by(Urgency.URGENT, default, now) == now + timedelta(hours=48)
    assert sending.default_respond_by(Urgency.URGENT, quick, now) == now + timedelta(hours=5)
    assert sending.default_respond_by("routine", quick, now) == now + timedelta(hours=120)


def test_session_limits_passed_in_decide_expiry_without_an_app_context():
    assert not has_app_context()
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    row = UserSession(created_at=now - timedelta(hours=2), last_seen_at=now - timedelta(minutes=45))
    assert sessions.expiry_reason(row, now, Settings().auth) == "idle_timeout"
    longer = replace(Settings(), SESSION_IDLE_MINUTES=60).auth
    assert sessions.expiry_reason(row, now, longer) is None
    shorter = replace(Settings(), SESSION_IDLE_MINUTES=60, SESSION_ABSOLUTE_HOURS=1).auth
    assert sessions.expiry_reason(row, now, shorter) == "absolute_timeout"
    assert sessions.seconds_left(row, longer) == 0  # utcnow() is long past the fixed ``now``


def _actor(account) -> Actor:
    user = account.user
    return Actor(user.id, Role(user.role), user.organisation_id)


def test_plan_due_days_passed_in_change_the_task_without_an_app_context(
    app, db_session, client, supervisor
):
    sign_in(client, supervisor, db_session)
    case = case_of(db_session, registered_case(client))
    case.assigned_to_id = None
    case.opened_at = case.opened_at - timedelta(days=25)
    db_session.commit()
    assert not has_app_context()
    settings = settings_of(app)
    due = planning_tasks.tasks_of(_actor(supervisor), db_session, settings)
    assert [t.reference for t in due if t.kind == "plan_due"] == [case.case_number]
    later = replace(settings, PLAN_DUE_DAYS=60)
    due = planning_tasks.tasks_of(_actor(supervisor), db_session, later)
    assert [t for t in due if t.kind == "plan_due"] == []


def test_visit_interval_passed_in_changes_the_task_without_an_app_context(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    case = case_of(db_session, registered_case(client))
    case.stage = "implementation"
    db_session.commit()
    assert not has_app_context()
    settings = settings_of(app)  # 90 days: not due for a case opened today
    assert monitoring_tasks.tasks_of(_actor(caseworker), db_session, settings) == []
    weekly = replace(settings, VISIT_INTERVAL_DAYS=7)
    (task,) = monitoring_tasks.tasks_of(_actor(caseworker), db_session, weekly)
    assert (task.kind, task.reference) == ("visit_due", case.case_number)


@pytest.mark.parametrize("days", [29, 366])
def test_the_reflection_period_is_bounded(days):
    with pytest.raises(ConfigError):
        Settings.from_env(environ={"HOMEWARD_REFLECTION_PERIOD_DAYS": str(days)}).validate()
    for days_ok in (30, 365):
        Settings(REFLECTION_PERIOD_DAYS=days_ok).validate()
    assert BOUNDS["REFLECTION_PERIOD_DAYS"] == (30, 365)


def test_every_bounded_setting_is_in_the_readme_table():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `HOMEWARD_(\w+)` \|", readme, flags=re.MULTILINE))
    assert set(BOUNDS) <= documented
    assert "REFLECTION_PERIOD_DAYS" in documented
