"""The reader's time zone: the user's, else their organisation's, else the deployment's
(``HOMEWARD_DEFAULT_TIMEZONE``). Auth answers :data:`core.signals.time_zone_asking`."""

from __future__ import annotations

from flask import current_app, has_request_context

from core.i18n.dates import is_time_zone
from core.signals import collect, time_zone_asking


def default_time_zone() -> str:
    settings = current_app.config.get("HOMEWARD_SETTINGS")
    return str(settings.DEFAULT_TIMEZONE) if settings else "UTC"


def select_time_zone() -> str:
    """Flask-Babel's time zone selector."""
    if has_request_context():
        for zone in collect(time_zone_asking, None, str):
            if is_time_zone(zone):
                return zone
    return default_time_zone()
