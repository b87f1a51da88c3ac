"""Review: an erased person's referral keeps no time finer than a month.

``referral.respond_by`` was kept exactly ("the deadline an open referral still runs to"),
but it is the sending time plus the urgency's fixed window, so it gave back the exact time
the referral was sent, which erasure cut to its month. It is cut to its month too: an open
referral of an erased person then expires at the next run (nothing of them can be shared).
"""

from __future__ import annotations

from sqlalchemy import select

from casework.erasure import erase_person
from casework.models import Case
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from referrals.models import Referral
from tests.referrals.helpers import case_id_of, send


def test_the_deadline_of_an_erased_persons_referral_keeps_its_month_only(
    app, db_session, client, case, service
):
    referral = send(client, db_session, case, service, fields=("name_latin",))
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    record = db_session.get(Case, case_id_of(case))
    with app.app_context():
        erase_person(db_session, None, record.person, "the person asked for it")
    db_session.commit()
    db_session.expire_all()
    stored = db_session.scalar(select(Referral).where(Referral.id == referral.id))
    deadline = stored.respond_by
    assert (deadline.day, deadline.hour, deadline.minute, deadline.second) == (1, 0, 0, 0)
    sent = stored.sent_at
    assert (sent.day, sent.hour, sent.minute, sent.second) == (1, 0, 0, 0)
    # The hourly expiry answers it (the month's start has passed): no longer in the inbox.
    result = app.test_cli_runner().invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).state == "expired"
