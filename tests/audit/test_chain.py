"""The fast canonical serialisation is byte for byte the documented one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.chain import CHAINED_FIELDS, canonical_bytes, canonical_bytes_reference, event_hash

texts = st.text(max_size=40)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
times = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=3))]
    ),
)
events = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=-(2**63), max_value=2**63 - 1),
        "occurred_at": times,
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
        "details": texts,
        "prev_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    }
)


@settings(max_examples=400, deadline=None)
@given(events)
def test_fast_canonical_form_equals_the_reference(values):
    assert canonical_bytes(values) == canonical_bytes_reference(values)


def test_missing_fields_are_null_and_the_hash_is_stable():
    values = {"seq": 1, "action": "logout", "outcome": "ok", "details": "{}", "prev_hash": "0" * 64}
    assert canonical_bytes(values) == canonical_bytes_reference(values)
    assert b'"case_id":null' in canonical_bytes(values)
    assert set(CHAINED_FIELDS) - set(values) <= {
        f for f in CHAINED_FIELDS if f'"{f}":null'.encode() in canonical_bytes(values)
    }
    pinned = {
        **values,
        "occurred_at": datetime(2026, 11, 28, 6, 0, 0, 123456, tzinfo=UTC),
        "case_id": uuid.UUID("c0ffee00-0000-4000-8000-0000000000aa"),
        "details": '{"name":"Фатима"}',
    }
    assert canonical_bytes(pinned).startswith(b'{"action":"logout","actor_organisation_id":null')
    assert b'"occurred_at":"2026-11-28T06:00:00.123456Z"' in canonical_bytes(pinned)
    assert "Фатима".encode() in canonical_bytes(pinned)
    assert event_hash(pinned) == event_hash(dict(pinned))
