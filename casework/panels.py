"""Extension point: sections of the case page contributed by other modules and domains.

A panel names a template (rendered with ``case``, ``person`` and whatever its ``context``
function returns) and an order on the page. Referrals registers its panel here, so the case
page shows referrals without casework importing referrals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask.sansio.app import App

from casework.models import Case
from core.security import Actor

PanelContext = Callable[[Case, Actor], dict[str, Any]]


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    order: int
    context: PanelContext


def register_case_panel(app: App, panel: CasePanel) -> None:
    app.extensions.setdefault("homeward_case_panels", []).append(panel)


def case_panels(case: Case, actor: Actor) -> list[tuple[CasePanel, dict[str, Any]]]:
    """The panels of the case page in order, each with its template context."""
    panels: list[CasePanel] = current_app.extensions.get("homeward_case_panels", [])
    return [(p, p.context(case, actor)) for p in sorted(panels, key=lambda p: p.order)]
