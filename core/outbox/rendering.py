"""What the packages give the sender: who a user id is as a recipient, and how each
template key is rendered (at send time, inside ``force_locale`` of the recipient)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.config import Settings


@dataclass(frozen=True)
class MailRecipient:
    """Where an account's e-mail goes and in which language (None: the default locale)."""

    address: str
    locale: str | None = None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


@dataclass(frozen=True)
class MailContext:
    """What a renderer gets: the sender's session (it may write, e.g. issue a link token),
    the recipient's user id (None for an address-only recipient), the row's parameters, when
    it was queued (a change since may make it moot) and the settings."""

    session: Session
    user_id: uuid.UUID | None
    params: Mapping[str, Any]
    queued_at: datetime
    settings: Settings


#: Renders one template; None when the message no longer applies (it is discarded).
Renderer = Callable[[MailContext], RenderedMail | None]


@dataclass(frozen=True)
class MailTemplates:
    """A package's answer to ``core.signals.mail_templates_collecting``."""

    renderers: Mapping[str, Renderer] = field(default_factory=dict)
