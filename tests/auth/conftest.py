from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock


@pytest.fixture
def time_travel():
    """Move the application's clock: ``time_travel(minutes=31)``; reset after the test."""

    def move(**delta: float) -> None:
        clock.travel(timedelta(**delta))

    yield move
    clock.travel(timedelta(0))
