"""``GET /healthz`` (liveness: the app answers and reaches its database) and ``GET /readyz``
(readiness: 503 only when the database is unreachable or its schema is behind the code's
migrations; the body also reports the status figures the packages collect)."""

from __future__ import annotations

import math

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.db import get_session
from core.extensions import csrf, limiter
from core.migrate import MIGRATIONS_DIR
from core.revisions import applied_revisions, shipped_revisions
from core.security import public
from core.signals import StatusFigure, status_figures_collecting


@public
@limiter.exempt
@csrf.exempt
def healthz() -> ResponseReturnValue:
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def code_revisions() -> tuple[set[str], set[str]]:
    """The migration heads this code ships and every revision it knows (read once per
    process: they cannot change while it runs)."""
    known: tuple[set[str], set[str]] | None = current_app.extensions.get("homeward_revisions")
    if known is None:
        known = shipped_revisions(sorted((MIGRATIONS_DIR / "versions").glob("*.py")))
        current_app.extensions["homeward_revisions"] = known
    return known


def migration_state(current: set[str]) -> str:
    """``current``, ``behind`` (``homeward db upgrade`` is due) or ``ahead`` (the database
    was upgraded by newer code, as during a rolling upgrade: not a reason to stop serving)."""
    heads, known = code_revisions()
    if current == heads:
        return "current"
    return "behind" if current <= known else "ahead"


def status_figures(session: Session) -> list[StatusFigure]:
    """What the packages report (outbox backlog, checkpoint age...), one figure per name.

    A receiver may return one :class:`StatusFigure` or a list of them.
    """
    sender = current_app._get_current_object()  # type: ignore[attr-defined]
    found: dict[str, StatusFigure] = {}
    for _receiver, value in status_figures_collecting.send(sender, session=session):
        for figure in value if isinstance(value, list | tuple) else [value]:
            if isinstance(figure, StatusFigure):
                found.setdefault(figure.name, figure)
    return list(found.values())


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


@public
@limiter.exempt
@csrf.exempt
def readyz() -> ResponseReturnValue:
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        current = applied_revisions(session)
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    heads, _known = code_revisions()
    state = migration_state(current)
    behind = state == "behind"
    # A schema behind the code may lack the tables the figures read (an empty database:
    # none at all): the state is the answer then.
    figures = {} if behind else {f.name: _json_number(f.value) for f in status_figures(session)}
    body = {
        "status": "unavailable" if behind else "ok",
        "database": "ok",
        "migrations": state,
        "revision": {"database": sorted(current), "code": sorted(heads)},
        "figures": figures,
    }
    return jsonify(body), 503 if behind else 200
