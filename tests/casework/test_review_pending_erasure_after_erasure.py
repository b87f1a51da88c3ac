"""Review: a pending erasure request does not outlive the person's erasure by another path.

The retention job and ``homeward cases erase-person`` erase without the request; it stayed
``pending`` for good (status is kept after erasure), so supervisors kept being asked to
confirm it (task list), and confirming it only ever answered "erased already". Erasure now
closes any request still waiting for that person (cancelled, audited).
"""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from casework.erasure import erase_person
from casework.models import Case
from casework.subject_rights.models import ErasureRequest
from casework.subject_rights.services import erasures_waiting, request_erasure
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, register
from tests.factories import make_account, sign_in


def test_erasure_by_another_path_closes_the_waiting_request(
    app, db_session, client, caseworker, agency
):
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.scalar(select(Case))
    asker = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    other = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    as_asker = Actor(asker.user.id, Role.SUPERVISOR, agency.id)
    as_other = Actor(other.user.id, Role.SUPERVISOR, agency.id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        request = request_erasure(db_session, as_asker, case, "person_request")
        assert [row[0] for row in erasures_waiting(db_session, as_other)] == [request.id]
        erase_person(db_session, None, case.person, "retention period ended")
    db_session.commit()
    db_session.expire_all()
    assert erasures_waiting(db_session, as_other) == []
    assert db_session.get(ErasureRequest, request.id).status == "cancelled"
    cancelled = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "erasure.cancelled", AuditEvent.object_id == str(request.id)
        )
    )
    assert cancelled is not None and "person_erased" in cancelled.details
