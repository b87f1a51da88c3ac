"""Logs an operator can search without finding anyone's personal data in them.

One line per request (``homeward.request``): request id, user id, route (the endpoint name,
never the path with its ids, never query parameters or form values), method, status and
duration. ``HOMEWARD_LOG_FORMAT=json`` writes every log record as one JSON object a line
(for journald or a log shipper), ``text`` as plain lines. Every record written during a
request carries its request id; an ``X-Request-Id`` sent by the proxy is kept when it is a
short token, else a new one is made, and it is returned in the response.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

from core.security import current_actor

request_log = logging.getLogger("homeward.request")

#: The fields of a request line, in order; each is also set on the log record.
REQUEST_FIELDS = ("request_id", "user_id", "route", "method", "status", "duration_ms")
_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which gunicorn worker
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if "request_id" not in entry and has_request_context():
            entry["request_id"] = g.get("request_id")
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception text and tracebacks may carry personal data.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message`` with the request fields as ``key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        extra = " ".join(
            f"{name}={getattr(record, name)}"
            for name in REQUEST_FIELDS[1:]
            if getattr(record, name, None) is not None
        )
        line = (
            f"{when} {record.levelname} {record.name} [{request_id or '-'}] {record.getMessage()}"
        )
        if record.exc_info and record.exc_info[0] is not None:
            line += f" exception={record.exc_info[0].__name__}"
        return f"{line} {extra}".rstrip()


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (gunicorn and tests may replace it)."""

    _homeward = True

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(log_format: str) -> None:
    """One Homeward handler on the root logger, in the chosen format (replaces an earlier one)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_homeward", False):
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    homeward = logging.getLogger("homeward")
    homeward.removeHandler(default_handler)
    if homeward.level == logging.NOTSET or homeward.level > logging.INFO:
        homeward.setLevel(logging.INFO)


def start_request() -> None:
    sent = request.headers.get("X-Request-Id", "")
    g.request_id = sent if _TOKEN.fullmatch(sent) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def request_fields(response: Response) -> dict[str, Any]:
    """What the request line says about this request (no path, no parameters, no values)."""
    actor = current_actor()
    started = g.get("request_started", time.perf_counter())
    return {
        "request_id": g.get("request_id"),
        "user_id": str(actor.user_id) if actor is not None else None,
        "route": request.endpoint or "unmatched",
        "method": request.method,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def finish_request(response: Response) -> Response:
    fields = request_fields(response)
    g.request_fields = fields
    response.headers["X-Request-Id"] = str(fields["request_id"])
    request_log.info("request", extra=fields)
    return response


def init_app(app: Flask) -> None:
    configure_logging(app.config["HOMEWARD_SETTINGS"].LOG_FORMAT)
    app.before_request(start_request)
    app.after_request(finish_request)
