"""Extension point: sections of the case page contributed by other modules and domains.

A panel names a template (rendered with ``case``, ``person`` and the panel's ``context``) and
an order on the page. Each receiver of ``casework.signals.case_panels_collecting`` returns its
panel for the case being shown; Referrals adds its panel that way, so the case page shows
referrals without casework importing referrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def case_panels(case: Case, actor: Actor) -> list[tuple[CasePanel, dict[str, Any]]]:
    """The panels of the case page in order, each with its template context."""
    panels = collect(case_panels_collecting, case, CasePanel, actor=actor)
    return [(p, p.context) for p in sorted(panels, key=lambda p: p.order)]
