"""Extension point: sections of the case page contributed by other modules and domains.

A panel names a template (rendered with ``case``, ``person`` and the panel's ``context``), an
order on the page, and the ``anchor`` (the id of its ``<section>``) and ``title`` under which
the page's section menu links to it; its template shows ``section_flashes(anchor)`` under its
heading, so a confirmation flashed before a redirect to ``#anchor`` is seen where the user
lands. Each receiver of ``casework.signals.case_panels_collecting`` returns its panel for the
case being shown; Referrals adds its panel that way, so the case page shows
referrals without casework importing referrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from casework.models import Case
from casework.signals import case_panels_collecting
from core.security import Actor
from core.signals import collect


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    order: int
    context: dict[str, Any]
    anchor: str
    title: str


@dataclass(frozen=True)
class CaseSection:
    """An entry of the case page's section menu: the section's id and its heading."""

    anchor: str
    title: str


def case_panels(case: Case, actor: Actor) -> list[tuple[CasePanel, dict[str, Any]]]:
    """The panels of the case page in order, each with its template context."""
    panels = collect(case_panels_collecting, case, CasePanel, actor=actor)
    return [(p, p.context) for p in sorted(panels, key=lambda p: p.order)]


def case_sections(
    panels: list[tuple[CasePanel, dict[str, Any]]], *, assignment: bool
) -> list[CaseSection]:
    """The sections of the case page in the order shown, for its section menu."""
    first = [CaseSection("summary", _("Summary"))]
    if assignment:
        first.append(CaseSection("assignment", _("Assignment")))
    first += [CaseSection("person", _("Person")), CaseSection("documents", _("Documents"))]
    middle = [CaseSection(p.anchor, str(p.title)) for p, _context in panels]
    return [*first, *middle, CaseSection("notes", _("Notes"))]
