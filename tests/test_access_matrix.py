"""The access matrix: every route x every role (and anonymous) x its methods.

Each endpoint must be listed in ``EXPECTED`` with the roles allowed to reach it; a route added
without an entry fails this test. "Allowed" means the request got past the login gate and the
role check (any answer but a login redirect or 403: the page itself may still say 400 or 404
for a made-up object); everyone else must get the login redirect (anonymous) or 403.
"""

from __future__ import annotations

import re
import uuid

import pytest

from core.extensions import limiter
from core.permissions import Role
from tests.factories import make_account, sign_in

PUBLIC = "public"
SIGNED_IN = frozenset(Role)
ADMIN = frozenset({Role.ADMINISTRATOR})
CASE_TEAM = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
AUDITOR = frozenset({Role.AUDITOR})
DIRECTORY_READERS = frozenset(
    {Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF, Role.ADMINISTRATOR}
)

EXPECTED: dict[str, frozenset[Role] | str] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "health.metrics": PUBLIC,
    "auth.login": PUBLIC,
    "auth.choose_language": PUBLIC,
    "auth.second_factor": PUBLIC,
    "auth.enrol": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.request_password_reset": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.enrolment_link": PUBLIC,
    "home.index": SIGNED_IN,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.account_language": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "auth.set_time_zone": SIGNED_IN,
    "auth.keep_alive": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.replace_second_factor": SIGNED_IN,
    "auth.confirm_second_factor": SIGNED_IN,
    "auth.admin.users": ADMIN,
    "auth.admin.invite": ADMIN,
    "auth.admin.user": ADMIN,
    "auth.admin.deactivate": ADMIN,
    "auth.admin.reactivate": ADMIN,
    "auth.admin.unlock": ADMIN,
    "auth.admin.reset_mfa": ADMIN,
    "auth.admin.end_sessions": ADMIN,
    "auth.admin.resend_invitation": ADMIN,
    "auth.admin.end_session": ADMIN,
    "auth.admin.organisations": ADMIN,
    "auth.admin.new_organisation": ADMIN,
    "auth.admin.organisation": ADMIN,
    "outbox.index": ADMIN,
    "outbox.retry": ADMIN,
    "outbox.discard": ADMIN,
    "casework.index": CASE_TEAM,
    "casework.register": CASE_TEAM,
    "casework.search": CASE_TEAM,
    "casework.search_results": CASE_TEAM,
    "casework.case": CASE_TEAM,
    "casework.add_note": CASE_TEAM,
    "casework.edit_person": CASE_TEAM,
    "casework.edit_case": CASE_TEAM,
    "casework.add_document": CASE_TEAM,
    "casework.emergency_access": CASE_TEAM,
    "casework.transfers.request_transfer": frozenset({Role.SUPERVISOR}),
    "casework.transfers.accept": frozenset({Role.SUPERVISOR}),
    "casework.transfers.decline": frozenset({Role.SUPERVISOR}),
    "casework.attachments.upload": CASE_TEAM,
    "casework.attachments.download": CASE_TEAM,
    "casework.assign": frozenset({Role.SUPERVISOR}),
    "casework.consent.history": CASE_TEAM,
    "casework.consent.record": CASE_TEAM,
    "casework.consent.withdraw": CASE_TEAM,
    "casework.screening.history": CASE_TEAM,
    "casework.screening.record": CASE_TEAM,
    "casework.screening.reflection": CASE_TEAM,
    "casework.closure.request_closure": CASE_TEAM,
    "casework.closure.decide": frozenset({Role.SUPERVISOR}),
    "casework.closure.reopen": CASE_TEAM,
    "casework.subject_rights.export_json": frozenset({Role.SUPERVISOR}),
    "casework.subject_rights.export_page": frozenset({Role.SUPERVISOR}),
    "casework.subject_rights.request_erasure": frozenset({Role.SUPERVISOR}),
    "casework.subject_rights.confirm_erasure": frozenset({Role.SUPERVISOR}),
    "casework.subject_rights.cancel_erasure": frozenset({Role.SUPERVISOR}),
    "casework.monitoring.history": CASE_TEAM,
    "casework.monitoring.record": CASE_TEAM,
    "casework.survey.index": ADMIN,
    "casework.survey.add_indicator": ADMIN,
    "casework.planning.assessments": CASE_TEAM,
    "casework.planning.assessment": CASE_TEAM,
    "casework.planning.record_assessment": CASE_TEAM,
    "casework.planning.start_plan": CASE_TEAM,
    "casework.planning.plan": CASE_TEAM,
    "casework.planning.add_action": CASE_TEAM,
    "casework.planning.add_actions": CASE_TEAM,
    "casework.planning.edit_action": CASE_TEAM,
    "casework.planning.remove_action": CASE_TEAM,
    "casework.planning.action_status": CASE_TEAM,
    "casework.planning.submit": CASE_TEAM,
    "casework.planning.review": frozenset({Role.SUPERVISOR}),
    "referrals.inbox": frozenset({Role.PROVIDER_STAFF}),
    "directory.index": DIRECTORY_READERS,
    "directory.service": DIRECTORY_READERS,
    "directory.manage_index": ADMIN,
    "directory.new_organization": ADMIN,
    "directory.edit_organization": ADMIN,
    "directory.new_location": ADMIN,
    "directory.edit_location": ADMIN,
    "directory.new_service": ADMIN,
    "directory.edit_service": ADMIN,
    "directory.export": ADMIN,
    "directory.import_archive": ADMIN,
    "referral_followup.mine": CASE_TEAM,
    "referral_followup.acknowledge": CASE_TEAM,
    "referral_followup.organisation_overdue": frozenset({Role.SUPERVISOR}),
    "referral_followup.figures": frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
    "referrals.view": frozenset({Role.PROVIDER_STAFF}),
    "referrals.accept": frozenset({Role.PROVIDER_STAFF}),
    "referrals.decline": frozenset({Role.PROVIDER_STAFF}),
    "referrals.complete": frozenset({Role.PROVIDER_STAFF}),
    "referrals.not_completed": frozenset({Role.PROVIDER_STAFF}),
    "referrals.choose_service": CASE_TEAM,
    "referrals.new": CASE_TEAM,
    "referrals.preview": CASE_TEAM,
    "referrals.send": CASE_TEAM,
    "referrals.case_view": CASE_TEAM,
    "referrals.cancel": CASE_TEAM,
    "referrals.mark_action_done": CASE_TEAM,
    "tasks.index": frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF}),
    "today.index": CASE_TEAM,
    "audit.index": AUDITOR,
    "audit.case_history": AUDITOR,
    "audit.user_activity": AUDITOR,
    "audit.chain_status": AUDITOR,
    "audit.alert_list": AUDITOR,
    "audit.emergency_grant": AUDITOR,
    "audit.export": AUDITOR,
    "audit.verify_recent": AUDITOR,
    # issue 17: feedback
    "referral_feedback.about_referral": CASE_TEAM,
    "referral_feedback.provider_survey": frozenset({Role.PROVIDER_STAFF}),
    "referral_feedback.at_closure": CASE_TEAM,
    # issue 17: assistance
    "casework.assistance.record_assistance": CASE_TEAM,
    "casework.assistance.disbursement": CASE_TEAM,
    "casework.assistance.receipt": CASE_TEAM,
    "casework.assistance.decide": frozenset({Role.SUPERVISOR}),
    "casework.assistance_summary.index": frozenset({Role.SUPERVISOR}),
    # issue 17: places
    "places.index": ADMIN,
    # issue 17: safety
    "casework.safety.flags": CASE_TEAM,
    "casework.safety.raise_flag": CASE_TEAM,
    "casework.safety.end_flag": CASE_TEAM,
    "casework.safety.mark_seen": frozenset({Role.SUPERVISOR}),
    "casework.safety.plan": CASE_TEAM,
    "casework.safety.edit_plan": CASE_TEAM,
    # issue 17: lists
    "auth.admin.lists": ADMIN,
    "auth.admin.list_entries": ADMIN,
    "auth.admin.new_list_entry": ADMIN,
    "auth.admin.list_entry": ADMIN,
    "auth.admin.retire_list_entry": ADMIN,
    "auth.admin.offer_list_entry": ADMIN,
    # issue 17: households
    "casework.households.register_family": CASE_TEAM,
    "casework.households.register_member": CASE_TEAM,
    "casework.households.add_member": CASE_TEAM,
    "casework.households.change_role": CASE_TEAM,
    "casework.households.remove_member": CASE_TEAM,
    # issue 17: story
    "casework.screening.story": CASE_TEAM,
    "casework.screening.record_story": CASE_TEAM,
    # issue 16: figures dashboards (the analyst reaches these and nothing else but the account)
    "reports.team": frozenset({Role.SUPERVISOR}),
    "reports.national": frozenset({Role.ANALYST}),
    "reports.ctdc": frozenset({Role.ANALYST}),
}


