"""P1 (issue 18): pages a case team opens, in requests/s, against a minimal Flask page.

    .venv/bin/python bench/throughput.py [--people 10000] [--database-url URL]
        [--workdir DIR] [--reuse] [--duration 10] [--connections 8]

Fills a database with ``bench/generate.py`` (SQLite file in ``--workdir`` unless
``--database-url``; ``--reuse`` keeps a filled one), adds the anchor's plain table of as many
rows as there are cases (``bench/anchor.py``), serves Homeward (``wsgi:app``) and the anchor
each with gunicorn and 2 workers, signs a generated caseworker in over HTTP, and drives each
page with ``wrk`` (2 threads, ``--connections``, ``--duration`` seconds), one after the other
in the same run: the anchor page, then the caseworker's case list, a case page, the task
list, the today page and the account page. Every page is checked to answer 200 as the
signed-in caseworker before it is driven, and a run with non-2xx answers is reported as such.

Prints requests/s and the ratio of each page to the anchor, and lines ``P1 <page> ratio=<x>``
(targets: the case list >= 0.5, every other page >= 0.3). Beside them, with no target, the
signed-in floor: the 404 page of the signed-in caseworker, which checks the session and draws
the layout and nothing else (no audit, nothing written), so no page a case team opens can
exceed its ratio (line ``P1floor <database> ratio=<x>``).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "generated staff password 2026"  # bench/generate.py's PASSWORD
TARGETS = {"case list": 0.5}
OTHER_TARGET = 0.3
ANCHOR = "anchor (minimal Flask page)"
#: Shown beside the pages, with no target: what every signed-in page pays before its own work.
FLOOR = "signed-in floor (404 page)"
LOG_DIR = Path(tempfile.gettempdir())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], extra: list[str]) -> Iterator[str]:
    """Serve ``app`` with 2 sync workers on a free loopback port; yields its base URL."""
    port = free_port()
    cmd = [
        str(BIN / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra,
        app,
    ]
    log = open(LOG_DIR / "gunicorn.log", "a")  # noqa: SIM115 (closed with the server)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"gunicorn for {app} stopped ({proc.returncode})") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
        WORKER_RSS[app] = worker_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


#: The largest resident set of a gunicorn worker of each app, read after its pages were driven.
WORKER_RSS: dict[str, float] = {}


def worker_rss_mb(master: int) -> float:
    """The largest VmRSS (MB) among the processes whose parent is ``master`` (Linux /proc)."""
    largest = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        parent = re.search(r"^PPid:\s+(\d+)", text, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        if parent and rss and int(parent.group(1)) == master:
            largest = max(largest, int(rss.group(1)) / 1024)
    return largest


def wrk(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, int]:
    """Requests/s and the number of non-2xx/3xx answers of one wrk run."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if rate is None:
        raise SystemExit(f"wrk printed no rate:\n{out}")
    return float(rate.group(1)), int(bad.group(1)) if bad else 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def sign_in(base: str, email: str) -> tuple[str, urllib.request.OpenerDirector]:
    """Sign ``email`` in through the login form; the Cookie header and a redirect-less opener."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    try:
        opener.open(f"{base}/login", data)
    except urllib.error.HTTPError as exc:  # the 303 to the next page is the success
        if exc.code not in (302, 303):
            raise SystemExit(f"sign-in answered {exc.code}") from None
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, opener


def check_page(opener: urllib.request.OpenerDirector, url: str) -> str:
    try:
        response = opener.open(url)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url} answered {exc.code} to the signed-in caseworker") from None
    return str(response.read().decode())


def fill(url: str, people: int, env: dict[str, str]) -> None:
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "generate.py"),
        "--people",
        str(people),
        "--database-url",
        url,
    ]
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=True)


def busiest_caseworkers(url: str, count: int) -> list[str]:
    """E-mails of up to ``count`` caseworkers, those with the most open cases first."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        emails = conn.scalars(
            text(
                "SELECT u.email FROM user_account u JOIN casefile c ON c.assigned_to_id = u.id "
                "WHERE u.role = 'caseworker' AND c.stage <> 'closed' "
                "GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT :n"
            ),
            {"n": count},
        ).all()
    engine.dispose()
    return [str(email) for email in emails]


