"""Second reader: derived tasks must not point at erased people's cases."""

from __future__ import annotations

import uuid
from datetime import timedelta

from casework.erasure import erase_person
from casework.models import Case
from casework.tasks import tasks_for
from casework.vocabulary import Stage
from core.clock import utcnow
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.factories import settings_of


def test_no_visit_task_for_an_erased_persons_case(app, db_session, client, farida, caseworker):
    """Erasure (two supervisors) does not need the case closed, and an erased person's case
    can no longer be closed (every edit of it is 410). monitoring.services.visits_due does
    not leave out erased people (planning's task sources do, via _open_case), so the
    caseworker keeps a "Follow-up visit due" task whose link answers 410, for ever."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    case = db_session.get(Case, uuid.UUID(farida.rsplit("/", 1)[1]))
    case.stage = Stage.IMPLEMENTATION.value  # test set-up: a case being implemented
    case.opened_at = utcnow() - timedelta(days=200)
    db_session.flush()
    with app.app_context():
        erase_person(db_session, None, case.person, "erasure request confirmed")
    db_session.commit()
    user = caseworker.user
    with app.test_request_context("/"):
        tasks = tasks_for(
            db_session, Actor(user.id, Role(user.role), user.organisation_id), settings_of(app)
        )
    assert [t.kind for t in tasks if t.case_id == case.id] == []
