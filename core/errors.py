"""Error pages inside the layout that reveal nothing internal."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from core.db import recover_session
from core.signals import rate_limited

log = logging.getLogger("homeward.errors")

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    401: (_l("Sign in required"), _l("Please sign in to continue.")),
    403: (
        _l("Not allowed"),
        _l("You do not have access to this page. The attempt has been recorded."),
    ),
    404: (_l("Not found"), _l("There is nothing at this address. Check the link or go back.")),
    405: (_l("Method not allowed"), _l("This page cannot be used in that way.")),
    409: (
        _l("Conflict"),
        _l(
            "Someone else changed this record while you were editing it. "
            "Reload to see their changes; your text has not been saved."
        ),
    ),
    410: (
        _l("No longer available"),
        _l("This information has been erased and cannot be read or changed any more."),
    ),
    413: (_l("Too large"), _l("The file or form is larger than allowed. Choose a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a minute and try again."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "Homeward cannot reach its database just now. Nothing you saved before is lost. "
            "Wait a moment and try again; if this lasts, tell your administrator."
        ),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred and has been logged. "
            "Nothing you saved before is lost; please try again."
        ),
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was not sent from Homeward. "
    "Go back, reload the page and submit again."
)

STALE_MESSAGE = _l(
    "Someone else changed this just now, so your change was not saved. "
    "Reload the page to see the current state, then try again if it is still needed."
)


def render_error(code: int, message: object | None = None) -> tuple[str, int]:
    # A failed write must not break the error page itself (the layout reads the database).
    recover_session(always=code >= 500)
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def _handle_http(exc: HTTPException) -> tuple[str, int] | HTTPException:
    code = exc.code or 500
    if code == 429:
        rate_limited.send(current_app._get_current_object())  # type: ignore[attr-defined]
    if code < 400:
        return exc
    if code not in MESSAGES:
        code = 500 if code >= 500 else 400
    return render_error(code)


def _handle_csrf(exc: CSRFError) -> tuple[str, int]:
    return render_error(400, CSRF_MESSAGE)


def _handle_stale(exc: StaleDataError) -> tuple[str, int]:
    """A write lost to a concurrent one (version or row changed): 409, nothing kept."""
    recover_session(always=True)
    return render_error(409, STALE_MESSAGE)


Page = tuple[str, int] | tuple[str, int, dict[str, str]]


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A lost or refused database connection (or an exhausted pool), not a bad statement."""
    if isinstance(exc, OperationalError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _handle_database_down(exc: Exception) -> tuple[str, int, dict[str, str]]:
    """503 with a friendly page while the database is unreachable; the pool reconnects
    (``pool_pre_ping``) once it is back. The page must not read the database itself."""
    log.warning("database unavailable (%s) at endpoint %s", type(exc).__name__, request.endpoint)
    g.database_unavailable = True
    g.actor = None  # the language and navigation of a signed-in user are read from the database
    with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back
        recover_session(always=True)
    title, message = MESSAGES[503]
    page = render_template("errors/error.html", code=503, title=title, message=message)
    return page, 503, {"Retry-After": "5"}


def database_unavailable_response(exc: Exception) -> Response:
    """The 503 page as a response (for a commit that failed after the view had answered)."""
    return make_response(_handle_database_down(exc))


def _handle_database_error(exc: DBAPIError) -> Page:
    """Only a lost database is answered here; any other database error stays unhandled (a
    500 through :func:`_handle_unexpected`, logged by type and endpoint)."""
    if is_database_unavailable(exc):
        return _handle_database_down(exc)
    raise exc


def _handle_unexpected(
    exc: InternalServerError,
) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    # A failed commit after the view surfaces here, wrapped.
    original = exc.original_exception
    if isinstance(original, Exception) and is_database_unavailable(original):
        return _handle_database_down(original)
    # Logged by HomewardFlask.log_exception (type and endpoint only).
    return render_error(500)


def refuse_nul_bytes() -> None:
    """A NUL character in any submitted value is refused with 400 (no database accepts it)."""
    values = [*request.args.values(), *request.form.values(), request.path]
    if any("\x00" in value for value in values):
        raise BadRequest()


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(StaleDataError, _handle_stale)
    app.register_error_handler(DBAPIError, _handle_database_error)
    app.register_error_handler(PoolTimeoutError, _handle_database_down)
    app.register_error_handler(InternalServerError, _handle_unexpected)
    app.register_error_handler(HTTPException, _handle_http)
