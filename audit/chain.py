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
from json.encoder import encode_basestring
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


def canonical_bytes_reference(values: dict[str, Any]) -> bytes:
    """The canonical form as the module docstring defines it (slow; tests compare against it)."""
    payload = {name: _canonical_value(values.get(name)) for name in CHAINED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_SORTED_FIELDS = sorted(CHAINED_FIELDS)
_KEY_PREFIXES = [
    ("{" if i == 0 else ",") + encode_basestring(name) + ":"
    for i, name in enumerate(_SORTED_FIELDS)
]


def _json_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, str):
        return str(encode_basestring(value))
    if isinstance(value, datetime):
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        if value.year < 1000:
            return '"' + value.strftime("%Y-%m-%dT%H:%M:%S.%fZ") + '"'
        return (
            f'"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:'
            f'{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}Z"'
        )
    return str(encode_basestring(str(value)))


def canonical_bytes(values: dict[str, Any]) -> bytes:
    """Byte for byte :func:`canonical_bytes_reference`, several times faster (the verifier's
    inner loop): keys are fixed, so the JSON object is assembled directly."""
    get = values.get
    parts = [
        prefix + _json_text(get(name))
        for prefix, name in zip(_KEY_PREFIXES, _SORTED_FIELDS, strict=True)
    ]
    return ("".join(parts) + "}").encode()


def event_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(values)).hexdigest()
