"""The administrator's outbox page: counts per state, the dead letters, retry and discard."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import get_session
from core.extensions import NavItem
from core.forms import ConfirmForm
from core.outbox import queries, services
from core.outbox.models import OutboxState
from core.permissions import Permission
from core.security import Actor, require
from core.signals import outbox_administered


@require(Permission.SETTINGS_MANAGE)
def index() -> ResponseReturnValue:
    db = get_session()
    counts = queries.counts(db)
    dead = queries.dead_letters(db)
    outbox_administered.send(
        None, session=db, action="viewed", message_id=None, template=None, shown=len(dead)
    )
    return render_template("outbox/index.html", counts=counts, dead=dead)


def _change(message_id: uuid.UUID, action: str) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    change = services.retry if action == "retry" else services.discard
    try:
        change(db, message_id)
    except services.OutboxConflict:
        flash(_("This message is no longer a dead letter; nothing was changed."), "warning")
        return redirect(url_for("outbox.index"), 303)
    except services.OutboxError:
        abort(404)
    if action == "retry":
        flash(_("The message will be sent again."), "success")
    else:
        flash(_("The message was discarded; it will not be sent."), "success")
    return redirect(url_for("outbox.index"), 303)


@require(Permission.SETTINGS_MANAGE)
def retry(message_id: uuid.UUID) -> ResponseReturnValue:
    return _change(message_id, "retry")


@require(Permission.SETTINGS_MANAGE)
def discard(message_id: uuid.UUID) -> ResponseReturnValue:
    return _change(message_id, "discard")


def _dead_count(_actor: Actor) -> int:
    return queries.counts(get_session())[OutboxState.DEAD.value]


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the outbox, for administrators
    (its badge counts the dead letters)."""
    return [
        NavItem(
            "outbox.index",
            _l("Outgoing e-mail"),
            Permission.SETTINGS_MANAGE,
            45,
            count=_dead_count,
        )
    ]
