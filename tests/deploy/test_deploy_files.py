"""The deploy files hold together: units that systemd accepts and that run real commands on
the documented schedule, an nginx site that ``nginx -t`` accepts, a gunicorn config that
loads, an env file that names only real settings."""

from __future__ import annotations

import configparser
import re
import runpy
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT, Settings
from tests.deploy import stack

UNITS = stack.DEPLOY / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))

#: Each timer, the command its service runs and when.
SCHEDULE = {
    "homeward-checkpoint": ("audit checkpoint", "*-*-* *:*:00"),
    "homeward-referrals-expire": ("referrals expire", "hourly"),
    "homeward-retention": ("retention run", "*-*-* 02:30:00"),
}


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def _homeward_command(exec_start: str) -> list[str]:
    words = exec_start.split()
    assert words[0] == "/opt/homeward/.venv/bin/homeward", exec_start
    return [w for w in words[1:] if not w.startswith("-")][:2]


def test_every_unit_is_complete_and_runs_as_the_homeward_user():
    assert {p.stem for p in SERVICES} >= {"homeward", "homeward-outbox", *SCHEDULE}
    for path in SERVICES:
        unit = _unit(path)
        service = unit["Service"]
        assert service["User"] == "homeward" and service["Group"] == "homeward", path.name
        assert service["EnvironmentFile"] == "/etc/homeward/homeward.env", path.name
        assert service["WorkingDirectory"] == "/opt/homeward", path.name
        assert service.get("NoNewPrivileges") == "yes", path.name
        assert service.get("ProtectSystem") == "strict", path.name
        assert "Description" in unit["Unit"], path.name


def test_timers_run_the_documented_commands_on_schedule(app):
    assert {p.stem for p in TIMERS} == set(SCHEDULE)
    for name, (command, calendar) in SCHEDULE.items():
        timer = _unit(UNITS / f"{name}.timer")
        assert timer["Timer"]["OnCalendar"] == calendar, name
        assert timer["Install"]["WantedBy"] == "timers.target", name
        service = _unit(UNITS / f"{name}.service")["Service"]
        assert service["Type"] == "oneshot", name
        assert " ".join(_homeward_command(service["ExecStart"])) == command, name


def test_service_commands_exist(app):
    """``homeward <group> <command> --help`` answers for every command a unit runs."""
    runner = app.test_cli_runner()
    for path in SERVICES:
        exec_start = _unit(path)["Service"]["ExecStart"]
        if "/bin/homeward " not in exec_start:
            continue
        args = _homeward_command(exec_start)
        if args[0] == "outbox" and "outbox" not in app.cli.list_commands(None):  # type: ignore[arg-type]
            continue  # the outbox package is not on this branch yet
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0, (path.name, result.output)


def test_checkpoint_goes_to_the_collected_directory():
    service = _unit(UNITS / "homeward-checkpoint.service")["Service"]
    assert "--output /var/lib/homeward/checkpoints/latest.json" in service["ExecStart"]
    assert "/var/lib/homeward/checkpoints/checkpoint-" in service["ExecStartPost"]
    assert service["ReadWritePaths"] == "/var/lib/homeward/checkpoints"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the units were parsed above)")
    # The checkout stands in for /opt/homeward, so the executables exist.
    for path in [*SERVICES, *TIMERS]:
        text = path.read_text(encoding="utf-8").replace("/opt/homeward", str(PROJECT_ROOT))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    if not (PROJECT_ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("no .venv in the checkout to stand in for /opt/homeward/.venv")
    result = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    ours = [line for line in result.stderr.splitlines() if "homeward" in line]
    assert result.returncode == 0 and ours == [], result.stderr


def test_nginx_accepts_the_site(tmp_path):
    if stack.binary("nginx", "/usr/sbin/nginx") is None:
        pytest.skip("nginx is not installed")
    conf = stack.nginx_config(tmp_path, stack.free_port(), "127.0.0.1:9")
    result = subprocess.run(
        stack.nginx_command(conf, "-t"), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_site_matches_the_app_settings():
    site = stack.NGINX_SITE.read_text(encoding="utf-8")
    body = re.search(r"client_max_body_size (\d+)m;", site)
    assert body and int(body.group(1)) == Settings.MAX_UPLOAD_MB
    assert "X-Forwarded-For $remote_addr" in site and "X-Forwarded-Proto $scheme" in site
    assert "Strict-Transport-Security" in site
    assert 'Cache-Control "public, max-age=31536000, immutable"' in site
    assert "$request " not in site and '$request_uri"' not in site  # no query strings logged
    env = (stack.DEPLOY / "homeward.env.example").read_text(encoding="utf-8")
    assert "HOMEWARD_PROXY_FIX_HOPS=1" in env
    assert f"HOMEWARD_MAX_UPLOAD_MB={Settings.MAX_UPLOAD_MB}" in env


def test_env_example_names_only_real_settings():
    env = (stack.DEPLOY / "homeward.env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^HOMEWARD_([A-Z_]+)=", env, re.M))
    gunicorn_only = {"BIND", "WORKERS", "TIMEOUT"}
    settings = {f.name for f in fields(Settings)}
    assert names - gunicorn_only <= settings, sorted(names - gunicorn_only - settings)
    values = dict(re.findall(r"^HOMEWARD_([A-Z_]+)=(.*)$", env, re.M))
    assert values["ENV"] == "production"
    assert values["RATELIMIT_STORAGE_URL"].startswith("redis://")
    assert not values["KEY_FILE"].startswith(str(PROJECT_ROOT))


def test_gunicorn_config_loads_with_loopback_defaults(monkeypatch):
    for name in ("HOMEWARD_BIND", "HOMEWARD_WORKERS", "HOMEWARD_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(stack.GUNICORN_CONF))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == 4
    assert config["accesslog"] is None  # the app's own request line has no paths or queries
    assert config["preload_app"] is False
    assert callable(config["child_exit"]) and callable(config["on_starting"])


def test_homeward_env_reads_the_env_file_as_systemd_does(tmp_path):
    env_file = tmp_path / "homeward.env"
    env_file.write_text(
        "# settings\n\nHOMEWARD_LOGIN_RATE_LIMIT=20 per minute\nHOMEWARD_ENV=production\n"
        "HOMEWARD_DATABASE_URL=postgresql+psycopg://homeward_app@127.0.0.1/homeward\n",
        encoding="utf-8",
    )
    env = stack.app_environment(
        DATABASE_URL="postgresql+psycopg://homeward_owner@127.0.0.1/homeward"
    )
    env.update(HOMEWARD_ENV_FILE=str(env_file), HOMEWARD_BIN=shutil.which("env") or "/usr/bin/env")
    result = subprocess.run(
        [str(stack.DEPLOY / "homeward-env")], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert seen["HOMEWARD_LOGIN_RATE_LIMIT"] == "20 per minute"
    assert seen["HOMEWARD_ENV"] == "production"
    # Set by the caller: wins over the file (db upgrade as the owner role).
    assert seen["HOMEWARD_DATABASE_URL"].startswith("postgresql+psycopg://homeward_owner")