def _url_for_rule(rule, objects) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in objects:
            return str(objects[name])
        if converter == "uuid":
            return str(uuid.uuid4())
        return "not-a-real-token"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def _csrf(client, signed_in: bool) -> str:
    body = client.get("/account" if signed_in else "/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert match
    return match.group(1)


def _outcome(response) -> str:
    if response.status_code == 403:
        return "forbidden"
    if response.headers.get("X-Login-Required") == "1":
        return "login"
    return "allowed"


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - EXPECTED.keys()
    stale = EXPECTED.keys() - endpoints
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_access_matrix(app, db_session, role):
    target = make_account(app, db_session, Role.CASEWORKER)
    objects = {
        "user_id": target.user.id,
        "org_id": target.user.organisation_id,
        "filename": "css/homeward.css",
    }
    account = make_account(app, db_session, role) if role else None
    limiter.enabled = False
    failures = []
    try:
        client = app.test_client()
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            expected = EXPECTED[rule.endpoint]
            allowed = expected == PUBLIC or (role is not None and role in expected)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if account is not None and client.get("/account").status_code != 200:
                    sign_in(client, account, db_session)
                url = _url_for_rule(rule, objects)
                data = (
                    {"csrf_token": _csrf(client, account is not None)} if method == "POST" else None
                )
                response = client.open(url, method=method, data=data)
                got = _outcome(response)
                want = "allowed" if allowed else ("login" if role is None else "forbidden")
                if got != want:
                    failures.append(
                        f"{method} {url} ({rule.endpoint}): want {want}, got "
                        f"{got} [{response.status_code}]"
                    )
    finally:
        limiter.enabled = True
    assert failures == []
