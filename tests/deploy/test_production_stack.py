"""The production stack end to end: nginx (the deploy site, TLS on a loopback port) ->
gunicorn (deploy/gunicorn.conf.py, four workers, HOMEWARD_ENV=production) -> PostgreSQL (a
fresh database) + Redis (a database number of its own). A demo user signs in through it;
HSTS, gzip and the static cache hold; the sign-in limit holds across the four workers."""

from __future__ import annotations

import gzip
import json
import re
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core import migrate
from core.app import create_app
from tests import databases
from tests.conftest import make_settings
from tests.deploy import stack

#: One worker runs the whole module, in order: the stack is started once (a second worker
#: would start another one on the same Redis database and empty it), and the sign-in limit's
#: count includes the first test's sign-in.
pytestmark = pytest.mark.xdist_group("production-stack")

#: Redis database of this test alone (the rate-limit storage test uses 15).
REDIS_DB = 13
SIGN_IN_LIMIT = 6
METRICS_TOKEN = "production-metrics-" + "t" * 24


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _requirements() -> str | None:
    if databases.postgres_url() is None:
        return "the production stack needs TEST_DATABASE_URL (PostgreSQL)"
    if stack.binary("nginx", "/usr/sbin/nginx") is None:
        return "nginx is not installed"
    if not _redis_up():
        return "Redis is not running on 127.0.0.1:6379"
    return None


@dataclass
class Stack:
    base: str
    context: ssl.SSLContext
    accounts: dict[str, dict[str, str]]
    app_log: Path

    def browser(self) -> stack.Browser:
        return stack.Browser(self.base, self.context)


@pytest.fixture(scope="module")
def production(tmp_path_factory, key_file) -> Iterator[Stack]:
    reason = _requirements()
    if reason is not None:
        if databases.in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    workdir = tmp_path_factory.mktemp("production")
    pg_url = databases.postgres_url()
    assert pg_url is not None
    url = databases.fresh_postgres(pg_url, "production")
    migrate.upgrade(url)
    loader = create_app(make_settings(url, key_file))
    creds = workdir / "credentials.json"
    result = loader.test_cli_runner().invoke(args=["demo", "--credentials-json", str(creds)])
    assert result.exit_code == 0, result.output
    loader.extensions["homeward_db"].engine.dispose()
    accounts: dict[str, dict[str, str]] = {}
    for entry in json.loads(creds.read_text()):
        accounts.setdefault(entry["role"], entry)

    app_port, web_port = stack.free_port(), stack.free_port()
    env = stack.app_environment(
        ENV="production",
        DATABASE_URL=url,
        SECRET_KEY="production-stack-test-" + "s" * 32,
        KEY_FILE=str(key_file),
        BASE_URL=f"https://127.0.0.1:{web_port}",
        RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        LOGIN_RATE_LIMIT=f"{SIGN_IN_LIMIT} per hour",
        PROXY_FIX_HOPS="1",
        LOG_FORMAT="json",
        # Cheaper hashing than production's: the test signs in a dozen times on two cores.
        PASSWORD_HASH_TIME_COST="1",
        PASSWORD_HASH_MEMORY_KIB="8192",
        PASSWORD_HASH_PARALLELISM="1",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(workdir / "metrics")
    app_log = workdir / "gunicorn.log"
    gunicorn = stack.start_gunicorn(env, app_port, workers=4, log=app_log)
    conf = stack.nginx_config(workdir / "nginx", web_port, f"127.0.0.1:{app_port}")
    nginx = subprocess.Popen(
        stack.nginx_command(conf), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        stack.wait_for_port(web_port, nginx)
        context = ssl.create_default_context(cafile=str(workdir / "nginx" / "cert.pem"))
        yield Stack(f"https://127.0.0.1:{web_port}", context, accounts, app_log)
    finally:
        stack.stop(nginx, stack.signal.SIGQUIT)
        stack.stop(gunicorn)
        databases.drop_postgres(url)


def _request_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "homeward.request":
                lines.append(entry)
    return lines


def test_a_demo_user_signs_in_through_nginx(production):
    account = production.accounts["caseworker"]
    browser = production.browser()
    browser.sign_in(account["email"], account["password"], account["totp_secret"])
    start = browser.request("/")
    assert start.status == 302
    assert start.headers["Location"].endswith("/today/")  # case teams land on Today
    page = browser.request(start.headers["Location"].replace(production.base, ""))
    assert page.status == 200 and "<h1>Today</h1>" in page.text
    # HTTPS end to end: the session cookie is Secure (the app saw X-Forwarded-Proto https).
    assert any(c.name == "homeward_session" and c.secure for c in browser.jar)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "Content-Encoding" not in page.headers  # pages are not compressed (BREACH)
    # The request id nginx made reached the app and its log line.
    request_id = page.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert any(line["request_id"] == request_id for line in _request_lines(production.app_log))


def test_static_files_are_compressed_and_cached_for_a_year(production):
    browser = production.browser()
    page = browser.request("/login").text
    for asset in [r"css/homeward\.css", r"js/homeward\.js"]:
        url = re.search(rf'"(/static/{asset}\?v=[0-9a-f]{{12}})"', page)
        assert url, f"the link to {asset} carries no fingerprint"
        answer = browser.request(url.group(1), headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200
        assert answer.headers["Content-Encoding"] == "gzip"
        assert b"{" in gzip.decompress(answer.body)
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_health_and_readiness_through_the_proxy(production):
    browser = production.browser()
    assert browser.request("/healthz").status == 200
    ready = browser.request("/readyz")
    assert ready.status == 200 and json.loads(ready.body)["migrations"] == "current"


def test_sign_in_limit_holds_across_the_four_workers(production):
    """More wrong sign-ins than the limit, in parallel so several workers answer: the limit
    is counted once, in Redis, not once per worker."""
    before = len(_request_lines(production.app_log))
    statuses: list[int] = []

    def attempt() -> None:
        browser = production.browser()
        token = browser.csrf("/login")
        answer = browser.request(
            "/login", {"email": "nobody@example.org", "password": "wrong " * 4, "csrf_token": token}
        )
        statuses.append(answer.status)

    attempts = SIGN_IN_LIMIT * 3
    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The caseworker's sign-in in the first test used one of the limit's attempts.
    allowed = SIGN_IN_LIMIT - 1
    assert sorted(statuses) == [200] * allowed + [429] * (attempts - allowed)
    posts = [
        line
        for line in _request_lines(production.app_log)[before:]
        if line["route"] == "auth.login" and line["method"] == "POST"
    ]
    assert len({line["pid"] for line in posts}) >= 2, "one worker answered every attempt"


def _readyz_count(browser: stack.Browser) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    answer = browser.request("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name == "homeward_requests_total"
        and sample.labels == {"route": "health.readyz", "method": "GET", "status": "200"}
    )


def test_metrics_add_up_the_four_workers(production):
    browser = production.browser()
    wrong = browser.request("/metrics", headers={"Authorization": "Bearer " + "x" * 43})
    assert wrong.status == 403
    before = _readyz_count(browser)
    threads = [
        threading.Thread(target=lambda: production.browser().request("/readyz")) for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _readyz_count(browser) - before == 12
