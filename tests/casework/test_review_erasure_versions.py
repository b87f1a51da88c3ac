"""Review: erasure's clearing counts as a change for optimistic locking.

``clear_plain_values`` writes with SQL UPDATEs that bypass the ORM's version counter, so a
save that loaded the case (or a referral) before the erasure still matched its version and
wrote plain values back after everything had been cleared. Each cleared row's version moves
on, so such a save loses (StaleDataError, answered 409) instead.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from casework.erasure import erase_person
from casework.models import Case
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, register
from tests.factories import sign_in


def test_a_save_loaded_before_the_erasure_loses(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)
    database = app.extensions["homeward_db"]
    other = database.new_session()
    try:
        stale = other.scalar(select(Case))
        assert stale is not None and stale.version >= 1
        bind_crypto(db_session, app.extensions[EXTENSION_KEY])
        case = db_session.scalar(select(Case))
        with app.app_context():
            erase_person(db_session, None, case.person, "the person asked for it")
        db_session.commit()
        # A save made with what was loaded before the erasure (a changed risk level).
        stale.risk_level = "low" if stale.risk_level != "low" else "medium"
        with pytest.raises(StaleDataError):
            other.flush()
    finally:
        other.rollback()
        other.close()
