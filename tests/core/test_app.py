"""The app factory, configuration, health check, error pages and security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import text

from core.app import create_app
from core.config import DEVELOPMENT_SECRET_KEY, ConfigError, Settings
from core.db import get_session
from core.keys import FileKeyProvider, new_keyring
from tests.conftest import make_settings

#: Production needs shared rate-limit storage; nothing connects to it at start-up.
REDIS = "redis://127.0.0.1:6379/14"  # db 15 is flushed by tests/auth/test_rate_limit_storage.py


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(key_file, tmp_path):
    missing_dir = tmp_path / "nowhere" / "deeper"
    app = create_app(make_settings(f"sqlite:///{missing_dir}/x.db", key_file))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_settings_from_environment():
    settings = Settings.from_env(
        environ={
            "HOMEWARD_DATABASE_URL": "sqlite:///x.db",
            "HOMEWARD_LOCKOUT_THRESHOLD": "4",
            "HOMEWARD_MFA_REQUIRED_FOR_ALL": "false",
        }
    )
    assert settings.DATABASE_URL == "sqlite:///x.db"
    assert settings.LOCKOUT_THRESHOLD == 4
    assert settings.MFA_REQUIRED_FOR_ALL is False


def test_bad_number_setting_is_a_clear_error():
    with pytest.raises(ConfigError, match="HOMEWARD_LOCKOUT_THRESHOLD"):
        Settings.from_env(environ={"HOMEWARD_LOCKOUT_THRESHOLD": "six"})


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [
        ("", "SECRET_KEY is not set"),
        (DEVELOPMENT_SECRET_KEY, "development default"),
        ("short", "development default or shorter"),
    ],
)
def test_production_refuses_unsafe_secret(secret, fragment, key_file):
    settings = Settings.from_env(
        environ={},
        ENV="production",
        SECRET_KEY=secret,
        KEY_FILE=str(key_file),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL=REDIS,
    )
    with pytest.raises(ConfigError, match=fragment) as info:
        create_app(settings)
    assert "\n" not in str(info.value)


def test_production_refuses_missing_key_file(tmp_path):
    settings = Settings.from_env(
        environ={},
        ENV="production",
        SECRET_KEY="s" * 40,
        KEY_FILE=str(tmp_path / "none.json"),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL=REDIS,
    )
    with pytest.raises(ConfigError, match="does not exist"):
        create_app(settings)


def test_production_refuses_development_master_key(tmp_path):
    path = tmp_path / "keys.json"
    FileKeyProvider(path).save(new_keyring(development=True))
    settings = Settings.from_env(
        environ={},
        ENV="production",
        SECRET_KEY="s" * 40,
        KEY_FILE=str(path),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL=REDIS,
    )
    with pytest.raises(ConfigError, match="development key"):
        create_app(settings)


def test_production_refuses_key_file_readable_by_others(tmp_path):
    path = tmp_path / "keys.json"
    FileKeyProvider(path).save(new_keyring(development=False))
    path.chmod(0o644)
    settings = Settings.from_env(
        environ={},
        ENV="production",
        SECRET_KEY="s" * 40,
        KEY_FILE=str(path),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL=REDIS,
    )
    with pytest.raises(ConfigError, match="readable by others"):
        create_app(settings)


@pytest.mark.parametrize("storage", ["memory://", "", "MEMORY://"])
def test_production_refuses_per_process_rate_limit_storage(storage, key_file):
    """Each worker would count sign-in attempts on its own (115 of 120 went through 20/min)."""
    settings = Settings.from_env(
        environ={},
        ENV="production",
        SECRET_KEY="s" * 40,
        KEY_FILE=str(key_file),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL=storage,
    )
    with pytest.raises(ConfigError, match="HOMEWARD_RATELIMIT_STORAGE_URL") as info:
        settings.validate()
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="HOMEWARD_RATELIMIT_STORAGE_URL"):
        create_app(settings)


def test_production_refuses_memory_rate_limits_from_the_environment(key_file):
    """What every ``homeward`` command and gunicorn (wsgi.py) read: create_app from the env."""
    environ = {
        "HOMEWARD_ENV": "production",
        "HOMEWARD_SECRET_KEY": "s" * 40,
        "HOMEWARD_KEY_FILE": str(key_file),
        "HOMEWARD_BASE_URL": "https://homeward.example",
    }
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URL is memory://"):
        Settings.from_env(environ=environ).validate()


def test_production_starts_with_redis_storage_even_while_redis_is_down(key_file, tmp_path):
    settings = Settings.from_env(
        environ={},
        ENV="production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}",
        SECRET_KEY="s" * 40,
        KEY_FILE=str(key_file),
        BASE_URL="https://homeward.example",
        RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0",
    )
    app = create_app(settings)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"


def test_sqlite_has_wal_and_foreign_keys(app, db_session, backend):
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    conn = db_session.info["connection"]
    assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.fixture
def failing_client(key_file: Path, database_url: str, db_session):
    app = create_app(make_settings(database_url, key_file, extra={"PROPAGATE_EXCEPTIONS": False}))
    app.extensions["homeward_db"].bind_connection(db_session.info["connection"])

    from core.security import public

    @app.get("/boom/<int:code>")
    @public
    def boom(code: int):
        if code == 500:
            raise RuntimeError("secret internal detail: Фарида 1990-01-01")
        abort(code)

    @app.post("/boom-post")
    @public
    def boom_post():
        return "ok"

    return app.test_client()


@pytest.mark.parametrize("code", [400, 403, 404, 405, 409, 413, 429, 500])
def test_error_pages_inside_layout_reveal_nothing(failing_client, code):
    response = failing_client.get(f"/boom/{code}")
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert 'class="skip-link"' in body and f"Error {code}" in body
    assert "Traceback" not in body and "secret internal detail" not in body
    assert "RuntimeError" not in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_url_is_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_csrf_missing_token_is_400(failing_client):
    response = failing_client.post("/boom-post", data={})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    for path in ["/login", "/healthz", "/no/such/page", "/static/css/homeward.css"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_anonymous_is_sent_to_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/cases/")


def test_language_and_direction_on_html(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in body


def test_one_commit_per_request_rolls_back_on_error(app, db_session):
    """Work done by a request that ends in an error response is not committed."""
    from auth.models import Organisation

    with app.test_request_context("/"):
        session = get_session()
        session.add(
            Organisation(
                name="Temp",
                code="TMP",
                country="XK",
                is_case_agency=True,
                is_provider=False,
                active=True,
            )
        )
        session.flush()
        from core.db import commit_or_rollback

        commit_or_rollback(app.response_class(status=500))
        from sqlalchemy import select

        assert session.scalar(select(Organisation).where(Organisation.code == "TMP")) is None
