"""Faults survived, each on a private PostgreSQL server the tests start themselves (initdb in
a temporary directory, its own port): the database restarted under load, Redis gone while
people sign in, a worker killed in the middle of a write."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from audit.services import CHAIN_LOCK_KEY
from audit.verify import verify_chain
from casework.models import CaseNote
from core.app import create_app
from core.config import PROJECT_ROOT
from tests.conftest import make_settings
from tests.deploy import stack

# One private server and one demo load for the whole file: its tests stay on one xdist worker.
pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("private-postgres")]


@dataclass
class Served:
    base: str
    master: subprocess.Popen
    log: Path

    def errors(self) -> list[str]:
        """What the app logged at ERROR (exception types and endpoints only)."""
        text = self.log.read_text(errors="replace")
        return [
            line
            for line in text.splitlines()
            if '"level": "ERROR"' in line or (not line.startswith("{") and "rror" in line)
        ]


@pytest.fixture
def served(fault_site, tmp_path) -> Iterator[Served]:
    port = stack.free_port()
    env = stack.app_environment(**fault_site.settings())
    process = stack.start_gunicorn(env, port, workers=4, log=tmp_path / "gunicorn.log")
    try:
        yield Served(f"http://127.0.0.1:{port}", process, tmp_path / "gunicorn.log")
    finally:
        stack.stop(process)


def _signed_in(served: Served, fault_site, email: str) -> tuple[stack.Browser, str]:
    """A browser signed in as ``email`` and the path of the first case it may open."""
    account = fault_site.accounts[email]
    browser = stack.Browser(served.base)
    browser.sign_in(account["email"], account["password"], account["totp_secret"])
    cases = browser.request("/cases/").text
    match = re.search(r'href="(/cases/[0-9a-f-]{36})"', cases)
    assert match, "the caseworker sees no case"
    return browser, match.group(1)


def _checked_site(fault_site, case_id: uuid.UUID) -> tuple[set[str], set[str], bool]:
    """The case's note ids, the note ids its audit events name, and whether the chain holds."""
    app = create_app(make_settings(fault_site.url, fault_site.key_file))
    try:
        with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
            notes = {
                str(i) for i in db.scalars(select(CaseNote.id).where(CaseNote.case_id == case_id))
            }
            events = db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "case.note_added", AuditEvent.case_id == case_id
                )
            )
            audited = {str(e.details_dict["note_id"]) for e in events}
            intact = verify_chain(db).intact
        return notes, audited, intact
    finally:
        app.extensions["homeward_db"].engine.dispose()


@dataclass
class Outcome:
    client: int
    started: float
    finished: float
    status: int
    kind: str


def test_database_restart_under_load(fault_site, private_postgres, served):
    browser, case_path = _signed_in(served, fault_site, "caseworker@demo.homeward.test")
    case_id = uuid.UUID(case_path.rsplit("/", 1)[1])
    token = browser.csrf(case_path)
    outcomes: list[Outcome] = []
    done = threading.Event()

    def client(number: int) -> None:
        mine = stack.Browser(served.base, jar=browser.jar)  # the same signed-in session
        step = 0
        while not done.is_set():
            started = time.monotonic()
            kind = "note" if step % 3 == 0 else "page"
            try:
                if kind == "note":
                    data = {"body": f"load {number}-{step}", "csrf_token": token}
                    status = mine.request(f"{case_path}/notes", data).status
                else:
                    status = mine.request(case_path).status
            except OSError:
                status = 0
            outcomes.append(Outcome(number, started, time.monotonic(), status, kind))
            step += 1
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        down = time.monotonic()
        private_postgres.stop("fast")
        time.sleep(2)
        starting = time.monotonic()
        private_postgres.start()
        up = time.monotonic()
        time.sleep(8)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)

    before = [o for o in outcomes if o.finished < down]
    # Answered while the server was down (queued requests may be served after it is back).
    during = [o for o in outcomes if o.started > down + 0.5 and o.finished < starting]
    settled = [o for o in outcomes if o.started >= up + 5]
    assert before and {o.status for o in before} <= {200, 302}
    assert during and {o.status for o in during} == {503}, {o.status for o in during}
    if 500 in {o.status for o in outcomes}:
        pytest.fail("a 500 around the restart:\n" + "\n".join(served.errors()))
    assert settled and {o.status for o in settled} <= {200, 302}
    assert {o.client for o in settled} == set(range(8))
    for number in range(8):
        recovered = [o for o in outcomes if o.client == number and o.started >= up]
        first_good = next(o for o in recovered if o.status in (200, 302))
        assert first_good.started - up < 5, f"client {number} waited {first_good.started - up} s"

    notes, audited, intact = _checked_site(fault_site, case_id)
    saved = sum(1 for o in outcomes if o.kind == "note" and o.status == 302)
    assert len(notes) >= saved  # every note confirmed to a client is there...
    assert notes == audited  # ...and none without its audit event, nor an event without it
    assert intact


