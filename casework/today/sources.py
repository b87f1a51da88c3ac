"""Casework's own Today items: cases another organisation offers to the supervisor's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework import transfers
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
OFFERED = (_l("Case offered by another organisation"), _l("Accept or decline"))


def transfers_offered(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """Transfers waiting for the supervisor's answer (the case is not theirs yet: no name)."""
    return [
        Task(
            kind="transfer_offered",
            label=OFFERED[0],
            reference="",
            endpoint="casework.index",
            values={"_anchor": "incoming-title"},
            action=OFFERED[1],
        )
        for _transfer in transfers.incoming_transfers(db, actor)
    ]


SOURCES = (transfers_offered,)


def items_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.today_items_collecting``: the items of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
