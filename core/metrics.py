"""``GET /metrics``: Prometheus figures behind a bearer token (``HOMEWARD_METRICS_TOKEN``).

Request counts and latencies per route (endpoint name, method and status; never paths,
parameters or users) and the status figures the packages collect (outbox backlog, audit
checkpoint age...). Without a token set the endpoint answers 404, as if it did not exist; a
missing or wrong token gets 401 or 403.

Under gunicorn each worker counts its own requests. Set ``PROMETHEUS_MULTIPROC_DIR`` (see
``deploy/gunicorn.conf.py``) and the figures of every worker are summed into one answer.
"""

from __future__ import annotations

import hmac
import os
import re
import time
from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core.config import current_settings
from core.db import get_session
from core.extensions import csrf, limiter
from core.health import status_figures
from core.security import public
from core.signals import StatusFigure

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_NAME = re.compile(r"[^a-zA-Z0-9_]")


class Instruments:
    """The request counters of one app (a registry of its own: tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "homeward_requests",
            "Requests answered, by route (endpoint), method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "homeward_request_duration_seconds",
            "Time to answer a request, by route (endpoint).",
            ["route"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined, path=directory)
        return generate_latest(combined)


class FiguresCollector(Collector):
    """The collected status figures as gauges named ``homeward_<name>``."""

    def __init__(self, figures: list[StatusFigure]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        for figure in self.figures:
            name = "homeward_" + _NAME.sub("_", figure.name)
            yield GaugeMetricFamily(name, figure.help, value=figure.value)


def _instruments() -> Instruments:
    instruments: Instruments = current_app.extensions["homeward_metrics"]
    return instruments


def observe(response: Response) -> Response:
    route = request.endpoint or "unmatched"
    if route == "health.metrics":
        return response
    started = g.get("request_started", time.perf_counter())
    instruments = _instruments()
    instruments.requests.labels(route, request.method, str(response.status_code)).inc()
    instruments.latency.labels(route).observe(time.perf_counter() - started)
    return response


def _check_token() -> None:
    expected = current_settings().METRICS_TOKEN
    if not expected:
        abort(404)
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    if not hmac.compare_digest(header.removeprefix("Bearer ").encode(), expected.encode()):
        abort(403)


@public
@limiter.exempt
@csrf.exempt
def metrics() -> ResponseReturnValue:
    _check_token()
    figures = CollectorRegistry()
    figures.register(FiguresCollector(status_figures(get_session())))
    body = _instruments().exposition() + generate_latest(figures)
    return Response(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.extensions["homeward_metrics"] = Instruments()
    app.after_request(observe)