def database_facts(url: str) -> tuple[int, str]:
    """The number of cases and the e-mail of the caseworker with the most open cases."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        cases = int(conn.scalar(text("SELECT count(*) FROM casefile")) or 0)
    engine.dispose()
    busiest = busiest_caseworkers(url, 1)
    if not busiest:
        raise SystemExit("no caseworker with cases: fill the database first")
    return cases, busiest[0]


def pages(base: str, opener: urllib.request.OpenerDirector) -> dict[str, str]:
    """The pages a case team opens, as URLs checked to answer 200 to the caseworker."""
    listing = check_page(opener, f"{base}/cases/")
    case = re.search(r'href="/cases/([0-9a-f-]{36})"', listing)
    if case is None:
        raise SystemExit("the case list shows no case")
    found = {
        "case list": f"{base}/cases/",
        "case page": f"{base}/cases/{case.group(1)}",
        "task list": f"{base}/tasks/",
        "today": f"{base}/today/",
        "account": f"{base}/account",
    }
    for url in found.values():
        check_page(opener, url)
    return found


def measure(
    url: str, cases: int, email: str, args: argparse.Namespace, env: dict[str, str]
) -> dict[str, tuple[float, int]]:
    """Requests/s of the anchor and of every page, in one run."""
    from anchor import ensure_rows
    from sqlalchemy import create_engine

    engine = create_engine(url)
    ensure_rows(engine, cases)
    engine.dispose()
    results: dict[str, tuple[float, int]] = {}
    with gunicorn(
        "anchor:app", {"BENCH_ANCHOR_DATABASE_URL": url}, ["--pythonpath", "bench"]
    ) as base:
        results[ANCHOR] = wrk(f"{base}/", None, args.duration, args.connections)
    with gunicorn("wsgi:app", env, []) as base:
        cookie, opener = sign_in(base, email)
        for name, page in pages(base, opener).items():
            results[name] = wrk(page, cookie, args.duration, args.connections)
        results[FLOOR] = wrk(floor_page(base, opener), cookie, args.duration, args.connections)
    return results


def floor_page(base: str, opener: urllib.request.OpenerDirector) -> str:
    """An address no route answers, checked to give the signed-in caseworker the 404 page
    (the layout drawn for a signed-in user; not the sign-in redirect)."""
    url = f"{base}/bench-no-such-page"
    try:
        opener.open(url)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return url
        raise SystemExit(f"{url} answered {exc.code}, not 404") from None
    raise SystemExit(f"{url} answered 200, not 404")


def report(results: dict[str, tuple[float, int]], cases: int, dialect: str) -> None:
    anchor = results[ANCHOR][0]
    print(f"\nP1 on {dialect}, {cases:,} cases, gunicorn 2 workers, wrk 2 threads:")
    print(f"{'page':<30} {'req/s':>9} {'ratio':>7} {'target':>7}  non-2xx")
    for name, (rate, bad) in results.items():
        target = TARGETS.get(name, OTHER_TARGET) if name not in (ANCHOR, FLOOR) else None
        ratio = rate / anchor if anchor else 0.0
        shown = f"{target:>7.2f}" if target is not None else f"{'':>7}"
        answers = f"{bad} (404s, as meant)" if name == FLOOR else str(bad)
        print(f"{name:<30} {rate:>9.1f} {ratio:>7.3f} {shown}  {answers}")
    for name, (rate, _bad) in results.items():
        if name not in (ANCHOR, FLOOR):
            print(f"P1 {dialect} {name.replace(' ', '_')} ratio={rate / anchor:.3f}")
    if FLOOR in results:
        print(f"P1floor {dialect} ratio={results[FLOOR][0] / anchor:.3f}")
    homeward_rss = WORKER_RSS.get("wsgi:app", 0.0)
    print(f"RSS {dialect} worker_max_mb={homeward_rss:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="homeward-p1-"))
    workdir.mkdir(parents=True, exist_ok=True)
    global LOG_DIR
    LOG_DIR = workdir
    url = args.database_url or f"sqlite:///{workdir / 'p1.db'}"
    env = {
        "HOMEWARD_DATABASE_URL": url,
        "HOMEWARD_KEY_FILE": str(workdir / "keys.json"),
        "HOMEWARD_ENV": "development",
        "HOMEWARD_MFA_REQUIRED_FOR_ALL": "false",
    }
    if not args.reuse:
        fill(url, args.people, env)
    cases, email = database_facts(url)
    sys.path.insert(0, str(ROOT / "bench"))
    results = measure(url, cases, email, args, env)
    report(results, cases, "PostgreSQL" if url.startswith("postgresql") else "SQLite")


if __name__ == "__main__":
    main()
