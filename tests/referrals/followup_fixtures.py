"""Fixtures for referral follow-through: an agency, a provider with staff, signals fired as
the referral pages fire them (inside a request that commits once).

Not a conftest.py (the referral pages' tests may want their own): test modules import the
fixture functions, which pytest knows by their ``name=``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Response
from sqlalchemy import select

from audit.models import AuditEvent
from core.clock import utcnow
from core.db import commit_or_rollback, get_session
from core.permissions import Role
from referrals.models import Referral, ReferralEvent
from tests.factories import Account, make_account, make_organisation
from tests.referrals.followup_factories import make_case, make_referral, make_service


@dataclass
class World:
    agency: Any
    caseworker: Account
    supervisor: Account
    provider: Any
    staff: list[Account]
    other_provider: Any
    other_staff: Account
    service: Any
    case: Any

    def referral(self, app, db, **kwargs) -> Referral:
        kwargs.setdefault("case", self.case)
        kwargs.setdefault("referrer_id", self.caseworker.user.id)
        kwargs.setdefault("service", self.service)
        kwargs.setdefault("provider_id", self.provider.id)
        return make_referral(app, db, **kwargs)


@pytest.fixture(name="world")
def world_fixture(app, db_session) -> World:
    agency = make_organisation(app, db_session, agency=True)
    caseworker = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    supervisor = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    provider = make_organisation(app, db_session, agency=False, provider=True)
    staff = [
        make_account(app, db_session, Role.PROVIDER_STAFF, organisation=provider) for _ in range(2)
    ]
    other_provider = make_organisation(app, db_session, agency=False, provider=True)
    other_staff = make_account(app, db_session, Role.PROVIDER_STAFF, organisation=other_provider)
    service = make_service(app, db_session, provider)
    case = make_case(app, db_session, agency.id, caseworker.user.id)
    return World(
        agency, caseworker, supervisor, provider, staff, other_provider, other_staff, service, case
    )


@pytest.fixture(name="fire")
def fire_fixture(app, db_session) -> Callable[..., None]:
    """Change a referral's state and send ``signal`` as the referral pages do, then end the
    request: ``status`` < 400 commits (and the teardown e-mails), >= 400 rolls back."""

    def _fire(signal, referral_id, to_state: str, status: int = 200, **changes: Any) -> None:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            db = get_session()
            referral = db.get(Referral, referral_id)
            assert referral is not None
            from_state = referral.state
            referral.state = to_state
            for name, value in changes.items():
                setattr(referral, name, value)
            event = ReferralEvent(
                referral_id=referral.id, from_state=from_state, to_state=to_state, at=utcnow()
            )
            db.add(event)
            db.flush()
            signal.send(app, referral=referral, event=event)
            commit_or_rollback(Response(status=status))

    return _fire


@pytest.fixture(name="audit_events")
def audit_events_fixture(db_session) -> Callable[[str], list[AuditEvent]]:
    def _events(action: str) -> list[AuditEvent]:
        db_session.expire_all()
        return list(
            db_session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )

    return _events
