"""Why a provider declines, as a code from the deployment's list (issue 16's "declined by
reason"): the service records the code on the decline's event and in the audit (never the
text), refuses a code not offered; the page asks for it accessibly and keeps what was typed
on an error; the referrer reads the label beside the text; the figure counts it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from core.clock import utcnow
from core.crypto import EXTENSION_KEY, bind_crypto
from core.lists import queries
from core.lists.models import ListEntry
from core.lists.registry import spec
from core.permissions import Role
from core.security import Actor
from core.settings_sections import ReportSettings
from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import DECLINE_REASONS, ReferralState
from reports.indicators import compute
from reports.tables import Filters
from tests.referrals.helpers import case_id_of, provider_post, send

TEXT = "Our two counsellors are fully booked until March; the district centre has places."
CAPACITY = "No capacity or the waiting list is full"


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _provider_actor(provider) -> Actor:
    return Actor(provider.user.id, Role.PROVIDER_STAFF, provider.user.organisation_id)


def _decline(app, db_session, provider, referral: Referral, code: str | None) -> ReferralEvent:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        return services.decline(db_session, _provider_actor(provider), referral, TEXT, code)


def _decline_event(db_session, referral: Referral) -> ReferralEvent | None:
    return db_session.scalar(
        select(ReferralEvent).where(
            ReferralEvent.referral_id == referral.id,
            ReferralEvent.to_state == ReferralState.DECLINED.value,
        )
    )


def _retire(db_session, code: str) -> None:
    db_session.add(
        ListEntry(list_name=DECLINE_REASONS, code=code, added=False, retired=True, labels={})
    )
    db_session.commit()
    queries.forget(db_session, DECLINE_REASONS)


def _options(page: str) -> list[str]:
    match = re.search(r'<select[^>]*id="reason_code"[^>]*>(.*?)</select>', page, re.S)
    assert match, "no reason select on the page"
    return re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))


def test_the_list_is_defined_with_codes_and_other_kept():
    reasons = spec(DECLINE_REASONS)
    assert reasons.builtin_codes[0] == "no_capacity" and reasons.builtin_codes[-1] == "other"
    assert len(reasons.builtin_codes) == 8 and reasons.kept == frozenset({"other"})
    assert all(len(code) <= 30 for code in reasons.builtin_codes)


# -- the service ------------------------------------------------------------------------------


def test_the_code_is_recorded_on_the_event_and_in_the_audit_never_the_text(
    app, db_session, client, case, service, provider
):
    referral = send(client, db_session, case, service)
    event = _decline(app, db_session, provider, referral, "safety_concern")
    db_session.commit()
    assert event.reason_code == "safety_concern"
    db_session.expire_all()
    assert _decline_event(db_session, referral).reason_code == "safety_concern"
    assert referral.state == ReferralState.DECLINED and referral.decline_reason == TEXT
    audit = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "referral.declined", AuditEvent.object_id == str(referral.id)
        )
    )
    assert audit.details_dict["reason_code"] == "safety_concern"
    assert audit.details_dict["fields"] == ["decline_reason"]
    assert "counsellors" not in audit.details


@pytest.mark.parametrize("code", [None, "", "made_up", "No capacity", "deadline_passed"])
def test_a_code_not_in_the_list_is_refused_and_nothing_changes(
    app, db_session, client, case, service, provider, code
):
    referral = send(client, db_session, case, service)
    with pytest.raises(services.ReferralError) as refused:
        _decline(app, db_session, provider, referral, code)
    assert refused.value.field == "reason_code"
    db_session.expire_all()
    assert referral.state == ReferralState.SENT and _decline_event(db_session, referral) is None


def test_a_retired_code_is_refused_and_no_longer_offered(
    app, db_session, client, case, service, provider, provider_client
):
    _retire(db_session, "safety_concern")
    referral = send(client, db_session, case, service)
    with pytest.raises(services.ReferralError):
        _decline(app, db_session, provider, referral, "safety_concern")
    page = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "safety_concern" not in _options(page) and "no_capacity" in _options(page)
    data = {"reason": TEXT, "reason_code": "safety_concern"}
    assert provider_post(provider_client, referral, "decline", data).status_code == 400
    db_session.expire_all()
    assert referral.state == ReferralState.SENT


# -- the pages --------------------------------------------------------------------------------


def test_the_page_offers_the_reasons_before_the_text_with_a_hint(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    page = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert _options(page) == ["", *spec(DECLINE_REASONS).builtin_codes]
    assert '<label for="reason_code">Reason <span class="required">' in page
    assert re.search(r'<select[^>]*aria-describedby="reason_code-hint"', page)
    assert page.index('name="reason_code"') < page.index('name="reason"')


def test_a_decline_without_a_reason_is_a_400_with_the_message_and_keeps_the_text(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    response = provider_post(provider_client, referral, "decline", {"reason": TEXT})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<p class="field-error" id="reason_code-error">Choose the reason you decline.' in page
    assert re.search(
        r'<select[^>]*aria-describedby="reason_code-hint reason_code-error"[^>]*'
        r'aria-invalid="true"',
        page,
    )
    assert TEXT in page  # what the provider wrote is not lost
    made_up = provider_post(
        provider_client, referral, "decline", {"reason": TEXT, "reason_code": "made_up"}
    )
    assert made_up.status_code == 400 and 'id="reason_code-error"' in made_up.get_data(True)
    db_session.expire_all()
    assert referral.state == ReferralState.SENT and _decline_event(db_session, referral) is None


def test_a_decline_needs_the_csrf_token(app, db_session, client, case, service, provider_client):
    referral = send(client, db_session, case, service)
    data = {"reason": TEXT, "reason_code": "no_capacity"}
    response = provider_client.post(f"/referrals/{referral.id}/decline", data=data)
    assert response.status_code == 400
    db_session.expire_all()
    assert referral.state == ReferralState.SENT and _decline_event(db_session, referral) is None


def test_a_decline_with_a_reason_records_it_and_the_referrer_reads_its_label(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    data = {"reason": TEXT, "reason_code": "no_capacity"}
    assert provider_post(provider_client, referral, "decline", data).status_code == 302
    db_session.expire_all()
    assert referral.state == ReferralState.DECLINED
    assert _decline_event(db_session, referral).reason_code == "no_capacity"
    seen = client.get(case).get_data(as_text=True)
    assert re.search(rf"Reason for declining:</strong> {CAPACITY} · <span[^>]*>{TEXT[:20]}", seen)
    provider_page = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="reason_code"' not in provider_page  # answered: no form any more


# -- the figure -------------------------------------------------------------------------------


def test_the_figure_counts_declined_referrals_under_their_reason(
    app, db_session, client, case, service, provider_client
):
    # Hand-computed: 6 declined for no capacity, 5 because the person declined, none without
    # a code (no other state: a small count beside them would hide the declined total).
    for code, n in (("no_capacity", 6), ("person_declined", 5)):
        for _ in range(n):
            referral = send(client, db_session, case, service)
            data = {"reason": TEXT, "reason_code": code}
            assert provider_post(provider_client, referral, "decline", data).status_code == 302
    db_session.expire_all()
    organisation = db_session.get(Case, case_id_of(case)).organisation_id
    today = utcnow().date()
    filters = Filters(
        start=today.replace(day=1), end=today, organisation_ids=frozenset({organisation})
    )
    with app.test_request_context("/"):
        sections = compute(
            db_session, filters, ReportSettings(small_cell_threshold=5, export_min_group=11), 30
        )
    figure = next(f for s in sections for f in s.figures if f.key == "referrals_declined_by_reason")
    table = figure.table
    assert not table.withheld
    rows = {row: cells[0] for row, cells in zip(table.rows, table.cells, strict=True)}
    assert rows[CAPACITY] == 6
    assert rows["The person declined the service"] == 5
    assert rows["Unknown"] == 0 and rows["Other"] == 0
    assert list(rows)[: len(spec(DECLINE_REASONS).builtin)] == [
        str(label) for _code, label in spec(DECLINE_REASONS).builtin
    ]
    assert table.total == 11
