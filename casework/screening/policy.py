"""Who may see a case's trafficking story, and when cooperation with law enforcement may be
recorded. Each rule in Python beside its SQL twin.

The story is the case's: whoever may open the case (``casework.policy.can_view_case``) may read
it, and whoever may edit the case may add a version. Cooperation with law enforcement is a
sensitive choice of the person, recorded only while a legal basis is in force for the case
(consent or another basis, as ``casework.signals.legal_basis_asking`` answers), and never a
condition of help.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, or_

from casework import policy
from casework.models import Case
from casework.screening.models import TraffickingStory
from core.security import Actor


def can_view_story(
    actor: Actor, story: TraffickingStory, case: Case, *, granted: bool = False
) -> bool:
    """The actor may read this version of the story (``case`` is the story's case);
    ``granted``: the request opened the case under an emergency grant (``casework.loading``
    checked it), which reads the case's story too."""
    return story.case_id == case.id and (granted or policy.can_view_case(actor, case))


def visible_stories(actor: Actor, granted_case_id: uuid.UUID | None = None) -> ColumnElement[bool]:
    """The SQL condition matching exactly the stories :func:`can_view_story` allows
    (``granted_case_id``: the case opened under an emergency grant, if any)."""
    visible = policy.in_visible_case(actor, TraffickingStory.case_id)
    if granted_case_id is None:
        return visible
    return or_(visible, TraffickingStory.case_id == granted_case_id)


def may_record_cooperation(legal_basis: bool) -> bool:
    """Cooperation with law enforcement is recorded only with a legal basis for the case."""
    return legal_basis
