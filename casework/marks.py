"""Extension point: warnings shown with a case, contributed by sub-packages (safety flags).

Two signals of :mod:`casework.signals`:

* ``case_banners_collecting``: each receiver returns a :class:`CaseBanner` (or None) for the
  case page, shown at the top above the summary;
* ``case_marks_collecting``: each receiver returns ``{case_id: [CaseMark, ...]}`` for a page of
  case ids, read in a fixed number of queries whatever the number of rows. Templates call
  :func:`case_marks` (a Jinja global) once per list and :func:`marks_of` per row.

A mark is an icon with a text label (never colour alone), and holds no personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import g

from casework.models import Case
from casework.signals import case_banners_collecting, case_marks_collecting
from core.db import get_session
from core.security import Actor, current_actor
from core.signals import collect


@dataclass(frozen=True)
class CaseMark:
    """One warning of a case as lists show it: a code, its label and an icon name."""

    code: str
    label: str
    icon: str


@dataclass(frozen=True)
class CaseBanner:
    """A block at the top of the case page: a template and its context (``ctx``)."""

    template: str
    order: int
    context: dict[str, Any]


def case_banners(case: Case, actor: Actor, *, emergency: bool = False) -> list[CaseBanner]:
    """The banners of the case page in order (``emergency``: opened under an emergency grant,
    which shows the warnings too)."""
    found = collect(case_banners_collecting, case, CaseBanner, actor=actor, emergency=emergency)
    return sorted(found, key=lambda b: b.order)


def banners_for(case: Case) -> list[CaseBanner]:
    """:func:`case_banners` for the signed-in user (a Jinja global for the case page)."""
    actor = current_actor()
    if actor is None or case.person.erased_at is not None:
        return []
    return case_banners(case, actor, emergency=g.get("emergency_grant") is not None)


def case_marks(case_ids: Iterable[Any]) -> dict[uuid.UUID, list[CaseMark]]:
    """The marks of the cases among ``case_ids`` the signed-in user may open (a Jinja global
    for the case lists: call it once per list)."""
    actor = current_actor()
    wanted = {c for c in case_ids if isinstance(c, uuid.UUID)}
    if actor is None or not wanted:
        return {}
    found: dict[uuid.UUID, list[CaseMark]] = {}
    for answer in collect(
        case_marks_collecting, actor, dict, session=get_session(), case_ids=wanted
    ):
        for case_id, marks in answer.items():
            found.setdefault(case_id, []).extend(marks)
    return found
