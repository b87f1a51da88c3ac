"""Who may see a case's trafficking story, and when cooperation with law enforcement may be
recorded. Each rule in Python beside its SQL twin.

The story is the case's: whoever may open the case (``casework.policy.can_view_case``) may read
it, and whoever may edit the case may add a version. Cooperation with law enforcement is a
sensitive choice of the person, recorded only while a legal basis is in force for the case
(consent or another basis, as ``casework.signals.legal_basis_asking`` answers), and never a
condition of help.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from casework import policy
from casework.models import Case
from casework.screening.models import TraffickingStory
from core.security import Actor


def can_view_story(actor: Actor, story: TraffickingStory, case: Case) -> bool:
    """The actor may read this version of the story (``case`` is the story's case)."""
    return story.case_id == case.id and policy.can_view_case(actor, case)


def visible_stories(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition matching exactly the stories :func:`can_view_story` allows."""
    return TraffickingStory.case_id.in_(select(Case.id).where(policy.visible_cases(actor)))


def may_record_cooperation(legal_basis: bool) -> bool:
    """Cooperation with law enforcement is recorded only with a legal basis for the case."""
    return legal_basis
