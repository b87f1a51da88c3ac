"""The service directory's blueprint (pages under /directory, commands ``homeward directory``)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("directory", __name__, url_prefix="/directory", cli_group="directory")
