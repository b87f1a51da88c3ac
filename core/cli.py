"""The ``homeward`` console script: a Flask CLI group around ``create_app``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from core.app import create_app
from core.config import ConfigError


def _create() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(2)


main = FlaskGroup(create_app=_create, help="Homeward command line.", set_debug_flag=False)
