"""The retention anchor is tied to this chain: it signs the chain's newest event at the drop,
and only the retention event right after that event, linked to it, may carry it."""

from __future__ import annotations

import pytest

from audit import actions
from audit.checkpoints import public_key_hex, signature_holds
from audit.retention import _anchor_kind, _anchor_of
from tests.audit.test_partitions import _cli, _old_months, _sql, pg  # noqa: F401

pytestmark = pytest.mark.postgres_only


def test_the_anchor_signs_the_newest_event_and_its_record_follows_it(pg):  # noqa: F811
    application, _ = pg
    _old_months(application)
    assert _cli(application, "retention", "run").exit_code == 0
    [(seq, prev_hash, details)] = _sql(
        application,
        "SELECT seq, prev_hash, details FROM audit_event WHERE action = :a",
        a=actions.AUDIT_RETENTION_APPLIED,
    )
    anchor = _anchor_of(details)
    assert anchor is not None and anchor.checkpoint.seq == 5
    newest = _sql(application, "SELECT hash FROM audit_event WHERE seq = :s", s=seq - 1)
    assert anchor.newest_seq == seq - 1 and anchor.newest_hash == prev_hash == newest[0][0]
    assert anchor.follows(seq, prev_hash)
    with application.app_context():
        trusted = {public_key_hex(application.extensions["homeward_keys"].checkpoint_signing_key)}
    assert signature_holds(anchor.checkpoint, trusted, anchor.kind)
    # the same signature over another newest event (another chain's) does not hold
    other = _anchor_kind(anchor.newest_seq, "0" * 64)
    assert not signature_holds(anchor.checkpoint, trusted, other)
