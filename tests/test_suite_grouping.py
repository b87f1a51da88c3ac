"""The suite's groups hold: `make test` runs with ``--dist loadgroup``, and modules that share
one server or database (tests/deploy) must run on one worker, in order."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("grouping-check")


def test_a_grouped_test_is_scheduled_with_its_group(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not distributed by group (no -n, or another --dist)")
    # pytest-xdist keeps a test's group as a suffix of its node id; where it cannot, groups
    # are silently ignored and their tests spread over the workers.
    assert request.node.nodeid.endswith("@grouping-check"), request.node.nodeid
