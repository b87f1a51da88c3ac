"""Hypothesis-generated input on every referral form: never a 500, never markup that renders."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from referrals import sharing
from tests.casework.test_fuzzing import FUZZ, NASTY, _assert_safe
from tests.factories import csrf_token
from tests.referrals.helpers import bases_of, new_url, send

FIELD_CODES = st.lists(st.one_of(st.sampled_from(sharing.CODES), NASTY), max_size=4)


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "urgency": st.one_of(st.sampled_from(["routine", "urgent", "emergency"]), NASTY),
            "reason": NASTY,
            "legal_basis": NASTY,
            "justification": NASTY,
            "referrer_contact": NASTY,
            "respond_by": NASTY,
        },
    ),
    fields=FIELD_CODES,
    real_basis=st.booleans(),
    step=st.sampled_from(["", "/preview", "/send"]),
)
def test_referral_form(app, db_session, client, case, service, values, fields, real_basis, step):
    url = new_url(case, service) + step
    data = {**values, "fields": fields, "csrf_token": csrf_token(client, new_url(case, service))}
    if real_basis:
        data["legal_basis"] = str(bases_of(db_session, case)[0].id)
    response = client.post(url, data=data)
    _assert_safe(response)
    if response.status_code == 302:
        _assert_safe(client.get(response.headers["Location"]))


@FUZZ
@given(kind=NASTY, area=NASTY, language=NASTY, provider=NASTY, state=NASTY, urgency=NASTY)
def test_filters(app, db_session, client, case, service, provider_client, **params):
    choose = new_url(case, service).rsplit("/", 1)[0]
    query = {k: params[k] for k in ("kind", "area", "language", "provider")}
    _assert_safe(client.get(f"{choose}?{urlencode(query)}"))
    inbox = {"state": params["state"], "urgency": params["urgency"], "overdue": params["area"]}
    _assert_safe(provider_client.get(f"/referrals/inbox?{urlencode(inbox)}"))


@FUZZ
@given(
    action=st.sampled_from(["accept", "decline", "complete", "not-completed"]),
    text=NASTY,
    day=NASTY,
)
def test_provider_answer_forms(
    app, db_session, client, case, service, provider_client, action, text, day
):
    referral = send(client, db_session, case, service)
    token = csrf_token(provider_client, "/referrals/inbox")
    if action == "complete":
        provider_client.post(f"/referrals/{referral.id}/accept", data={"csrf_token": token})
    data = {
        "csrf_token": token,
        "reason": text,
        "reason_code": text,
        "outcome": text,
        "outcome_date": day,
        "expected_completion": day,
    }
    _assert_safe(provider_client.post(f"/referrals/{referral.id}/{action}", data=data))
    _assert_safe(provider_client.get(f"/referrals/{referral.id}"))
    _assert_safe(client.get(f"/referrals/{referral.id}/sent"))


@FUZZ
@given(reason=NASTY)
def test_cancel_form(app, db_session, client, case, service, reason):
    referral = send(client, db_session, case, service)
    token = csrf_token(client, f"/referrals/{referral.id}/sent")
    response = client.post(
        f"/referrals/{referral.id}/cancel", data={"reason": reason, "csrf_token": token}
    )
    _assert_safe(response)
    _assert_safe(client.get(f"/referrals/{referral.id}/sent"))
