"""The production stack for tests: nginx from deploy/nginx/homeward.conf, gunicorn with
deploy/gunicorn.conf.py, a private PostgreSQL server (initdb), a private Redis."""

from __future__ import annotations

import contextlib
import datetime
import http.cookiejar
import ipaddress
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "homeward.conf"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before port {port}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered on port {port} within {timeout} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def binary(name: str, *fallbacks: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return next((f for f in fallbacks if Path(f).is_file()), None)


# --- TLS -------------------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with ``cryptography``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# --- nginx -----------------------------------------------------------------------------------


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/homeward.conf no longer contains {old!r}"
    return text.replace(old, new)


def site_for_test(directory: Path, port: int, upstream: str, cert: Path, key: Path) -> str:
    """The deploy site with only addresses and paths changed: loopback high port, the test's
    gunicorn, certificate and checkout; the port-80 redirect server left out."""
    site = NGINX_SITE.read_text(encoding="utf-8")
    redirect = re.search(r"server \{\n    listen 80;.*?\n\}\n", site, re.S)
    assert redirect, "the port-80 redirect server block is missing"
    site = site.replace(redirect.group(0), "")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    site = _replace(site, "    listen [::]:443 ssl http2;\n", "")
    site = _replace(site, "server 127.0.0.1:8000;", f"server {upstream};")
    site = _replace(site, "/etc/ssl/homeward/fullchain.pem", str(cert))
    site = _replace(site, "/etc/ssl/homeward/privkey.pem", str(key))
    site = _replace(site, "/opt/homeward/static/", f"{PROJECT_ROOT / 'static'}/")
    return _replace(site, "/var/log/nginx/", f"{directory / 'logs'}/")


def nginx_config(directory: Path, port: int, upstream: str) -> Path:
    """A complete nginx.conf in ``directory`` (temp paths, pid, logs) including the site."""
    for sub in ("logs", "tmp"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(directory)
    (directory / "homeward.conf").write_text(
        site_for_test(directory, port, upstream, cert, key), encoding="utf-8"
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    tmp = directory / "tmp"
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {directory / "nginx.pid"};
error_log {directory / "logs" / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {directory / "homeward.conf"};
}}
""",
        encoding="utf-8",
    )
    return conf


def nginx_command(conf: Path, *extra: str) -> list[str]:
    nginx = binary("nginx", "/usr/sbin/nginx")
    assert nginx is not None
    return [nginx, "-p", str(conf.parent), "-c", str(conf), *extra]


# --- gunicorn --------------------------------------------------------------------------------


def app_environment(**settings: str) -> dict[str, str]:
    """The process environment without the developer's HOMEWARD_ settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update({f"HOMEWARD_{k}": v for k, v in settings.items()})
    return env


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py, bound and sized through its environment."""
    env = {**env, "HOMEWARD_BIND": f"127.0.0.1:{port}", "HOMEWARD_WORKERS": str(workers)}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", str(GUNICORN_CONF), "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process)
    except RuntimeError:
        stop(process)
        raise RuntimeError(log.read_text(errors="replace")[-3000:]) from None
    return process


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the children of the master process."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


# --- an HTTP client --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """One client with its own cookies; redirects are returned, not followed."""

    base: str
    context: ssl.SSLContext | None = None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: object, **_kwargs: object) -> None:
            return None

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=self.context),
            self._NoRedirect(),
        )
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = dict(headers or {})
        if data is not None:  # what a browser sends on a same-origin form post
            headers.setdefault("Referer", self.base + path)
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with opener.open(req, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers), exc.read())

    def csrf(self, path: str) -> str:
        page = self.request(path).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return token.group(1)

    def post_form(self, path: str, data: dict[str, str], token_from: str | None = None) -> Answer:
        token = self.csrf(token_from or path)
        return self.request(path, {**data, "csrf_token": token})

    def sign_in(self, email: str, password: str, totp_secret: str) -> None:
        import pyotp

        answer = self.post_form("/login", {"email": email, "password": password})
        assert answer.status == 302, (answer.status, answer.text[-600:])
        assert answer.headers["Location"].endswith("/login/second-factor")
        code = pyotp.TOTP(totp_secret).now()
        answer = self.post_form("/login/second-factor", {"code": code})
        assert answer.status == 302, (answer.status, answer.text[:300])


# --- a private PostgreSQL server --------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL server of its own (initdb in a temporary directory, its own port), so
    stopping it disturbs neither the shared server nor the rest of the suite. As root (initdb
    refuses root) it runs as the ``postgres`` user in a directory owned by it."""

    def __init__(self) -> None:
        self.initdb = binary("initdb", "/usr/local/bin/initdb", "/usr/lib/postgresql/15/bin/initdb")
        self.pg_ctl = binary("pg_ctl", "/usr/local/bin/pg_ctl", "/usr/lib/postgresql/15/bin/pg_ctl")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="homeward-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    @property
    def available(self) -> bool:
        return bool(self.initdb and self.pg_ctl)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        assert self.initdb is not None
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run(
            self.initdb,
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        self.start()

    def start(self) -> None:
        assert self.pg_ctl is not None
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        assert self.pg_ctl is not None
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, AssertionError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_redis(port: int, directory: Path) -> subprocess.Popen:
    """A Redis of its own (no persistence) on a loopback port."""
    server = binary("redis-server", "/usr/bin/redis-server")
    assert server is not None
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process
