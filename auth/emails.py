"""Account e-mail: invitations, link e-mails, and notices of changes to an account.

The services only enqueue (:func:`queue`: a template key and the account's id, in the
transaction of the change). ``homeward outbox send`` renders each at send time in the
account's language; a link token is issued then (its lifetime starts when it is sent, and
the database keeps only its hash). A message for an account that can no longer use it
(deactivated; already set up, for an invitation) is discarded instead of sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from auth import tokens
from auth.models import User
from core.i18n.plurals import ngettext
from core.outbox.rendering import MailContext, MailRecipient, MailTemplates, RenderedMail
from core.outbox.services import enqueue

INVITATION = "auth.invitation"
ENROLMENT = "auth.enrolment"
PASSWORD_RESET = "auth.password_reset"  # noqa: S105 (a template key, not a secret)
PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105
AUTHENTICATOR_CHANGED = "auth.authenticator_changed"


def queue(db: Session, template: str, user: User, **params: Any) -> None:
    """Put one account e-mail in the outbox, in ``db``'s transaction."""
    enqueue(db, template, params, user_id=user.id)


def _user(context: MailContext) -> User | None:
    """The recipient's account while it can sign in; None otherwise (the e-mail is dropped)."""
    user = context.session.get(User, context.user_id) if context.user_id else None
    if user is None or not user.can_sign_in:
        return None
    return user


def _password_changed_since(context: MailContext, user: User) -> bool:
    """A password change ends every outstanding link, also one still in the outbox."""
    changed = user.password_changed_at
    return changed is not None and changed >= context.queued_at


def _link(context: MailContext, path: str, user: User, purpose: str, lifetime: timedelta) -> str:
    raw = tokens.issue(context.session, user, purpose, lifetime)
    return f"{context.settings.auth.base_url.rstrip('/')}/{path}/{raw}"


def _lines(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def _hours(context: MailContext) -> int:
    return int(context.params.get("hours") or 1)


def render_invitation(context: MailContext) -> RenderedMail | None:
    user = _user(context)
    if user is None or user.password_hash is not None:
        return None
    hours = _hours(context)
    link = _link(context, "invitation", user, tokens.INVITATION, timedelta(hours=hours))
    return RenderedMail(
        _("Your Homeward account"),
        _lines(
            _("Welcome to Homeward"),
            _("You have been invited to Homeward."),
            ngettext(
                "Set up your account here (the link works once, for %(num)d hour):",
                "Set up your account here (the link works once, for %(num)d hours):",
                hours,
            )
            + "\n"
            + link,
            _("If you did not expect this message, ignore it."),
        ),
    )


def render_enrolment(context: MailContext) -> RenderedMail | None:
    user = _user(context)
    if user is None or user.password_hash is None or user.mfa_enrolled:
        return None
    if _password_changed_since(context, user):
        return None
    hours = _hours(context)
    link = _link(context, "enrolment", user, tokens.ENROLMENT, timedelta(hours=hours))
    return RenderedMail(
        _("Set up your Homeward authenticator"),
        _lines(
            _("The second sign-in step of your Homeward account has been reset."),
            ngettext(
                "Set up your authenticator app here (the link works once, for %(num)d hour):",
                "Set up your authenticator app here (the link works once, for %(num)d hours):",
                hours,
            )
            + "\n"
            + link,
            _("If you did not ask for this, tell your administrator at once."),
        ),
    )


def render_password_reset(context: MailContext) -> RenderedMail | None:
    user = _user(context)
    if user is None or user.password_hash is None or _password_changed_since(context, user):
        return None
    minutes = int(context.params.get("minutes") or 1)
    link = _link(context, "password-reset", user, tokens.PASSWORD_RESET, timedelta(minutes=minutes))
    return RenderedMail(
        _("Homeward password reset"),
        _lines(
            _("Someone asked to reset the password of your Homeward account."),
            ngettext(
                "Choose a new password here (the link works once, for %(num)d minute):",
                "Choose a new password here (the link works once, for %(num)d minutes):",
                minutes,
            )
            + "\n"
            + link,
            _(
                "You will still need your authenticator app to sign in. If you did not ask "
                "for this, ignore this message; your password stays as it is."
            ),
        ),
    )


def render_password_changed(context: MailContext) -> RenderedMail | None:
    if _user(context) is None:
        return None
    return RenderedMail(
        _("Your Homeward password changed"),
        _lines(
            _(
                "The password of your Homeward account was just changed. If this was not you, "
                "tell your administrator at once."
            )
        ),
    )


def render_authenticator_changed(context: MailContext) -> RenderedMail | None:
    if _user(context) is None:
        return None
    return RenderedMail(
        _("Your Homeward authenticator changed"),
        _lines(
            _(
                "A new authenticator app was set up for your Homeward account. If this was not "
                "you, tell your administrator at once."
            )
        ),
    )


RENDERERS: dict[str, Callable[[MailContext], RenderedMail | None]] = {
    INVITATION: render_invitation,
    ENROLMENT: render_enrolment,
    PASSWORD_RESET: render_password_reset,
    PASSWORD_CHANGED: render_password_changed,
    AUTHENTICATOR_CHANGED: render_authenticator_changed,
}


def templates(_sender: object, **_extra: object) -> MailTemplates:
    """Receiver of ``core.signals.mail_templates_collecting``."""
    return MailTemplates(RENDERERS)


def recipient(
    _sender: object, session: Session, user_id: uuid.UUID, **_extra: object
) -> MailRecipient | None:
    """Receiver of ``core.signals.mail_recipient_asking``: an account that may still get
    e-mail (active, of an active organisation), in its own language."""
    user = session.get(User, user_id)
    if user is None or not user.can_sign_in:
        return None
    return MailRecipient(user.email, user.preferred_language or None)
