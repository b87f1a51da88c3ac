"""Review: people erased before this release keep only what erasure keeps now.

The old erasure destroyed the data key and the blind indexes only; the upgrade does not
touch those people, so their screening outcome, risk codes, exact dates, consent scope and
shared-field rows stayed plain although the README now says erasure keeps only the skeleton.
``homeward cases clear-erased`` clears them as erasure does now (and may be run again).
"""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from casework.erasure import person_conditions
from casework.models import Case
from core.clock import utcnow
from core.crypto import erase_subject
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.db import Base
from tests.casework.helpers import SCREENING, record_screening
from tests.casework.monitoring.test_monitoring import VISIT
from tests.factories import post_form
from tests.referrals.helpers import case_id_of, provider_post, send
from tests.referrals.test_erasure_skeleton import _cleared


def _left(db_session, person_id) -> list[str]:
    conditions = person_conditions(person_id)
    left = []
    for table in Base.metadata.sorted_tables:
        if table.name not in conditions:
            continue
        for row in db_session.execute(select(table).where(conditions[table.name])).all():
            left += [
                f"{table.name}.{c.name}" for c in table.c if not _cleared(table, c, row._mapping[c])
            ]
    return left


def test_clear_erased_clears_people_erased_the_old_way(
    app, db_session, client, case, service, provider_client
):
    assert record_screening(client, case, SCREENING).status_code == 302
    assert post_form(client, f"{case}/monitoring/new", VISIT).status_code == 302
    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    record = db_session.get(Case, case_id_of(case))
    person_id = record.person_id
    # What erase_person did before this release: the key and indexes, nothing else.
    erase_subject(db_session, person_id)
    record.person.erased_at = utcnow()
    db_session.commit()
    assert "screening.outcome" in _left(db_session, person_id)

    result = app.test_cli_runner().invoke(args=["cases", "clear-erased"])
    assert result.exit_code == 0, result.output
    assert "1 erased" in result.output
    db_session.expire_all()
    assert _left(db_session, person_id) == []
    for name in ("legal_basis_organisation", "legal_basis_service_type", "referral_shared_field"):
        table = Base.metadata.tables[name]
        where = person_conditions(person_id)[name]
        assert db_session.execute(select(table).where(where)).all() == [], name
    assert db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "person.erasure_completed")
    )
    again = app.test_cli_runner().invoke(args=["cases", "clear-erased"])
    assert again.exit_code == 0, again.output
