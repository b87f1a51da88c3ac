"""The e-mail that tells supervisors a safety flag was raised: the case number and a link,
never the kind, the reason or anything else about the person."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _

from casework.safety.models import CaseFlag
from casework.safety.services import TEMPLATE
from core.outbox.rendering import MailContext, MailTemplates, RenderedMail


def compose(reference: str, link: str) -> RenderedMail:
    subject = _("Homeward: a safety flag was raised on case %(ref)s", ref=reference)
    body = "\n\n".join(
        [
            _(
                "A caseworker raised a safety flag on case %(ref)s and asked to tell the "
                "supervisors.",
                ref=reference,
            ),
            _("Open it in Homeward: %(link)s", link=link),
            _(
                "For the person's protection this message holds no personal details; "
                "sign in to see them."
            ),
        ]
    )
    return RenderedMail(subject, body + "\n")


def render(context: MailContext) -> RenderedMail | None:
    """The outbox renderer of :data:`TEMPLATE`; None once the flag is gone (erased case)."""
    params = context.params
    try:
        flag_id = uuid.UUID(str(params.get("flag_id")))
        case_id = uuid.UUID(str(params.get("case_id")))
    except ValueError:
        return None
    flag = context.session.get(CaseFlag, flag_id)
    if flag is None or flag.case_id != case_id:
        return None
    base = context.settings.auth.base_url.rstrip("/")
    return compose(str(params.get("reference") or ""), f"{base}/cases/{case_id}/safety/flags")


def templates(_sender: object, **_extra: object) -> MailTemplates:
    """Receiver of ``core.signals.mail_templates_collecting``."""
    return MailTemplates({TEMPLATE: render})
