"""Rate limits shared across processes through Redis, and client addresses behind a proxy."""

from __future__ import annotations

import socket

import pytest

from core.app import create_app
from tests.conftest import make_settings


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


ATTEMPTS = """
import sys
from core.app import create_app
from tests.conftest import make_settings
from tests.factories import post_form

app = create_app(make_settings(sys.argv[1], sys.argv[2],
                 RATELIMIT_STORAGE_URL="redis://127.0.0.1:6379/15",
                 LOGIN_RATE_LIMIT="5 per minute"))
client = app.test_client()
codes = [post_form(client, "/login", {"email": "a@example.org", "password": "p" * 16}).status_code
         for _ in range(int(sys.argv[3]))]
print(" ".join(map(str, codes)))
"""


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_login_rate_limit_shared_across_processes_through_redis(key_file, tmp_path):
    """Two worker processes count sign-in attempts from one address in the same Redis."""
    import subprocess
    import sys

    import redis

    from core import migrate
    from tests import databases

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    url = databases.fresh_sqlite(tmp_path, "redis")
    migrate.upgrade(url)

    def worker(attempts: int) -> list[int]:
        out = subprocess.run(
            [sys.executable, "-c", ATTEMPTS, url, str(key_file), str(attempts)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return [int(c) for c in out.stdout.split()]

    assert worker(3) == [200, 200, 200]
    assert worker(4) == [200, 200, 429, 429]


def test_proxy_fix_uses_forwarded_address(database_url, key_file, db_session):
    app = create_app(make_settings(database_url, key_file, PROXY_FIX_HOPS=1))
    app.extensions["homeward_db"].bind_connection(db_session.info["connection"])
    seen = []

    @app.get("/_addr")
    def _addr():
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    from core.security import public

    public(_addr)
    app.test_client().get("/_addr", headers={"X-Forwarded-For": "10.9.8.7"})
    assert seen == ["10.9.8.7"]
