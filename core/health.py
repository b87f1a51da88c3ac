"""``GET /healthz``: is the app up and can it reach its database."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.db import get_session
from core.extensions import csrf, limiter
from core.security import public


@public
@limiter.exempt
@csrf.exempt
def healthz() -> ResponseReturnValue:
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
