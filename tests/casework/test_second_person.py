"""The four-eyes rule shared by closure approval and erasure confirmation."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from casework.closure.models import CaseClosure
from casework.closure.services import request_closure
from casework.models import Case
from casework.policy import second_person
from core.crypto import EXTENSION_KEY, bind_crypto
from core.decisions import waiting_for
from core.permissions import Permission, Role
from core.security import Actor
from tests.factories import make_account


def test_only_another_permitted_member_of_the_organisation_decides():
    org, other_org = uuid.uuid4(), uuid.uuid4()
    asker = Actor(uuid.uuid4(), Role.SUPERVISOR, org)
    colleague = Actor(uuid.uuid4(), Role.SUPERVISOR, org)
    outsider = Actor(uuid.uuid4(), Role.SUPERVISOR, other_org)
    caseworker = Actor(uuid.uuid4(), Role.CASEWORKER, org)
    for permission in (Permission.CASE_APPROVE, Permission.PERSON_ERASE):
        assert second_person(colleague, permission, org, asker.user_id)
        assert not second_person(asker, permission, org, asker.user_id)
        assert not second_person(outsider, permission, org, asker.user_id)
        assert not second_person(caseworker, permission, org, asker.user_id)


def _actor(account) -> Actor:
    return Actor(account.user.id, Role(account.user.role), account.user.organisation_id)


def test_the_waiting_list_is_the_same_rule_in_sql(
    app, db_session, farida, caseworker, supervisor, agency
):
    """``waiting_for`` finds a pending request exactly for those ``second_person`` lets decide."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.scalar(select(Case))
    asker = _actor(supervisor)
    closure = request_closure(
        db_session, asker, case, "support_period_ended", "Twelve months of support completed."
    )
    db_session.flush()
    colleague = _actor(make_account(app, db_session, Role.SUPERVISOR, organisation=agency))
    outsider = _actor(make_account(app, db_session, Role.SUPERVISOR))
    for actor in (asker, colleague, outsider, _actor(caseworker)):
        waiting = db_session.scalars(
            select(CaseClosure.id).where(waiting_for(actor, Permission.CASE_APPROVE, CaseClosure))
        ).all()
        rule = second_person(
            actor, Permission.CASE_APPROVE, closure.organisation_id, closure.requested_by_id
        )
        assert (waiting == [closure.id]) is rule
        assert waiting in ([], [closure.id])
    assert second_person(colleague, Permission.CASE_APPROVE, agency.id, asker.user_id)
