"""The state machine, table-driven: every allowed transition works and records who and when;
every other one is refused and changes nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from audit.models import AuditEvent
from casework.models import Case
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import TRANSITIONS, ReferralState
from tests.referrals.helpers import case_id_of, provider_post, send

TARGETS = [s for s in ReferralState if s is not ReferralState.SENT]
PAIRS = list(itertools.product(ReferralState, TARGETS))


def _actors(caseworker, provider):
    return (
        Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id),
        Actor(provider.user.id, Role.PROVIDER_STAFF, provider.user.organisation_id),
    )


def _move(db, referrer, provider, referral, to):
    today = utcnow().date()
    if to is ReferralState.ACCEPTED:
        return services.accept(db, provider, referral)
    if to is ReferralState.DECLINED:
        return services.decline(db, provider, referral, "No capacity", "no_capacity")
    if to is ReferralState.COMPLETED:
        return services.complete(db, provider, referral, "Treated", today)
    if to is ReferralState.NOT_COMPLETED:
        return services.not_complete(db, provider, referral, "Moved away")
    if to is ReferralState.CANCELLED:
        return services.cancel(db, referrer, referral, "No longer needed")
    if to is ReferralState.EXPIRED:
        db.execute(
            update(Referral)
            .where(Referral.id == referral.id)
            .values(respond_by=utcnow() - timedelta(minutes=1))
            .execution_options(synchronize_session=False)
        )
        db.refresh(referral)
        if not services.expire_if_due(db, referral):
            raise services.ReferralConflict("not expired")
        return None
    raise AssertionError(to)


@pytest.mark.parametrize("start", list(ReferralState), ids=lambda s: s.value)
def test_transitions_from(app, db_session, client, case, service, caseworker, provider, start):
    referrals = [send(client, db_session, case, service) for _ in TARGETS]
    referrer, provider_actor = _actors(caseworker, provider)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        for referral, target in zip(referrals, TARGETS, strict=True):
            db_session.execute(
                update(Referral)
                .where(Referral.id == referral.id)
                .values(state=start.value)
                .execution_options(synchronize_session=False)
            )
            db_session.refresh(referral)
            version = referral.version
            allowed = target in TRANSITIONS[start]
            if allowed:
                _move(db_session, referrer, provider_actor, referral, target)
                db_session.refresh(referral)
                assert referral.state == target.value, (start, target)
                assert referral.version > version
                event = db_session.scalar(
                    select(ReferralEvent)
                    .where(ReferralEvent.referral_id == referral.id)
                    .order_by(ReferralEvent.at.desc())
                    .limit(1)
                )
                assert event.from_state == start.value and event.to_state == target.value
                assert event.at is not None
                if target is ReferralState.EXPIRED:
                    assert event.actor_id is None and event.reason_code == "deadline_passed"
                elif target is ReferralState.CANCELLED:
                    assert event.actor_id == referrer.user_id
                else:
                    assert event.actor_id == provider_actor.user_id
                audited = db_session.scalar(
                    select(AuditEvent.action)
                    .where(AuditEvent.object_id == str(referral.id))
                    .order_by(AuditEvent.seq.desc())
                    .limit(1)
                )
                assert audited == f"referral.{target.value}"
                if target in {ReferralState.COMPLETED, ReferralState.CANCELLED}:
                    assert referral.closed_at is not None
            else:
                with pytest.raises(services.ReferralConflict):
                    _move(db_session, referrer, provider_actor, referral, target)
                db_session.refresh(referral)
                assert referral.state == start.value, (start, target)
                assert referral.version == version


def test_answered_twice_is_refused_through_the_pages(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    again = provider_post(
        provider_client, referral, "decline", {"reason": "Oops", "reason_code": "other"}
    )
    assert again.status_code == 302
    page = provider_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "accepted already" in page
    db_session.expire_all()
    assert referral.state == ReferralState.ACCEPTED


def test_decline_needs_a_reason_and_completion_an_outcome_and_date(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    response = provider_post(
        provider_client, referral, "decline", {"reason": "  ", "reason_code": "no_capacity"}
    )
    assert response.status_code == 400
    assert "Say why you decline." in response.get_data(as_text=True)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    response = provider_post(provider_client, referral, "complete", {"outcome": "Done"})
    assert response.status_code == 400
    assert "Give the date of the outcome." in response.get_data(as_text=True)
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    response = provider_post(
        provider_client, referral, "complete", {"outcome": "Done", "outcome_date": future}
    )
    assert response.status_code == 400
    response = provider_post(provider_client, referral, "not-completed", {"reason": "Moved"})
    assert response.status_code == 302
    db_session.expire_all()
    assert referral.state == ReferralState.NOT_COMPLETED
    with app.app_context():
        assert referral.not_completed_reason == "Moved"
    case_page = client.get(f"/cases/{case_id_of(case)}").get_data(as_text=True)
    assert "Moved" in case_page  # the referrer sees the feedback


def test_expected_completion_is_kept_and_shown_to_the_referrer(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    when = (utcnow().date() + timedelta(days=10)).isoformat()
    response = provider_post(provider_client, referral, "accept", {"expected_completion": when})
    assert response.status_code == 302
    db_session.expire_all()
    assert referral.expected_completion.isoformat() == when
    assert referral.answered_at is not None
    assert client.get(f"/referrals/{referral.id}/sent").status_code == 200
    assert db_session.get(Case, case_id_of(case)) is not None
