"""Second reader's attacks on the referral workflow (issue 8): each test shows a confirmed
problem and fails until it is fixed.

Races are reproduced deterministically: the other transaction's committed change is applied
at the exact point where it can land in production (between a read and the conditional
UPDATE), with a plain SQL UPDATE as that transaction would leave it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from auth.models import Organisation
from casework.consent.models import LegalBasisRecord
from core.clock import utcnow
from referrals import sending, services
from referrals.models import Referral
from referrals.vocabulary import ReferralState
from tests.factories import override_settings, post_form
from tests.referrals.helpers import bases_of, new_url, referral_form, send, send_url


def test_withdrawal_cancels_a_referral_the_provider_accepted_meanwhile(
    app, db_session, client, case, service, provider_client, monkeypatch
):
    """Withdrawal reads the open referral as 'sent'; the provider's accept commits before the
    withdrawal's UPDATE ... WHERE state = 'sent'. The withdrawal then skips it (ReferralConflict
    is swallowed) and the referral stays accepted, open, relying on withdrawn consent."""
    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    basis = bases_of(db_session, case)[0]
    real = services._transition
    raced = []

    def provider_accepts_first(db, actor, r, to, **kw):
        if to is ReferralState.CANCELLED and not raced:
            raced.append(r.id)
            table = Referral.__table__
            db.execute(
                update(table)
                .where(table.c.id == r.id)
                .values(state=ReferralState.ACCEPTED.value, version=table.c.version + 1)
            )
        return real(db, actor, r, to, **kw)

    monkeypatch.setattr(services, "_transition", provider_accepts_first)
    response = post_form(client, f"{case}/consent/{basis.id}/withdraw", {"reason": "Said no"})
    assert response.status_code == 302
    assert raced == [referral.id]
    db_session.expire_all()
    assert db_session.get(LegalBasisRecord, basis.id).withdrawn_at is not None
    assert referral.state == ReferralState.CANCELLED, (
        "a referral relying on withdrawn consent is still open: " + referral.state
    )


def test_a_referral_sent_while_its_consent_is_withdrawn_is_not_left_open(
    app, db_session, client, case, service, monkeypatch
):
    """send_referral checks the basis, then inserts, without locking the basis row. A
    withdrawal committing in between finds no referral to cancel (it is not inserted yet) and
    the new referral is left 'sent' on a withdrawn consent (the provider is even e-mailed)."""
    basis = bases_of(db_session, case)[0]
    real = sending.check_details

    def withdrawn_meanwhile(db, case_, service_, details):
        found = real(db, case_, service_, details)
        table = LegalBasisRecord.__table__
        db.execute(
            update(table).where(table.c.id == found.id).values(withdrawn_at=utcnow())
        )  # the withdrawal request commits here; its cancel finds nothing yet
        return found

    monkeypatch.setattr(sending, "check_details", withdrawn_meanwhile)
    response = post_form(client, send_url(case, service), referral_form(basis.id))
    # The basis is locked and read again before the insert: the referral is refused. (The
    # simulated withdrawal ran in the same request, so it is rolled back with it here; in
    # production it is another transaction, which the lock orders before or after this one.)
    assert response.status_code == 400
    assert "withdrawn just now" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.query(Referral).filter(Referral.legal_basis_id == basis.id).count() == 0


@pytest.mark.parametrize("change", ["deactivated", "no_longer_provider"])
def test_no_referral_to_a_deactivated_or_non_provider_organisation(
    app, db_session, client, case, service, provider_org, change
):
    """is_referable checks only the service status and that the directory entry is linked; a
    provider organisation the administrator deactivated (or no longer marks as a provider)
    still receives referrals, and the person's fields are stored for it, although none of its
    staff can sign in (or hold the provider role) to answer."""
    org = db_session.get(Organisation, provider_org.id)
    if change == "deactivated":
        org.active = False
    else:  # it became a case agency only
        org.is_provider = False
        org.is_case_agency = True
    db_session.commit()
    basis = bases_of(db_session, case)[0]
    assert client.get(new_url(case, service)).status_code == 404
    response = post_form(client, send_url(case, service), referral_form(basis.id))
    assert response.status_code in (400, 404)
    assert db_session.query(Referral).count() == 0


def test_a_referral_sent_under_emergency_access_is_refused_or_reachable_by_its_sender(
    app, db_session, case, service
):
    """An emergency grant must not let a caseworker outside the case's scope (here of another
    agency) send a referral sharing the person's fields: either sharing under break-the-glass
    is refused, or the sender can reach (and cancel) what they sent. Emergency access is
    read-only, so it is refused."""
    from core.permissions import Role
    from tests.factories import make_account, make_organisation, sign_in

    other_agency = make_organisation(app, db_session, agency=True)
    outsider = make_account(app, db_session, Role.CASEWORKER, organisation=other_agency)
    other = app.test_client()
    sign_in(other, outsider, db_session)
    reason = {"reason": "Person collapsed at the centre; need medical history now."}
    # Emergency access stays inside the organisation by default ...
    refused = post_form(other, f"{case}/emergency", reason, token_from="/account")
    assert refused.status_code == 403
    # ... and where a deployment allows it across organisations, it still only reads.
    with override_settings(app, EMERGENCY_ACCESS_ACROSS_ORGANISATIONS=True):
        assert post_form(other, f"{case}/emergency", reason).status_code == 302
        basis = bases_of(db_session, case)[0]
        sent = post_form(other, send_url(case, service), referral_form(basis.id), "/account")
    opened = other.get(sent.headers["Location"]).status_code if sent.status_code == 302 else None
    assert sent.status_code != 302 or opened == 200, (
        f"referral sent under emergency access, and its sender gets {opened} on it"
    )
    assert sent.status_code == 403
    assert db_session.query(Referral).count() == 0


@pytest.mark.parametrize(
    ("action", "data", "accept_first"),
    [
        ("decline", {"reason": "No capacity", "reason_code": "no_capacity"}, False),
        ("complete", {"outcome": "Done", "outcome_date": "today"}, True),
        ("not-completed", {"reason": "Left the area"}, True),
        ("cancel", {"reason": "Moved away"}, False),
    ],
)
def test_answering_or_cancelling_after_erasure_is_not_a_500(
    app, db_session, client, case, service, provider_client, action, data, accept_first, monkeypatch
):
    """Erasure leaves the person's open referrals open (the provider can even still accept
    them), but every answer that carries a text (decline reason, outcome, not-completed
    reason, cancel reason) encrypts it for the erased subject: SubjectErasedError, a 500."""
    from casework.erasure import erase_person
    from casework.models import Case
    from tests.referrals.helpers import case_id_of, provider_post

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    if accept_first:
        assert provider_post(provider_client, referral, "accept").status_code == 302
    with app.app_context():
        person = db_session.get(Case, case_id_of(case)).person
        erase_person(db_session, None, person, "the person asked for it")
        db_session.commit()
    data = {k: (utcnow().date().isoformat() if v == "today" else v) for k, v in data.items()}
    # what a user gets, not the test's traceback
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    if action == "cancel":
        # Erasure cuts the answer deadline to its month, so the referral may have expired and
        # its cancel page only redirects: the token comes from a page that always has one.
        response = post_form(
            client, f"/referrals/{referral.id}/cancel", data, token_from="/account"
        )
    else:
        response = provider_post(provider_client, referral, action, data)
    assert response.status_code < 500


def test_after_completion_the_provider_is_not_shown_data_recorded_later(
    app, db_session, client, case, service, provider_client
):
    """The provider page renders the shared codes from the person's *current* record, for as
    long as the referral is completed (no end). A phone number (or address, or document)
    recorded after the work was done, e.g. after the person moved away from their
    traffickers, is disclosed to the provider, who has no purpose for it any more."""
    from tests.casework.test_editing import PERSON, _version
    from tests.referrals.helpers import provider_post

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    done = {"outcome": "Treated", "outcome_date": utcnow().date().isoformat()}
    assert provider_post(provider_client, referral, "complete", done).status_code == 302
    # The work is done: the provider keeps reference, state and feedback, not the fields.
    assert "+93 700 123 456" not in provider_client.get(f"/referrals/{referral.id}").get_data(
        as_text=True
    )
    edit = f"{case}/person"
    new_phone = "+93 799 000 111"
    changed = post_form(
        client, edit, {**PERSON, "phone": new_phone, "version": _version(client, edit)}
    )
    assert changed.status_code == 302
    body = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert new_phone not in body, "a phone recorded after completion is shown to the provider"


@pytest.mark.parametrize(
    ("action", "data"),
    [("decline", {"reason": ""}), ("accept", {"expected_completion": "2000-01-01"})],
)
def test_an_invalid_answer_after_the_deadline_does_not_show_the_fields(
    app,
    db_session,
    client,
    case,
    service,
    provider_client,
    time_travel,
    long_sessions,
    action,
    data,
):
    """_answer runs the lazy expiry only inside the services, after the form validated. The
    provider opened the page before the deadline; after it they submit an answer that fails
    validation (empty decline reason, a past expected completion): the 400 page re-renders
    the referral, still 'sent', with the shared fields, audited as a disclosure, although it
    is past its deadline (GET would have expired it and shown reference and state only)."""
    from tests.factories import csrf_token

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    token = csrf_token(provider_client, f"/referrals/{referral.id}")  # the page, before
    time_travel(hours=49)
    response = provider_client.post(
        f"/referrals/{referral.id}/{action}", data={**data, "csrf_token": token}
    )
    assert response.status_code in (302, 400, 409)
    body = response.get_data(as_text=True)
    assert "Farida Nazari" not in body and "+93 700 123 456" not in body, (
        "past its deadline, the provider is shown the person's fields"
    )


def test_after_a_case_transfer_someone_can_still_cancel_its_open_referral(
    app, db_session, client, case, service, supervisor
):
    """can_cancel wants the referrer or a supervisor of the *referring* organisation, and
    both must be able to open the case. After the case is transferred to another agency the
    referrer and their supervisor lose the case, and the receiving supervisor (who now owns
    the case and sees the referral) is not of the referring organisation: nobody can cancel
    the open referral any more (only a consent withdrawal ends it)."""
    import re

    from core.permissions import Role
    from tests.factories import make_account, make_organisation, sign_in

    referral = send(client, db_session, case, service)
    receiving_org = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving_org)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    offered = post_form(
        sender, f"{case}/transfer", {"organisation": str(receiving_org.id)}, token_from=case
    )
    assert offered.status_code == 302
    new_owner = app.test_client()
    sign_in(new_owner, receiver, db_session)
    caseload = new_owner.get("/cases/").get_data(as_text=True)
    accept = re.search(r'action="(/cases/transfers/[^"]+/accept)"', caseload).group(1)
    assert post_form(new_owner, accept, {}, token_from="/cases/").status_code == 302

    cancel = f"/referrals/{referral.id}/cancel"
    assert new_owner.get(f"/referrals/{referral.id}/sent").status_code == 200  # sees it
    outcomes = {}
    for name, who in (("referrer", client), ("their supervisor", sender), ("new owner", new_owner)):
        page = who.get(cancel)
        outcomes[name] = page.status_code
        if page.status_code == 200:
            done = post_form(who, cancel, {"reason": "No longer needed"})
            outcomes[name] = done.status_code
    db_session.expire_all()
    assert referral.state == ReferralState.CANCELLED, f"nobody could cancel it: {outcomes}"
