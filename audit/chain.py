"""The hash chain: canonical serialisation of an event and its SHA-256.

Canonical form: a JSON object of the fields below (``hash`` excluded), keys sorted, no
whitespace (separators ``,`` and ``:``), UTF-8, non-ASCII kept as is; uuids as lowercase
hyphenated strings; ``occurred_at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC; ``details`` as
its stored canonical JSON text; absent values as ``null``. The first event's ``prev_hash`` is
64 zeros. ``hash = sha256(canonical bytes)`` in lowercase hex.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_user_id",
    "actor_role",
    "actor_organisation_id",
    "session_id",
    "ip_address",
    "user_agent_fingerprint",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "outcome",
    "details",
    "prev_hash",
)


def _canonical_value(value: Any) -> Any:
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(values: dict[str, Any]) -> bytes:
    payload = {name: _canonical_value(values.get(name)) for name in CHAINED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(values)).hexdigest()
