"""Loading a case for a request: 404, scope check (audited 403), emergency grants."""

from __future__ import annotations

import uuid

from flask import abort, g, request

from casework import emergency, policy, services, stages
from casework.models import Case
from core.config import current_settings
from core.db import get_session
from core.permissions import Permission
from core.security import deny, require_actor

#: Request methods that only read; anything else is a write.
READS = frozenset({"GET", "HEAD"})


def emergency_across_organisations() -> bool:
    """HOMEWARD_EMERGENCY_ACCESS_ACROSS_ORGANISATIONS (off unless a deployment turns it on):
    read here, in the request's loader that every case route calls, and passed to
    :mod:`casework.emergency`."""
    return current_settings().casework.emergency_access_across_organisations


def load_case(case_id: uuid.UUID, *, edit: bool = False, erased: bool = False) -> Case:
    """The case, or 404; 403 (audited) when outside the actor's scope; 410 once the person's
    data was erased (``erased=True``: the page shows what is left, as the case page does).

    An unexpired emergency grant of the actor for this case opens it for reading only
    (``g.emergency_grant`` is then set, for the banner): loading for an edit, or any request
    that is not a read (POST), is refused with 403 and audited. Loading a closed case for
    editing raises :class:`casework.stages.CaseClosedError` (shown as a 409 page that offers
    reopening): every edit path loads through here, so closed cases are read-only in one place.
    """
    db = get_session()
    case = db.get(Case, case_id)
    if case is None:
        abort(404)
    actor = require_actor()
    g.emergency_grant = None
    allowed = policy.can_view_case(actor, case) and (not edit or actor.can(Permission.CASE_EDIT))
    if not allowed:
        across = emergency_across_organisations()
        g.emergency_grant = emergency.active_grant(db, actor, case, across_organisations=across)
        if g.emergency_grant is None:
            if emergency.refusal(db, actor, case, across_organisations=across) is None:
                g.denied_case_id = case.id  # the 403 page offers emergency access
            if edit:
                policy.authorize_edit_case(actor, case)
            else:
                policy.authorize_view_case(actor, case)
            abort(403)  # not reached: the policy refused above
    if case.person.erased_at is not None and (edit or not erased):
        abort(410)
    if g.emergency_grant is not None and (edit or request.method not in READS):
        deny(
            Permission.CASE_EDIT,
            "emergency_read_only",
            object_type="case",
            object_id=case.id,
            case_id=case.id,
        )
    if edit and not stages.is_open(case):
        raise stages.CaseClosedError(case.id)
    return case


def record_page_view(case: Case, page: str) -> None:
    """Audit that a page showing the case's (person's) data was opened: ``case.viewed`` with
    the page's name (and the emergency grant it was opened under). Reads only, not the POST
    that re-shows a form."""
    if request.method in READS:
        services.record_case_view(
            get_session(), require_actor(), case, g.get("emergency_grant"), page=page
        )
