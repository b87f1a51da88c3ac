"""Fixtures for the crypto tests: test tables inside the rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from core.crypto import bind_crypto
from tests.core.crypto_models import CryptoTestBase


@pytest.fixture
def crypto_session(app: Flask, db_session: Session) -> Iterator[Session]:
    """``db_session`` with the app's keys bound and the test-only tables created.

    The tables are created on the test's connection, inside its outer transaction, so they
    vanish with the rollback and never reach core.db.Base or the migrations.
    """
    CryptoTestBase.metadata.create_all(db_session.info["connection"])
    bind_crypto(db_session, app.extensions["homeward_crypto"])
    yield db_session
