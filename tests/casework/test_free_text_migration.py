"""The migration that encrypts free text carries existing plaintext over and leaves none.

Rows written under the previous revision (plain emergency reason, transfer decline reason,
referrer contact) are encrypted under their person's key by ``upgrade``, with the key file
named by HOMEWARD_KEY_FILE; a person erased before the upgrade keeps nothing. Downgrade
decrypts them back.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import migrate
from core.clock import utcnow
from core.crypto import Binding, Crypto, bind_crypto, decrypt_bytes
from core.db import UTCDateTime, make_engine
from core.keys import FileKeyProvider
from tests import databases

BEFORE = "b4a2778c584f"
REASON = "Farida Nazari collapsed at the centre, need her records now"
DECLINE = "We cannot take Farida Nazari, no capacity"
CONTACT = "Case team of Farida Nazari, +93 700 123 456"


@pytest.fixture
def database(backend, tmp_path):
    url = databases.fresh_database(backend, tmp_path, "freetext")
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


def _type(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return sa.Uuid()
    if isinstance(value, bool):
        return sa.Boolean()
    if isinstance(value, int):
        return sa.Integer()
    if isinstance(value, bytes):
        return sa.LargeBinary()
    if hasattr(value, "tzinfo"):
        return UTCDateTime(timezone=True)
    return sa.String()


def _insert(conn: sa.Connection, table: str, **values: Any) -> uuid.UUID:
    values.setdefault("id", uuid.uuid4())
    columns = [sa.column(k, _type(v)) for k, v in values.items()]
    conn.execute(sa.table(table, *columns).insert().values(**values))
    return values["id"]


def _seed(conn: sa.Connection) -> dict[str, uuid.UUID]:
    now = utcnow()
    stamps = {"created_at": now}
    org = _insert(
        conn,
        "organisation",
        name="Agency",
        code="AG",
        country="AF",
        is_case_agency=True,
        is_provider=True,
        active=True,
        **stamps,
    )
    user = _insert(
        conn,
        "user_account",
        email="a@example.org",
        display_name="A",
        organisation_id=org,
        role="caseworker",
        preferred_language="en",
        active=True,
        failed_logins=0,
        failures_since_success=0,
        **stamps,
    )
    ids: dict[str, uuid.UUID] = {"org": org, "user": user}
    for who in ("live", "erased"):
        person = _insert(conn, "person", organisation_id=org, updated_at=now, version=1, **stamps)
        case = _insert(
            conn,
            "casefile",
            person_id=person,
            organisation_id=org,
            case_number=f"AG-2026-{who}",
            case_type="returnee",
            stage="assessment",
            opened_at=now,
            updated_at=now,
            version=1,
        )
        ids[f"{who}_person"], ids[f"{who}_case"] = person, case
        ids[f"{who}_grant"] = _insert(
            conn,
            "emergency_access",
            user_id=user,
            case_id=case,
            reason=REASON,
            granted_at=now,
            expires_at=now + timedelta(hours=1),
        )
        ids[f"{who}_transfer"] = _insert(
            conn,
            "case_transfer",
            case_id=case,
            from_organisation_id=org,
            to_organisation_id=org,
            requested_by_id=user,
            requested_at=now,
            status="declined",
            decline_reason=DECLINE,
        )
    directory = _insert(
        conn, "directory_organization", name="Clinic", country="AF", updated_at=now, **stamps
    )
    service = _insert(
        conn,
        "directory_service",
        organization_id=directory,
        name="Clinic",
        status="active",
        updated_at=now,
        **stamps,
    )
    ids["referral"] = _insert(
        conn,
        "referral",
        reference="REF-2026-000001",
        case_id=ids["live_case"],
        person_id=ids["live_person"],
        service_id=service,
        directory_organization_id=directory,
        provider_organisation_id=org,
        referrer_id=user,
        referring_organisation_id=org,
        urgency="urgent",
        state="sent",
        sent_at=now,
        respond_by=now + timedelta(days=3),
        transnational=False,
        referrer_contact=CONTACT,
        updated_at=now,
        version=1,
        **stamps,
    )
    # The second person was erased before the upgrade: their data key is destroyed.
    _insert(
        conn,
        "data_key",
        subject_id=ids["erased_person"],
        wrapped_key=bytes(60),
        master_version="1",
        destroyed_at=now,
        **stamps,
    )
    return ids


def _raw(conn: sa.Connection, table: str, column: str, row_id: uuid.UUID) -> Any:
    rows = sa.table(table, sa.column("id", sa.Uuid()), sa.column(column))
    return conn.execute(sa.select(rows.c[column]).where(rows.c.id == row_id)).scalar_one()


def test_upgrade_encrypts_existing_free_text_and_leaves_no_plaintext(
    database, key_file, monkeypatch
):
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(key_file))
    migrate.upgrade(database, BEFORE)
    engine = make_engine(database)
    try:
        with engine.begin() as conn:
            ids = _seed(conn)
        migrate.upgrade(database)
        assert migrate.drift_for_url(database) == []
        with engine.connect() as conn:
            texts = [
                ("emergency_access", "reason", ids["live_grant"], REASON),
                ("case_transfer", "decline_reason", ids["live_transfer"], DECLINE),
                ("referral", "referrer_contact", ids["referral"], CONTACT),
            ]
            session = Session(bind=conn)
            provider = FileKeyProvider(key_file)
            bind_crypto(session, Crypto(provider.load(), provider))
            for table, column, row_id, plain in texts:
                sealed = bytes(_raw(conn, table, column, row_id))
                assert b"Farida" not in sealed and sealed[:1] == b"\x01", table
                opened = decrypt_bytes(session, Binding(table, column, row_id), sealed)
                assert opened.decode() == plain
            # The person erased before the upgrade keeps nothing; their rows know their person.
            assert _raw(conn, "emergency_access", "reason", ids["erased_grant"]) is None
            assert _raw(conn, "case_transfer", "decline_reason", ids["erased_transfer"]) is None
            assert _raw(conn, "emergency_access", "person_id", ids["live_grant"]) in (
                ids["live_person"],
                ids["live_person"].hex,
            )
            session.close()
        migrate.downgrade(database, BEFORE)
        with engine.connect() as conn:
            assert _raw(conn, "emergency_access", "reason", ids["live_grant"]) == REASON
            assert _raw(conn, "referral", "referrer_contact", ids["referral"]) == CONTACT
            assert _raw(conn, "emergency_access", "reason", ids["erased_grant"]) == "(erased)"
    finally:
        engine.dispose()


def test_without_keys_the_upgrade_stops_and_changes_nothing(database, tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(tmp_path / "missing-keys.json"))
    monkeypatch.delenv("HOMEWARD_KEYS", raising=False)
    migrate.upgrade(database, BEFORE)
    engine = make_engine(database)
    try:
        with engine.begin() as conn:
            ids = _seed(conn)
        with pytest.raises(Exception, match="key"):
            migrate.upgrade(database)
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            assert version == BEFORE
            assert _raw(conn, "emergency_access", "reason", ids["live_grant"]) == REASON
    finally:
        engine.dispose()
