"""Retention: erase people whose cases have all been closed for longer than the retention period.

A person is due when every one of their cases is closed and the latest approved closure of
each is older than ``HOMEWARD_RETENTION_YEARS``; erasure is the same crypto-shredding as a
supervisor's (statistics kept). A dry run reads and reports only: nothing is written, not
even to the audit log.

The people due are chosen from one read; before each is erased, their row and their cases'
rows are read again ``FOR UPDATE`` (on SQLite: under the write lock) with the cases'
closing dates, and a person whose cases changed meanwhile (one reopened, reopened and closed
again, added; the person erased by a supervisor) is left for the next run. Each erasure
commits on its own (:func:`run_retention`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework.erasure import erase_person
from casework.models import Case, Person
from casework.signals import closing_dates_collecting
from casework.vocabulary import Stage
from core.clock import utcnow
from core.signals import collect


@dataclass
class RetentionReport:
    dry_run: bool
    cutoff: datetime
    case_numbers: list[str] = field(default_factory=list)
    people: int = 0


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def due_for_erasure(db: Session, cutoff: datetime) -> list[tuple[Person, list[Case]]]:
    """People (not yet erased) whose cases were all closed before ``cutoff``."""
    still_open = select(Case.person_id).where(Case.stage != Stage.CLOSED.value)
    candidates = db.scalars(
        select(Person)
        .where(
            Person.erased_at.is_(None),
            Person.id.in_(select(Case.person_id)),
            Person.id.not_in(still_open),
        )
        .order_by(Person.created_at)
    )
    closed_at = _closing_dates(db, None)
    due = []
    for person in candidates:
        cases = sorted(person.cases, key=lambda c: c.case_number)
        if _closed_before([closed_at.get(c.id) for c in cases], cutoff):
            due.append((person, cases))
    return due


def _closing_dates(
    db: Session, case_ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, datetime | None]:
    closed_at: dict[uuid.UUID, datetime | None] = {}
    for dates in collect(closing_dates_collecting, None, dict, session=db, case_ids=case_ids):
        closed_at.update(dates)
    return closed_at


def _closed_before(when: list[datetime | None], cutoff: datetime) -> bool:
    return all(w is not None and w < cutoff for w in when)


def _still_due(db: Session, person: Person, cases: list[Case], cutoff: datetime) -> bool:
    """Whether ``person`` and their ``cases`` are still due, read again under locks: not
    erased, the same cases, all closed, each last closed before ``cutoff`` (a case reopened
    and closed again meanwhile is not). A new case for the person waits for the person's
    lock on PostgreSQL, a reopening for its case's; on SQLite the first lock is the write
    lock, and everything after it reads the latest commit."""
    db.refresh(person, with_for_update=True)
    if person.erased_at is not None:
        return False
    now = db.execute(
        select(Case.id, Case.stage).where(Case.person_id == person.id).with_for_update()
    ).all()
    closed = [case_id for case_id, stage in now if stage == Stage.CLOSED.value]
    if len(closed) != len(now) or set(closed) != {c.id for c in cases}:
        return False
    closed_at = _closing_dates(db, closed)
    return _closed_before([closed_at.get(case_id) for case_id in closed], cutoff)


def run_retention(db: Session, years: int, *, dry_run: bool) -> RetentionReport:
    """Erase (or, in a dry run, only list) the people past the retention period.

    Each person's erasure commits on its own, so the job holds one person's locks at a time,
    and the audit chain's lock (which the erasure's reads of the log take) only to that
    commit: a supervisor confirming an erasure locks the person first and the chain at the
    commit, and would otherwise wait for this job in one order while it waited in the other.
    """
    report = RetentionReport(dry_run=dry_run, cutoff=years_before(utcnow(), years))
    due = due_for_erasure(db, report.cutoff)
    for person, cases in due:
        if not dry_run and not _still_due(db, person, cases, report.cutoff):
            db.rollback()  # its locks go
            continue
        report.people += 1
        report.case_numbers.extend(c.case_number for c in cases)
        if not dry_run:
            erase_person(db, None, person, "retention period ended")
            db.commit()
    if not dry_run:
        record(
            db,
            "retention.ran",
            actor=None,
            object_type="retention",
            details={
                "years": years,
                "people": report.people,
                "cases": len(report.case_numbers),
            },
        )
    return report
