"""Second reader: decisions on erasure and closure requests are read-check-write without a
lock or version, so two supervisors deciding at the same time both "win".

A concurrent request is simulated deterministically: this request has loaded the pending
row, then another transaction decides it (a plain SQL UPDATE, which does not touch this
session's loaded object, exactly as another request's commit would not). The service then
checks ``status == "pending"`` on its stale copy and overwrites the other decision. A version
column (``version_id_col``), ``SELECT ... FOR UPDATE`` or a conditional
``UPDATE ... WHERE status = 'pending'`` would make this decision fail instead.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from casework.closure import services as closure_services
from casework.closure.models import CaseClosure
from casework.models import Case
from casework.subject_rights import services as erasure_services
from casework.subject_rights.models import ErasureRequest
from casework.vocabulary import Stage
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.factories import make_account, post_form, sign_in


def _actor(account) -> Actor:
    user = account.user
    return Actor(user.id, Role(user.role), user.organisation_id)


def _decided_elsewhere(db_session, table, row_id, status: str) -> None:
    """Another request's committed decision; this session's loaded object is not refreshed."""
    db_session.connection().execute(update(table).where(table.c.id == row_id).values(status=status))


def test_cancelled_erasure_is_not_confirmed_by_a_concurrent_request(
    app, db_session, client, farida, supervisor, agency
):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert (
        post_form(boss, f"{farida}/person-data/erasure", {"reason": "person_request"}).status_code
        == 302
    )
    second = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    case = db_session.get(Case, uuid.UUID(farida.rsplit("/", 1)[1]))
    request = db_session.scalar(select(ErasureRequest))
    assert request.status == "pending"  # the confirming request has loaded it
    _decided_elsewhere(db_session, ErasureRequest.__table__, request.id, "cancelled")
    refused = False
    with app.test_request_context("/"):
        try:
            erasure_services.confirm_erasure(db_session, _actor(second), case, request)
            db_session.flush()
        except Exception:  # what a fix does: the decision fails
            refused = True
    assert refused, "a cancelled erasure request was confirmed and the person erased"


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_closure_request_is_decided_only_once(
    app, db_session, client, farida, supervisor, decision
):
    closure = {"reason": "lost_contact", "summary": "No answer for three months."}
    assert post_form(client, f"{farida}/closure/request", closure).status_code == 302
    db_session.expire_all()
    case = db_session.get(Case, uuid.UUID(farida.rsplit("/", 1)[1]))
    found = db_session.scalar(select(CaseClosure))
    assert found.status == "pending"
    other = "returned" if decision == "approve" else "approved"
    _decided_elsewhere(db_session, CaseClosure.__table__, found.id, other)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    refused = False
    with app.test_request_context("/"):
        try:
            if decision == "approve":
                closure_services.approve_closure(db_session, _actor(supervisor), case, found)
            else:
                closure_services.return_closure(
                    db_session, _actor(supervisor), case, found, "Please add the last visit."
                )
            db_session.flush()
        except Exception:
            refused = True
    assert refused, (
        f"the closure was {decision.rstrip('e')}ed although another supervisor had {other} it"
        + (" (the case is now closed)" if case.stage == Stage.CLOSED.value else "")
    )
