"""Second reader: closure and reopening around erasure (a retention run erases closed cases)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from casework.closure.models import CaseClosure
from casework.erasure import erase_person
from casework.models import Case
from casework.vocabulary import Stage
from core.crypto import EXTENSION_KEY, bind_crypto
from tests.factories import post_form, sign_in


def _case(db_session, url: str) -> Case:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def test_reopening_an_erased_persons_case_is_refused_not_a_500(
    app, db_session, client, farida, supervisor, monkeypatch
):
    """Retention erases people whose cases are closed; a closed case offers reopening.
    Reopening loads the case without ``edit`` (so the erased check in load_case is skipped)
    and stores the reason encrypted under the destroyed key: expected a clear 4xx (410, as
    every other edit of an erased person gives), got an exception / 500."""
    closure = {"reason": "lost_contact", "summary": "No answer for three months."}
    assert post_form(client, f"{farida}/closure/request", closure).status_code == 302
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    db_session.expire_all()
    closure_id = db_session.scalar(select(CaseClosure.id).where(CaseClosure.status == "pending"))
    decided = post_form(boss, f"{farida}/closure/{closure_id}", {"decision": "approve"})
    assert decided.status_code == 302
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = _case(db_session, farida)
    assert case.stage == Stage.CLOSED.value
    with app.app_context():
        erase_person(db_session, None, case.person, "retention period ended")
    db_session.commit()
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    try:
        status = post_form(
            client,
            f"{farida}/closure/reopen",
            {"reason": "She came back and asks for help again."},
            token_from=farida,
        ).status_code
    except Exception as exc:  # the request crashed (a 500 in production)
        status = f"crash: {type(exc).__name__}"
    assert isinstance(status, int) and 400 <= status < 500, status
