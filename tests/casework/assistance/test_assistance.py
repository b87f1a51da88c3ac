"""Assistance delivered: recording, the budget, the second person's approval, receipts and the
summaries, through the real pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.assistance import budget, policy, queries, services
from casework.assistance.models import Disbursement
from casework.attachments.models import CaseAttachment
from casework.models import Case
from casework.signals import household_cases_asking
from casework.tasks import tasks_for
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.assistance.helpers import grant, latest, record
from tests.casework.helpers import FARIDA, PDF_BYTES, case_url, register
from tests.casework.planning_helpers import add_action, record_assessment, start_plan
from tests.factories import (
    csrf_token,
    make_account,
    make_organisation,
    post_form,
    settings_of,
    sign_in,
)
from tests.factories import override_settings as settings_overridden


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _actor(account) -> Actor:
    return account.actor


def _case(db_session, url: str) -> Case:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def _events(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _boss(app, db_session, supervisor):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    return boss


def test_under_the_threshold_counts_at_once(app, db_session, client, farida, caseworker):
    response = record(client, farida, grant(caseworker.user.id, kind="transport", amount="40.50"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    found = latest(db_session)
    assert (found.status, found.amount_minor, found.currency) == ("recorded", 4050, "USD")
    assert found.note == "Sewing machine and fabric for the tailoring shop"
    assert b"Sewing" not in found.note_ciphertext
    page = client.get(farida).get_data(as_text=True)
    assert "$40.50" in page and "Transport" in page
    [event] = _events(db_session, "assistance.recorded")
    assert event.details_dict == {"kind": "transport", "currency": "USD", "status": "recorded"}


def test_above_the_threshold_waits_for_a_second_person(
    app, db_session, client, farida, caseworker, supervisor
):
    assert record(client, farida, grant(caseworker.user.id)).status_code == 302
    found = latest(db_session)
    assert found.status == "pending"
    decide = f"{farida}/assistance/{found.id}/decision"
    # The caseworker may not decide, even by posting.
    assert post_form(client, decide, {"decision": "approve"}, token_from=farida).status_code == 403
    boss = _boss(app, db_session, supervisor)
    tasks = tasks_for(db_session, _actor(supervisor), settings_of(app))
    assert [t.kind for t in tasks if t.kind == "assistance_approval"] == ["assistance_approval"]
    assert boss.get(decide).status_code == 200
    assert post_form(boss, decide, {"decision": "approve"}).status_code == 302
    assert latest(db_session).status == "approved"
    assert latest(db_session).decided_by_id == supervisor.user.id
    # Decided: a second decision is a clean conflict, never a change.
    again = post_form(
        boss, decide, {"decision": "return", "comment": "Too much"}, token_from=farida
    )
    assert again.status_code == 409
    assert latest(db_session).status == "approved"
    assert len(_events(db_session, "assistance.approved")) == 1


def test_a_supervisor_never_approves_their_own(app, db_session, agency, supervisor):
    other = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    first = _boss(app, db_session, supervisor)
    url = case_url(register(first, FARIDA))
    assert record(first, url, grant(supervisor.user.id)).status_code == 302
    decide = f"{url}/assistance/{latest(db_session).id}/decision"
    assert first.get(decide).status_code == 403
    denial = _events(db_session, "access.denied")[-1]
    assert denial.details_dict.get("reason") == "own_request"
    second = _boss(app, db_session, other)
    assert (
        post_form(second, decide, {"decision": "return", "comment": "No quote."}).status_code == 302
    )
    assert latest(db_session).status == "returned"
    assert latest(db_session).return_comment == "No quote."


def test_a_supervisor_of_another_organisation_may_not_decide(
    app, db_session, client, farida, caseworker
):
    outsider = make_account(
        app,
        db_session,
        Role.SUPERVISOR,
        organisation=make_organisation(app, db_session, agency=True),
    )
    assert record(client, farida, grant(caseworker.user.id)).status_code == 302
    found = latest(db_session)
    other = _boss(app, db_session, outsider)
    assert other.get(f"{farida}/assistance/{found.id}/decision").status_code == 403
    assert tasks_for(db_session, _actor(outsider), settings_of(app)) == [] or all(
        t.kind != "assistance_approval"
        for t in tasks_for(db_session, _actor(outsider), settings_of(app))
    )


def test_the_budget_per_person_counts_pending_and_frees_returned(
    app, db_session, client, farida, caseworker, supervisor
):
    boss = _boss(app, db_session, supervisor)
    for amount in ("900", "900"):
        assert record(client, farida, grant(caseworker.user.id, amount=amount)).status_code == 302
    # 1,800 reserved of 2,000: 300 more would exceed the limit.
    refused = record(client, farida, grant(caseworker.user.id, kind="cash", amount="300"))
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "exceed the limit per person" in body and "$200.00" in body and "$2,000.00" in body
    assert _events(db_session, "assistance.refused")[-1].details_dict["reason"] == "person_limit"
    # Returning one frees its amount.
    pending = db_session.scalars(select(Disbursement).where(Disbursement.status == "pending")).all()
    decide = f"{farida}/assistance/{pending[0].id}/decision"
    assert (
        post_form(boss, decide, {"decision": "return", "comment": "Not agreed."}).status_code == 302
    )
    assert (
        record(client, farida, grant(caseworker.user.id, kind="cash", amount="300")).status_code
        == 302
    )
    found_budget = budget.budget(db_session, _case(db_session, farida), settings_of(app).casework)
    assert (
        found_budget.person.used,
        found_budget.person.reserved,
        found_budget.person.remaining,
    ) == (
        30000,
        90000,
        80000,
    )


def test_the_budget_per_household_adds_up_the_household(
    app, db_session, client, farida, caseworker, override_settings
):
    override_settings(ASSISTANCE_MAX_PER_HOUSEHOLD=1000, ASSISTANCE_APPROVAL_THRESHOLD=1000)
    second = case_url(
        register(
            client,
            {**FARIDA, "name_latin": "Karim Nazari", "name_original": "کریم"},
            confirm_new=True,
        )
    )
    ids = [_case(db_session, farida).id, _case(db_session, second).id]

    def household(_case, **_kw):
        return ids

    household_cases_asking.connect(household)
    try:
        assert record(client, farida, grant(caseworker.user.id, amount="700")).status_code == 302
        refused = record(client, second, grant(caseworker.user.id, amount="400"))
        assert refused.status_code == 422
        assert "limit per household" in refused.get_data(as_text=True)
        assert record(client, second, grant(caseworker.user.id, amount="300")).status_code == 302
    finally:
        household_cases_asking.disconnect(household)


def test_another_currency_always_waits_and_is_not_counted(
    app, db_session, client, farida, caseworker
):
    assert (
        record(client, farida, grant(caseworker.user.id, amount="1000", currency="AFN")).status_code
        == 302
    )
    found = latest(db_session)
    assert (found.status, found.amount_minor) == ("pending", 1000)  # AFN has no minor unit here
    found_budget = budget.budget(db_session, _case(db_session, farida), settings_of(app).casework)
    assert found_budget.person.reserved == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5", "greater than zero"),
        ("amount", "0", "greater than zero"),
        ("amount", "12.345", "at most 2 decimals"),
        ("amount", "1e400", "too large"),
        ("amount", "NaN", "as a number"),
        ("amount", "ten", "as a number"),
        ("currency", "XXX", "Not a valid choice"),
        ("kind", "lottery", "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    app, db_session, client, farida, caseworker, field, value, message
):
    response = record(client, farida, grant(caseworker.user.id, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Disbursement)) == 0


def test_afghani_amounts_have_no_decimals(app, db_session, client, farida, caseworker):
    response = record(client, farida, grant(caseworker.user.id, amount="10.5", currency="AFN"))
    assert response.status_code == 422
    assert "AFN amounts have no decimals" in response.get_data(as_text=True)


def test_linked_to_a_plan_action(app, db_session, client, farida, caseworker):
    assert record_assessment(client, farida).status_code == 302
    assert start_plan(client, farida).status_code == 302
    assert add_action(client, farida).status_code == 302
    form = client.get(f"{farida}/assistance/new").get_data(as_text=True)
    assert "Enrol in the tailoring grant programme" in form
    [(action_id, _label)] = services.plan_actions(db_session, _case(db_session, farida))
    data = grant(caseworker.user.id, amount="100", plan_action=str(action_id))
    assert record(client, farida, data).status_code == 302
    assert latest(db_session).plan_action_id == action_id
    bad = record(client, farida, grant(caseworker.user.id, plan_action=str(uuid.uuid4())))
    assert bad.status_code == 422


def test_receipt_is_an_encrypted_attachment(app, db_session, client, farida, caseworker):
    assert record(client, farida, grant(caseworker.user.id, amount="100")).status_code == 302
    found = latest(db_session)
    page = f"{farida}/assistance/{found.id}"
    token = csrf_token(client, page)

    def post(data: bytes, name: str, version: int):
        return client.post(
            f"{page}/receipt",
            data={
                "csrf_token": token,
                "version": str(version),
                "receipt": (io.BytesIO(data), name, "application/pdf"),
            },
            content_type="multipart/form-data",
        )

    bad = post(b"MZ\x90\x00 not a receipt", "receipt.exe", found.version)
    assert bad.status_code == 422 and "cannot be attached" in bad.get_data(as_text=True)
    assert post(PDF_BYTES, "receipt.pdf", found.version).status_code == 302
    found = latest(db_session)
    attachment = db_session.get(CaseAttachment, found.receipt_id)
    assert attachment is not None and attachment.case_id == found.case_id
    assert PDF_BYTES[:20] not in attachment.sealed_content
    download = client.get(f"{farida}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    stale = post(PDF_BYTES, "receipt.pdf", found.version - 1)
    assert stale.status_code == 409
    assert len(_events(db_session, "assistance.receipt_attached")) == 1
    with settings_overridden(app, ATTACHMENT_MAX_MB=1):
        big = post(PDF_BYTES + b"0" * (1024 * 1024), "receipt.pdf", found.version)
    assert big.status_code == 413 and "larger than 1 MB" in big.get_data(as_text=True)


def test_the_case_summary_adds_up(app, db_session, client, farida, caseworker, supervisor):
    boss = _boss(app, db_session, supervisor)
    for kind, amount, currency in (
        ("cash", "100", "USD"),
        ("cash", "50.25", "USD"),
        ("medical", "300", "USD"),
        ("housing", "900", "USD"),
        ("education", "5000", "AFN"),
    ):
        data = grant(caseworker.user.id, kind=kind, amount=amount, currency=currency)
        assert record(client, farida, data).status_code == 302
    for d in db_session.scalars(select(Disbursement).where(Disbursement.currency == "AFN")):
        assert (
            post_form(
                boss, f"{farida}/assistance/{d.id}/decision", {"decision": "approve"}
            ).status_code
            == 302
        )
    case = _case(db_session, farida)
    totals = queries.case_totals(db_session, case)
    counted = db_session.scalars(
        select(Disbursement).where(Disbursement.status.in_(("recorded", "approved")))
    ).all()
    for currency in ("USD", "AFN"):
        assert sum(t.amount_minor for t in totals if t.currency == currency) == sum(
            d.amount_minor for d in counted if d.currency == currency
        )
    assert {(t.group, t.currency): t.amount for t in totals}[("cash", "USD")] == Decimal("150.25")
    pending = queries.case_totals(db_session, case, pending=True)
    assert [(t.group, t.amount_minor) for t in pending] == [("housing", 90000)]


def test_the_organisation_summary_adds_up(app, db_session, client, farida, caseworker, supervisor):
    for kind, amount in (("cash", "100"), ("medical", "250.50"), ("cash", "20")):
        assert (
            record(client, farida, grant(caseworker.user.id, kind=kind, amount=amount)).status_code
            == 302
        )
    boss = _boss(app, db_session, supervisor)
    page = boss.get("/cases/assistance-summary/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "$370.50" in body and 'id="people-assisted">1<' in body
    assert _events(db_session, "assistance.summary_viewed")
    summary = queries.organisation_summary(db_session, _actor(supervisor))
    rows = db_session.scalars(select(Disbursement)).all()
    total = sum(d.amount_minor for d in rows)
    assert sum(t.amount_minor for t in summary.by_kind) == total
    assert sum(t.amount_minor for t in summary.by_month) == total
    assert sum(t.amount_minor for t in summary.by_currency) == total
    assert sum(t.count for t in summary.by_kind) == len(rows)
    # Another organisation's supervisor sees none of it; a caseworker may not open the page.
    outsider = make_account(
        app,
        db_session,
        Role.SUPERVISOR,
        organisation=make_organisation(app, db_session, agency=True),
    )
    assert queries.organisation_summary(db_session, _actor(outsider)).by_kind == []
    assert client.get("/cases/assistance-summary/").status_code == 403


def test_policy_and_its_sql_twin_agree(
    app, db_session, client, farida, caseworker, supervisor, agency
):
    assert record(client, farida, grant(caseworker.user.id)).status_code == 302
    found = latest(db_session)
    case = _case(db_session, farida)
    stranger = make_account(
        app,
        db_session,
        Role.SUPERVISOR,
        organisation=make_organisation(app, db_session, agency=True),
    )
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    auditor = make_account(app, db_session, Role.AUDITOR)
    for account in (caseworker, supervisor, stranger, colleague, auditor):
        actor = _actor(account)
        seen = db_session.scalars(
            select(Disbursement.id).where(policy.visible_disbursements(actor))
        ).all()
        assert (found.id in seen) == policy.can_view(actor, case, found), account.user.role
        waiting = db_session.scalars(select(Disbursement.id).where(policy.waiting_for(actor))).all()
        assert (found.id in waiting) == policy.may_decide(actor, case, found), account.user.role
        recordable = db_session.scalars(select(Case.id).where(policy.recordable_cases(actor))).all()
        assert (case.id in recordable) == policy.can_record(actor, case), account.user.role
        summarised = db_session.scalars(
            select(Disbursement.id).where(policy.summarised(actor))
        ).all()
        assert (found.id in summarised) == (
            policy.can_view_summary(actor) and actor.organisation_id == found.organisation_id
        )
    assert policy.may_decide(_actor(supervisor), case, found)
    assert not policy.may_decide(_actor(caseworker), case, found)


def test_another_caseworker_may_not_record_or_see(
    app, db_session, client, farida, caseworker, agency
):
    assert record(client, farida, grant(caseworker.user.id, amount="10")).status_code == 302
    found = latest(db_session)
    colleague = app.test_client()
    sign_in(
        colleague, make_account(app, db_session, Role.CASEWORKER, organisation=agency), db_session
    )
    assert colleague.get(f"{farida}/assistance/new").status_code == 403
    assert colleague.get(f"{farida}/assistance/{found.id}").status_code == 403
    assert client.get(f"{farida}/assistance/{uuid.uuid4()}").status_code == 404


def test_a_transfer_returns_what_waits(app, db_session, client, farida, caseworker, supervisor):
    assert record(client, farida, grant(caseworker.user.id)).status_code == 302
    found = latest(db_session)
    case = _case(db_session, farida)
    services.on_case_transferred(case, db_session, _actor(supervisor))
    db_session.flush()
    assert latest(db_session).status == "returned"
    assert _events(db_session, "assistance.returned")[-1].details_dict == {
        "reason_code": "case_transferred"
    }
    assert found.id == latest(db_session).id
