"""Deny-by-default login, role permission checks, the acting user, and security headers."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import IO, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from core.config import current_settings
from core.permissions import Permission, Role, role_has
from core.signals import access_denied, actor_asking, collect

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Actor:
    """Who is acting in this request: enough for policy and audit, no personal data."""

    user_id: uuid.UUID
    role: Role
    organisation_id: uuid.UUID | None
    session_id: str | None = None

    def can(self, permission: Permission) -> bool:
        return role_has(self.role, permission)


def public(view: F) -> F:
    """Mark a view as reachable without signing in (the allow-list of public endpoints)."""
    view._homeward_public = True  # type: ignore[attr-defined]
    return view


def current_actor() -> Actor | None:
    """The signed-in user of this request, or None."""
    actor: Actor | None = g.get("actor")
    return actor


def require_actor() -> Actor:
    """The signed-in user; aborts 401 if nobody is (a view reached without the login gate)."""
    actor = current_actor()
    if actor is None:
        abort(401)
    return actor


def deny(
    permission: Permission | None = None, reason: str = "permission", **about: Any
) -> NoReturn:
    """Refuse the request with 403 after announcing it (audit records every denial).

    ``about`` may name the object refused: ``object_type``, ``object_id``, ``case_id``.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    access_denied.send(app, permission=permission, reason=reason, **about)
    abort(403)


def conceal(
    permission: Permission | None = None, reason: str = "permission", **about: Any
) -> NoReturn:
    """Refuse the request with 404 (the object's existence is not confirmed) after announcing
    it like :func:`deny` (audit records every denial)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    access_denied.send(app, permission=permission, reason=reason, **about)
    abort(404)


def require(permission: Permission) -> Callable[[F], F]:
    """Decorator: the signed-in user's role must grant ``permission``, else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            actor = require_actor()
            if not actor.can(permission):
                deny(permission, "role")
            return view(*args, **kwargs)

        wrapped._homeward_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def is_safe_next(target: str | None) -> bool:
    """True for a local path only: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if target is not None and is_safe_next(target) else fallback


def _is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404/405: let the router answer with the error page
    if endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "_homeward_public", False))


def _load_actor_and_gate() -> BaseResponse | None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if request.endpoint == "static":
        return None
    found = collect(actor_asking, None, Actor)
    g.actor = found[0] if found else None
    if _is_public_endpoint(app, request.endpoint) or g.actor is not None:
        return None
    nxt = request.full_path.rstrip("?") if request.method == "GET" else None
    response = redirect(url_for(app.config.get("LOGIN_ENDPOINT", "auth.login"), next=nxt))
    # Tells scripts (and the access-matrix test) that this is the login gate, not a page's own
    # redirect.
    response.headers["X-Login-Required"] = "1"
    return response


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # Same-origin: form posts carry the Referer that Flask-WTF checks over HTTPS; no other
    # site ever learns an address of Homeward.
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if current_settings().is_production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


class InMemoryUploadRequest(Request):
    """Uploaded files stay in memory, bounded by MAX_CONTENT_LENGTH.

    Werkzeug spools uploads over 500 KB to temporary files; a case attachment would then sit
    on disk in plaintext before it is encrypted (and may survive there after a crash).
    """

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def init_app(app: Flask) -> None:
    app.request_class = InMemoryUploadRequest
    app.before_request(_load_actor_and_gate)
    app.after_request(_security_headers)
