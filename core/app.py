"""The composition root: ``create_app`` reads as the table of contents of Homeward."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core import (
    assets,
    blueprint,
    erasure_journal,
    errors,
    extensions,
    feedback,
    i18n,
    lists,
    logs,
    memo,
    metrics,
    security,
    urls,
)
from core.config import INSTANCE_DIR, PROJECT_ROOT, Settings
from core.db import Database


class HomewardFlask(Flask):
    """Flask, except that unhandled errors are logged without their text or traceback.

    Exception messages and tracebacks (with local values) may carry personal data; the log
    keeps the exception type and the endpoint, enough to find the code at fault.
    """

    def log_exception(self, exc_info: Any) -> None:
        from flask import request

        kind = exc_info[0].__name__ if exc_info and exc_info[0] else "error"
        self.logger.error("unhandled %s at endpoint %s", kind, request.endpoint)


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the Homeward WSGI application.

    ``config`` is a Settings object, or a mapping of overrides applied on top of the
    environment. Raises ConfigError (one line) when the settings are unsafe.
    """
    settings = _load_settings(config)
    app = HomewardFlask(
        "homeward",
        root_path=str(PROJECT_ROOT),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_mapping(settings.to_flask())
    if settings.PROXY_FIX_HOPS:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.PROXY_FIX_HOPS,
            x_proto=settings.PROXY_FIX_HOPS,
            x_host=settings.PROXY_FIX_HOPS,
        )
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _load_settings(config: Settings | dict[str, Any] | None) -> Settings:
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    if not settings.SECRET_KEY and not settings.is_production:
        secret_file = Path(settings.KEY_FILE).with_name("secret_key")
        if secret_file.is_file():
            settings = replace(settings, SECRET_KEY=secret_file.read_text(encoding="utf-8").strip())
    settings.validate()
    return settings


def register_extensions(app: Flask) -> None:
    # Registered first, so their after-request hooks run last: they see the final status.
    metrics.init_app(app)
    logs.init_app(app)
    Database().init_app(app)
    memo.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    erasure_journal.init_app(app)
    assets.init_app(app)
    urls.init_app(app)
    feedback.init_app(app)
    lists.init_app(app)


def register_blueprints(app: Flask) -> None:
    """The platform's pages, then each domain, wired by its own ``init_app``."""
    import audit
    import auth
    import casework
    import referrals
    import reports
    from core import outbox, places

    app.register_blueprint(blueprint.health_blueprint)
    app.register_blueprint(blueprint.home_blueprint)
    outbox.init_app(app)
    places.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    casework.init_app(app)
    referrals.init_app(app)
    reports.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from core import commands

    commands.init_app(app)
