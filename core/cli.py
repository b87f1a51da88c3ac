"""The ``homeward`` console script: a Flask CLI group around ``create_app``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from core.app import create_app
from core.config import ConfigError
from core.crypto.commands import keys_cli


def _create() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(2)


main = FlaskGroup(create_app=_create, help="Homeward command line.", set_debug_flag=False)

# ``homeward keys init`` makes the key file the app needs to start, so the keys group hangs on
# the console script itself: found without building the app (its other commands still build it).
main.add_command(keys_cli)
