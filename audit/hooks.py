"""Audit listeners for what lower layers announce (denials, master key changes)."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from sqlalchemy.orm import Session

from audit import actions, queries
from audit.services import record
from core.db import get_session, keep_changes_on_error
from core.signals import StatusFigure


def on_access_denied(
    _app: Flask, permission: Any = None, reason: str = "permission", **extra: Any
) -> None:
    details: dict[str, Any] = {
        "endpoint": request.endpoint,
        "method": request.method,
        "reason": reason,
    }
    if permission is not None:
        details["permission"] = str(permission)
    record(
        get_session(),
        actions.ACCESS_DENIED,
        outcome="denied",
        object_type=extra.get("object_type"),
        object_id=extra.get("object_id"),
        case_id=extra.get("case_id"),
        details=details,
    )
    keep_changes_on_error()


def on_rate_limited(_app: Flask, **_extra: Any) -> None:
    """A 429 is a refusal worth keeping: record it although the request fails."""
    record(
        get_session(),
        "request.rate_limited",
        outcome="denied",
        details={"endpoint": request.endpoint, "method": request.method},
    )
    keep_changes_on_error()


def on_master_keys_changed(
    _app: Flask, session: Session, action: str, details: dict[str, Any], **_extra: Any
) -> None:
    """Audit ``homeward keys rotate | retire`` (versions and counts, never key material)."""
    record(session, f"keys.{action}", object_type="master_key", details=dict(details))


def on_outbox_administered(
    _sender: object,
    session: Session,
    action: str,
    message_id: Any = None,
    template: str | None = None,
    **extra: Any,
) -> None:
    """Audit the administrator's outbox page: viewed, retried, discarded (no addresses)."""
    details: dict[str, Any] = {"template": template} if template else {}
    if "shown" in extra:
        details["shown"] = int(extra["shown"])
    record(
        session,
        f"outbox.{action}",
        object_type="outbox_message" if message_id is not None else "outbox",
        object_id=message_id,
        details=details or None,
    )


def checkpoint_age(_sender: object, session: Session, **_extra: Any) -> StatusFigure:
    """Receiver of ``core.signals.status_figures_collecting``: how stale the seal is."""
    return StatusFigure(
        "audit_checkpoint_age_seconds",
        queries.checkpoint_age_seconds(session),
        "Seconds since the newest signed audit checkpoint (-1: none yet).",
    )


def unsealed_events(_sender: object, session: Session, **_extra: Any) -> StatusFigure:
    """Receiver of ``core.signals.status_figures_collecting``: events no checkpoint covers."""
    return StatusFigure(
        "audit_unsealed_events",
        float(queries.unsealed_events(session)),
        "Audit events appended since the newest signed checkpoint.",
    )


def on_places_administered(
    _sender: object,
    session: Session,
    action: str,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
    **_extra: Any,
) -> None:
    """Audit a places import (issue 17: places): the source and counts, never names."""
    record(session, f"places.{action}", object_type="places", outcome=outcome, details=details)
