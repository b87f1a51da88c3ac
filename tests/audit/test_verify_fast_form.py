"""The verifier's fast path hashes exactly what :mod:`audit.chain` defines.

``canonical_bytes_of_texts`` (one format string over values the database already gave as text)
must be byte for byte ``canonical_bytes_reference``: checked on generated events (unicode in
every script, quotes, backslashes, control characters, nested details), and after a round trip
through each database, where PostgreSQL formats the time and the uuids itself and SQLite keeps
its own text forms.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from audit.chain import (
    CHAINED_FIELDS,
    GENESIS_HASH,
    _canonical_value,
    canonical_bytes_of_texts,
    canonical_bytes_reference,
    canonical_details,
    event_hash,
)
from audit.models import AuditEvent
from audit.verify import _dialect, _fast_texts, _raw_batches, verify_chain

texts = st.text(max_size=40)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
details = st.recursive(
    st.dictionaries(texts, json_leaf, max_size=4),
    lambda inner: st.dictionaries(texts, inner | st.lists(inner, max_size=3), max_size=3),
    max_leaves=12,
).map(canonical_details)
events = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=1, max_value=2**63 - 1),
        "occurred_at": st.datetimes(
            min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
        ),
        "actor_user_id": maybe(st.uuids()),
        "actor_role": maybe(texts),
        "actor_organisation_id": maybe(st.uuids()),
        "session_id": maybe(st.uuids()),
        "ip_address": maybe(texts),
        "user_agent_fingerprint": maybe(texts),
        "action": texts,
        "object_type": maybe(texts),
        "object_id": maybe(texts),
        "case_id": maybe(st.uuids()),
        "outcome": st.sampled_from(["ok", "denied", "failed"]),
        "details": details,
        "prev_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    }
)


def _as_texts(values: dict[str, Any]) -> list[Any]:
    return [_canonical_value(values[name]) for name in CHAINED_FIELDS]


@settings(max_examples=600, deadline=None)
@given(events)
def test_text_form_equals_the_reference(values):
    assert canonical_bytes_of_texts(*_as_texts(values)) == canonical_bytes_reference(values)


ALPHABETS = [
    "abcxyz ABC019",
    "علیرضا کابل هرات",  # Persian / Arabic script
    "پښتو ژبه",
    "Привет мир",
    "中文名字",
    "🙂👩‍👩‍👧",
    '"\\/\b\f\n\r\t\x01\x1f\x7f\u2028\u2029',
]


def _text(rng: random.Random, size: int) -> str:
    alphabet = rng.choice(ALPHABETS)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, size)))


def _nested(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 5 if depth < 3 else 3)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randint(-(2**40), 2**40)
    if kind == 2:
        return rng.random() > 0.5
    if kind == 3:
        return _text(rng, 12)
    if kind == 4:
        return [_nested(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng, 6): _nested(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def generated_chain(count: int, seed: int = 18) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    prev = GENESIS_HASH
    out = []
    for seq in range(1, count + 1):
        maybe_uuid = lambda: uuid.UUID(int=rng.getrandbits(128)) if rng.random() > 0.3 else None  # noqa: E731
        maybe_text = lambda size: _text(rng, size) if rng.random() > 0.3 else None  # noqa: E731
        year = rng.choice([1000, 1970, 2026, 2026, 2026, 9999])
        values: dict[str, Any] = {
            "seq": seq,
            "occurred_at": datetime(year, 1, 1, tzinfo=UTC)
            + timedelta(seconds=rng.randint(0, 300 * 86400), microseconds=rng.randint(0, 999999)),
            "actor_user_id": maybe_uuid(),
            "actor_role": maybe_text(20),
            "actor_organisation_id": maybe_uuid(),
            "session_id": maybe_uuid(),
            "ip_address": maybe_text(45),
            "user_agent_fingerprint": maybe_text(16),
            "action": _text(rng, 60),
            "object_type": maybe_text(40),
            "object_id": maybe_text(64),
            "case_id": maybe_uuid(),
            "outcome": rng.choice(["ok", "denied", "failed"]),
            "details": canonical_details({"nested": _nested(rng), _text(rng, 5): _nested(rng)}),
            "prev_hash": prev,
        }
        if values["occurred_at"].year > 9999:
            values["occurred_at"] = datetime(9999, 12, 31, tzinfo=UTC)
        values["hash"] = prev = event_hash(values)
        out.append(values)
    return out


COUNT = 400


def test_generated_events_round_trip_to_the_same_bytes(request_ctx, db_session):
    """Through each database: the fast path's bytes for every stored event are the reference's
    bytes for the same event read back through the ORM, and the chain verifies intact."""
    chain = generated_chain(COUNT)
    db_session.execute(insert(AuditEvent), chain)
    db_session.flush()
    name = _dialect(db_session)
    stored = {
        row.seq: {f: getattr(row, f) for f in CHAINED_FIELDS}
        for row in db_session.scalars(select(AuditEvent))
    }
    compared = 0
    for rows in _raw_batches(db_session, 0, 2**63 - 1, 97, False):
        for row in rows:
            reference = canonical_bytes_reference(stored[row[0]])
            try:
                fast = canonical_bytes_of_texts(*_fast_texts(name, row))
            except ValueError:
                continue  # outside the fast form: the verifier asks the reference instead
            assert fast == reference, row[0]
            compared += 1
    assert compared >= COUNT * 0.8  # nearly all go the fast way (years 1000-9999 all do)
    report = verify_chain(db_session, batch_size=53)
    assert report.intact, report.problem
    assert (report.events_checked, report.head_hash) == (COUNT, chain[-1]["hash"])


@pytest.mark.parametrize("bad", ["ABCDEF0123456789ABCDEF0123456789", "z" * 32, "0123-4567"])
def test_uuid_not_in_the_stored_form_leaves_the_fast_path(bad):
    row = (1, "2026-01-01 00:00:00.000000", bad, *([None] * 13))
    with pytest.raises(ValueError):
        _fast_texts("sqlite", row)
