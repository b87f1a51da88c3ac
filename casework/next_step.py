"""The next step of a case, shown at the top of the case page: a sentence and its main action.

Derived from the stage (see :mod:`casework.stages`) and what the case already has; an action
is offered only to those the policy lets take it, the others read what the case waits for.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from casework import policy
from casework.closure import services as closure
from casework.models import Case
from casework.planning import policy as plan_policy
from casework.planning import services as planning
from casework.planning.vocabulary import SUBMITTABLE, PlanStatus
from casework.vocabulary import Stage
from core.security import Actor


@dataclass(frozen=True)
class NextStep:
    """What the case waits for; ``label`` and ``url`` name the action (``post``: a button)."""

    sentence: str
    label: str | None = None
    url: str | None = None
    post: bool = False


def next_step(db: Session, case: Case, actor: Actor) -> NextStep | None:
    """The case's next step for ``actor``; None when there is none to show."""
    if case.person.erased_at is not None:
        return None
    if case.stage == Stage.CLOSED.value:
        return _closed(case, actor)
    pending = closure.pending_closure(db, case)
    if pending is not None:
        if closure.can_decide(actor, pending):
            url = url_for("casework.closure.decide", case_id=case.id, closure_id=pending.id)
            return NextStep(_("Closure was requested."), _("Decide on the closure"), url)
        return NextStep(_("Closure was requested: a supervisor approves or returns it."))
    return _open_step(db, case, actor)


def _closed(case: Case, actor: Actor) -> NextStep | None:
    if not closure.can_reopen(actor, case):
        return None
    url = url_for("casework.closure.reopen", case_id=case.id)
    return NextStep(_("The case is closed."), _("Reopen this case"), url)


def _for_editor(editor: bool, sentence: str, label: str, url: str, post: bool = False) -> NextStep:
    """The step with its action for whoever may edit the case; the sentence alone otherwise."""
    return NextStep(sentence, label, url, post) if editor else NextStep(sentence)


def _open_step(db: Session, case: Case, actor: Actor) -> NextStep:
    editor = policy.can_edit_case(actor, case)
    if case.stage == Stage.IDENTIFICATION.value:
        sentence = _("Next: assess the person's economic, social and psychosocial needs.")
        url = url_for("casework.planning.record_assessment", case_id=case.id)
        return _for_editor(editor, sentence, _("Record the needs assessment"), url)
    plan = planning.get_plan(db, case)
    if case.stage == Stage.ASSESSMENT.value or plan is None:
        sentence = (
            _("The needs are assessed: plan the support with the person.")
            if plan is None
            else _("The case was reopened: plan the support again.")
        )
        label = _("Start the reintegration plan") if plan is None else _("Start planning again")
        url = url_for("casework.planning.start_plan", case_id=case.id)
        return _for_editor(editor, sentence, label, url, post=True)
    if PlanStatus(plan.status) in SUBMITTABLE:
        sentence = _("The plan is not approved yet.")
        url = url_for("casework.planning.plan", case_id=case.id)
        label = _("Finish the plan and submit it for approval")
        return _for_editor(editor, sentence, label, url)
    if plan.status == PlanStatus.SUBMITTED.value:
        if plan_policy.may_decide(actor, case, plan):
            url = url_for("casework.planning.review", case_id=case.id)
            sentence = _("The plan waits for your decision.")
            return NextStep(sentence, _("Review the submitted plan"), url)
        return NextStep(_("The plan waits for a supervisor's approval."))
    sentence = _("The plan is approved: see how the person is doing at each visit.")
    url = url_for("casework.monitoring.record", case_id=case.id)
    return _for_editor(editor, sentence, _("Record a monitoring visit"), url)
