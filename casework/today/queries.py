"""The Today page's reads: the actor's tasks and Today items grouped overdue, due this week
and waiting, with the case facts shown beside each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from casework.tasks import Task
from casework.today.cases import CaseFacts, case_facts
from core.permissions import Role
from core.security import Actor

#: "Due this week": today and the six days after it.
WEEK_DAYS = 7


@dataclass(frozen=True)
class TodayRow:
    """One thing to do and the case it is about (``facts`` None: not a case the actor opens)."""

    task: Task
    facts: CaseFacts | None = None

    @property
    def reference(self) -> str:
        return self.facts.case_number if self.facts else self.task.reference


@dataclass
class TodayGroups:
    overdue: list[TodayRow] = field(default_factory=list)
    this_week: list[TodayRow] = field(default_factory=list)
    waiting: list[TodayRow] = field(default_factory=list)

    @property
    def rows(self) -> list[TodayRow]:
        return [*self.overdue, *self.this_week, *self.waiting]

    @property
    def count(self) -> int:
        """What the navigation shows: overdue and waiting."""
        return len(self.overdue) + len(self.waiting)


def group_today(items: list[Task], today: date) -> TodayGroups:
    """Decisions and undated items wait; the rest is overdue or due this week (later: left out)."""
    groups = TodayGroups()
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    for task in items:
        if task.decision or task.due is None:
            groups.waiting.append(TodayRow(task))
        elif task.due < today:
            groups.overdue.append(TodayRow(task))
        elif task.due <= week_end:
            groups.this_week.append(TodayRow(task))
    return groups


def with_facts(db: Session, actor: Actor, groups: TodayGroups) -> TodayGroups:
    """The same groups, each row with the facts of its case when the actor may open it."""
    facts = case_facts(db, actor, (row.task.case_id for row in groups.rows))

    def fill(rows: list[TodayRow]) -> list[TodayRow]:
        return [
            TodayRow(r.task, facts.get(r.task.case_id) if r.task.case_id else None) for r in rows
        ]

    return TodayGroups(fill(groups.overdue), fill(groups.this_week), fill(groups.waiting))


def decisions_first(actor: Actor) -> bool:
    """Supervisors see what waits for their decision before their caseload's due work."""
    return actor.role is Role.SUPERVISOR
