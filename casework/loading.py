"""Loading a case for a request: 404, scope check (audited 403), emergency grants."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g
from flask_babel import gettext as _

from casework import emergency, policy, services, stages
from casework.models import Case
from core.db import get_session
from core.permissions import Permission
from core.security import require_actor


def load_case(case_id: uuid.UUID, *, edit: bool = False) -> Case:
    """The case, or 404; 403 (audited) when outside the actor's scope.

    An unexpired emergency grant of the actor for this case opens it (``g.emergency_grant``
    is then set, for the banner). Loading a closed case for editing raises
    :class:`casework.stages.CaseClosedError` (shown as a 409 page that offers reopening): every
    edit path loads through here, so closed cases are read-only in one place.
    """
    db = get_session()
    case = db.get(Case, case_id)
    if case is None:
        abort(404)
    actor = require_actor()
    allowed = policy.can_view_case(actor, case) and (not edit or actor.can(Permission.CASE_EDIT))
    if not allowed:
        g.emergency_grant = emergency.active_grant(db, actor, case)
        if g.emergency_grant is None:
            g.denied_case_id = case.id
    if g.get("emergency_grant") is None:
        if edit:
            policy.authorize_edit_case(actor, case)
        else:
            policy.authorize_view_case(actor, case)
        if edit and case.person.erased_at is not None:
            abort(410)
    if edit and not stages.is_open(case):
        raise stages.CaseClosedError(case.id)
    return case


def field_error(form: Any, exc: services.CaseworkError) -> None:
    """Show a service's refusal next to its field, or as a message when it names none."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, _(str(exc.message))]
    else:
        flash(_(str(exc.message)), "error")
