"""The Today page's reads: the actor's tasks and Today items grouped overdue, due this week
and waiting, each group shown a page at a time with the case facts of the rows shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from casework.tasks import Task
from casework.today.cases import CaseFacts, case_facts
from core.pagination import NumberedPage, numbered_page, pages_past_first
from core.permissions import Role
from core.security import Actor

#: "Due this week": today and the six days after it.
WEEK_DAYS = 7
#: The groups, each paged on its own by the query parameter of its name (``?overdue=2``).
GROUPS = ("overdue", "this_week", "waiting")


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


@dataclass(frozen=True)
class TodayPage:
    """What the page shows: one page of each group (its ``total`` counts the whole group)."""

    overdue: NumberedPage[TodayRow]
    this_week: NumberedPage[TodayRow]
    waiting: NumberedPage[TodayRow]

    @property
    def rows(self) -> list[TodayRow]:
        """The rows shown, every group's page."""
        return [*self.overdue.rows, *self.this_week.rows, *self.waiting.rows]

    @property
    def total(self) -> int:
        return self.overdue.total + self.this_week.total + self.waiting.total

    @property
    def numbers(self) -> dict[str, int]:
        """The page of each group past its first, as the query string names it."""
        return pages_past_first(self, GROUPS)


def page_of(groups: TodayGroups, numbers: Mapping[str, int], size: int) -> TodayPage:
    """Page ``numbers[group]`` (1 when absent) of each group, ``size`` rows a page."""
    return TodayPage(
        *(numbered_page(getattr(groups, name), numbers.get(name, 1), size) for name in GROUPS)
    )


def with_facts(db: Session, actor: Actor, page: TodayPage) -> TodayPage:
    """The same page, each row shown with the facts of its case when the actor may open it:
    only the cases of the rows shown are read (and their people's names decrypted)."""
    facts = case_facts(db, actor, (row.task.case_id for row in page.rows))

    def fill(group: NumberedPage[TodayRow]) -> NumberedPage[TodayRow]:
        rows = group.rows
        return group.with_rows(
            [TodayRow(r.task, facts.get(r.task.case_id) if r.task.case_id else None) for r in rows]
        )

    return TodayPage(fill(page.overdue), fill(page.this_week), fill(page.waiting))


def decisions_first(actor: Actor) -> bool:
    """Supervisors see what waits for their decision before their caseload's due work."""
    return actor.role is Role.SUPERVISOR
