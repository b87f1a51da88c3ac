"""gunicorn settings for Homeward behind nginx: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment (the systemd unit reads
/etc/homeward/homeward.env): ``HOMEWARD_BIND``, ``HOMEWARD_WORKERS``, ``HOMEWARD_TIMEOUT``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

#: nginx talks to gunicorn on loopback only; never expose this port.
bind = os.environ.get("HOMEWARD_BIND", "127.0.0.1:8000")
#: Sync workers: nginx buffers slow clients, so each worker only waits on the database.
#: Two to four per core; each holds up to 10 database connections (pool 5 + overflow 5).
workers = int(os.environ.get("HOMEWARD_WORKERS", "4"))
worker_class = "sync"
timeout = int(os.environ.get("HOMEWARD_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
#: Recycle workers now and then (a slow leak never grows), at staggered times.
max_requests = 2000
max_requests_jitter = 200
#: No preloading: each worker opens its own database pool after the fork.
preload_app = False
#: The app logs its own request line (request id, user id, route, status, duration), without
#: paths or query strings; gunicorn's access log would repeat them with the full URL.
accesslog = None
errorlog = "-"
loglevel = "info"
#: Only nginx on this host may set X-Forwarded-* (the app applies them: PROXY_FIX_HOPS=1).
forwarded_allow_ips = "127.0.0.1"
limit_request_line = 4094
limit_request_fields = 100


def _metrics_dir() -> Path | None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(directory) if directory else None


def on_starting(_server: Any) -> None:
    """Start with an empty metrics directory: figures of a previous run must not add up."""
    directory = _metrics_dir()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, mode=0o700)


def child_exit(_server: Any, worker: Any) -> None:
    """A finished worker's live gauges leave the sum (its counters stay counted)."""
    if _metrics_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
