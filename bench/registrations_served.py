"""P6 (issue 18): registrations per second as a server sustains them, many caseworkers at once.

    .venv/bin/python bench/registrations_served.py --database-url URL --key-file KEYS
        [--clients 8] [--duration 10]

``bench/pages_bench.py`` times registrations one after the other in one process: one core's
worth. This serves Homeward with gunicorn and 2 workers (``bench/throughput.py``'s server) on
a database filled by ``bench/generate.py`` (``KEYS``: the key file it used), signs in
``--clients`` caseworkers of case agencies over HTTP (those with the most open cases; one
session each), and drives them with ``wrk``, one connection each, for ``--duration`` seconds:
each connection opens the registration form (GET) and sends it (POST), again and again, as a
caseworker registering people one after the other does. The people are drawn as the
population is, afresh each run (``bench/registration_people.py``; ``--forms`` of them per
client, sent in turn), and each form is sent past the duplicate warning.

Each GET must answer 200 and each POST 302 (the new case): anything else is counted as a
failure and the run is refused. First 1 client, then ``--clients``. Prints registrations/s of
each and the line ``P6served clients=<n> registrations_per_s=<x> single_per_s=<y>``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path
from urllib.request import HTTPCookieProcessor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import busiest_caseworkers, check_page, gunicorn, sign_in  # noqa: E402

TARGET = 50.0


def bodies(token: str, count: int) -> list[str]:
    """``count`` registration forms of people drawn as the population is, drawn afresh
    (``bench/registration_people.py``), each with the session's CSRF token, URL-encoded."""
    from registration_people import registration_forms

    return [
        urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True)
        for data in registration_forms(count)
    ]


def lua_string(text: str) -> str:
    """``text`` as a Lua string literal (URL-encoded bodies and cookies need no escapes but
    these)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


LUA = r"""
local clients = { %s }
local threads, made = {}, 0
function setup(thread)
  made = made + 1
  thread:set("id", made)
  table.insert(threads, thread)
end
function init(args)
  local me = clients[id]
  cookie, bodies, n, posting, posts, failed = me.cookie, me.bodies, 0, false, 0, 0
end
function request()
  posting = not posting
  if posting then
    n = n + 1
    local form = bodies[(n - 1) %% #bodies + 1]
    return wrk.format("POST", "/cases/new", {["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded"}, form)
  end
  return wrk.format("GET", "/cases/new", {["Cookie"] = cookie})
end
function response(status, headers, body)
  if posting then
    if status == 302 then posts = posts + 1 else failed = failed + 1 end
  elseif status ~= 200 then
    failed = failed + 1
  end
end
function done(summary, latency, requests)
  local p, f = 0, 0
  for _, thread in ipairs(threads) do
    p = p + thread:get("posts")
    f = f + thread:get("failed")
  end
  io.write(string.format("REGISTERED %%d FAILED %%d SECONDS %%.3f\n", p, f,
    summary.duration / 1e6))
end
"""


def caseworkers(url: str, count: int) -> list[str]:
    """E-mails of ``count`` caseworkers of case agencies, those with most open cases first."""
    emails = busiest_caseworkers(url, count)
    if len(emails) < count:
        raise SystemExit(f"{count} caseworkers with open cases wanted, {len(emails)} found")
    return emails


def client_entry(base: str, email: str, count: int) -> str:
    """One signed-in caseworker as a Lua table: the session cookie and ``count`` forms' bodies
    (with the CSRF token of that session's registration form)."""
    _cookie, opener = sign_in(base, email)
    page = check_page(opener, f"{base}/cases/new")
    # The form's token is kept in the session cookie, which opening the form set anew.
    jar = next(h.cookiejar for h in opener.handlers if isinstance(h, HTTPCookieProcessor))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the registration form")
    forms = ", ".join(lua_string(body) for body in bodies(token.group(1), count))
    return f"{{cookie = {lua_string(cookie)}, bodies = {{ {forms} }}}}"


def drive(base: str, entries: list[str], clients: int, duration: int) -> tuple[int, float]:
    """Registrations and seconds of one wrk run with ``clients`` connections (one thread each)."""
    script = LUA % ", ".join(entries[:clients])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [wrk, f"-t{clients}", f"-c{clients}", f"-d{duration}s", "-s", handle.name, base]
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    found = re.search(r"REGISTERED (\d+) FAILED (\d+) SECONDS ([\d.]+)", out)
    if found is None:
        raise SystemExit(f"wrk printed no count:\n{out}")
    registered, failed, seconds = int(found[1]), int(found[2]), float(found[3])
    if failed or "Non-2xx" in out:
        raise SystemExit(f"{failed} registrations or forms failed:\n{out}")
    return registered, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument(
        "--forms", type=int, default=200, help="people drawn per client (sent in turn)"
    )
    args = parser.parse_args()
    env = {
        "HOMEWARD_DATABASE_URL": args.database_url,
        "HOMEWARD_KEY_FILE": args.key_file,
        "HOMEWARD_ENV": "development",
        "HOMEWARD_MFA_REQUIRED_FOR_ALL": "false",
    }
    emails = caseworkers(args.database_url, args.clients)
    rates = {}
    with gunicorn("wsgi:app", env, []) as base:
        entries = [client_entry(base, email, args.forms) for email in emails]
        for clients in (1, args.clients):
            registered, seconds = drive(base, entries, clients, args.duration)
            rates[clients] = registered / seconds
            print(
                f"registrations, {clients} client(s): {registered} in {seconds:.1f} s, "
                f"{rates[clients]:.1f}/s",
                flush=True,
            )
    verdict = "meets" if rates[args.clients] >= TARGET else "MISSES"
    print(f"{verdict} the {TARGET:.0f}/s target (gunicorn 2 workers, form opened and sent)")
    print(
        f"P6served clients={args.clients} registrations_per_s={rates[args.clients]:.1f} "
        f"single_per_s={rates[1]:.1f}"
    )


if __name__ == "__main__":
    main()