def _backend_waiting_on_the_chain(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
    return bool(row and row[0])


def _wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_worker_killed_in_the_middle_of_a_write(fault_site, served):
    browser, case_path = _signed_in(served, fault_site, "caseworker2@demo.homeward.test")
    case_id = uuid.UUID(case_path.rsplit("/", 1)[1])
    token = browser.csrf(case_path)
    notes_before, _audited, _intact = _checked_site(fault_site, case_id)
    conninfo = fault_site.url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        head_before = conn.execute("SELECT max(seq) FROM audit_event").fetchone()
        # Hold the audit chain's lock: the note is inserted, then its audit event waits.
        conn.execute("SELECT pg_advisory_lock(%s)", (CHAIN_LOCK_KEY,))
        results: list[object] = []

        def write() -> None:
            data = {"body": "never half-written", "csrf_token": token}
            try:
                results.append(browser.request(f"{case_path}/notes", data).status)
            except OSError as exc:
                results.append(exc)

        writer = threading.Thread(target=write)
        writer.start()
        _wait_for(lambda: _backend_waiting_on_the_chain(conninfo))
        killed = stack.worker_pids(served.master.pid)
        for pid in killed:
            stack.os.kill(pid, stack.signal.SIGKILL)
        writer.join(timeout=30)
        conn.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK_KEY,))
        _wait_for(lambda: not _backend_waiting_on_the_chain(conninfo))
        head_after = conn.execute("SELECT max(seq) FROM audit_event").fetchone()

    assert results and not (isinstance(results[0], int) and results[0] in (200, 302))
    notes_after, audited, intact = _checked_site(fault_site, case_id)
    assert notes_after == notes_before and audited == notes_after
    assert head_after == head_before  # not one event of the killed request was kept
    assert intact
    # The master replaced the workers; the same session goes on.
    _wait_for(lambda: len(set(stack.worker_pids(served.master.pid)) - set(killed)) == 4)
    assert browser.request(case_path).status == 200


REDIS_DOWN = """
import json, sys
from core.app import create_app
from tests.conftest import make_settings
from tests.factories import post_form

url, key_file, port, email, password = sys.argv[1:6]
app = create_app(make_settings(url, key_file, RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{port}/0",
                 LOGIN_RATE_LIMIT="100 per minute", LOGIN_FALLBACK_RATE_LIMIT="3 per minute",
                 LOG_FORMAT="json"))
client = app.test_client()

def attempt(address, user="nobody@example.org", secret="wrong " * 4):
    return post_form(client, "/login", {"email": user, "password": secret},
                     environ_base={"REMOTE_ADDR": address}).status_code

up = [attempt("10.0.0.1") for _ in range(5)]
print(json.dumps({"up": up}), flush=True)
sys.stdin.readline()  # the test stops Redis
down = [attempt("10.0.0.1") for _ in range(6)]
other = attempt("10.0.0.2", email, password)
pages = client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
print(json.dumps({"down": down, "other": other, "pages": pages}), flush=True)
"""


def test_redis_down_sign_in_stays_limited_per_process(fault_site, tmp_path):
    if stack.binary("redis-server", "/usr/bin/redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = stack.free_port()
    redis_server = stack.start_redis(port, tmp_path)
    account = fault_site.accounts["supervisor@demo.homeward.test"]
    args = [fault_site.url, str(fault_site.key_file), str(port), account["email"]]
    process = subprocess.Popen(
        [sys.executable, "-c", REDIS_DOWN, *args, account["password"]],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=stack.app_environment(),
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        up = json.loads(process.stdout.readline())["up"]
        stack.stop(redis_server)
        process.stdin.write("go\n")
        process.stdin.flush()
        out, err = process.communicate(timeout=60)
    finally:
        stack.stop(redis_server)
        if process.poll() is None:
            process.kill()
    assert up == [200] * 5  # Redis counts; 100 a minute is far away
    result = json.loads(out.strip().splitlines()[-1])
    # Fails closed: each process now allows only the strict fallback, 3 a minute.
    assert result["down"] == [200, 200, 200, 429, 429, 429]
    assert result["other"] == 302  # someone else still signs in (password step passed)
    assert result["pages"] == 200  # pages other than sign-in are not limited
    alerts = [
        json.loads(line)
        for line in err.splitlines()
        if line.startswith("{") and "ALERT rate-limit storage unreachable" in line
    ]
    assert alerts and alerts[0]["level"] == "ERROR"
