"""Races of the referral workflow on PostgreSQL (parallel writers need a real server)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select, update

from casework.models import Case
from core.db import Database
from core.permissions import Role
from core.security import Actor
from referrals import sending
from referrals.directory.models import Service
from referrals.models import Referral, ReferralReferenceCounter
from referrals.vocabulary import Urgency
from tests.factories import settings_of
from tests.referrals.test_concurrency import _setup, scratch_app  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres_only


def test_the_first_two_referrals_of_a_year_sent_at_once_both_succeed(scratch_app):  # noqa: F811
    """next_reference locks the year's counter row with SELECT ... FOR UPDATE, but on the
    first referral of a year (and on a new installation) there is no row to lock: two
    senders both find none and both INSERT it; the second fails with a unique violation
    (an IntegrityError, so a 500 for the caseworker) instead of getting the next number."""
    referral_id, _staff = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    with scratch_app.app_context(), database.session_scope() as db:
        first = db.get(Referral, referral_id)
        ids = (first.case_id, first.service_id, first.legal_basis_id)
        sender = Actor(first.referrer_id, Role.CASEWORKER, first.referring_organisation_id)
        # as on 1 January: last year's counter and reference, none yet for this year
        db.execute(update(ReferralReferenceCounter).values(year=ReferralReferenceCounter.year - 1))
        first.reference = "REF-LASTYEAR-000001"

    both_found_none = threading.Barrier(2)

    def after_both_found_none(*_args):
        both_found_none.wait(timeout=20)

    errors: list[BaseException] = []

    def send() -> None:
        try:
            with scratch_app.test_request_context("/"), database.session_scope() as db:
                case, service = db.get(Case, ids[0]), db.get(Service, ids[1])
                sending.send_referral(
                    db,
                    sender,
                    case,
                    service,
                    sending.ReferralDetails(
                        urgency=Urgency.ROUTINE,
                        reason="Check",
                        legal_basis_id=ids[2],
                        fields=["name_original"],
                    ),
                    settings_of(scratch_app).referrals,
                )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    event.listen(ReferralReferenceCounter, "before_insert", after_both_found_none)
    try:
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(ReferralReferenceCounter, "before_insert", after_both_found_none)
    assert errors == [], [str(e)[:200] for e in errors]
    with scratch_app.app_context(), database.session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Referral)) == 3
