"""Importing places: all or nothing, upserting by P-code, never deleting (cases, addresses
and services refer to places by code). Audited through ``core.signals.places_administered``
(counts only)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.places import importing
from core.places.importing import ALREADY_A, LEVEL_WORDS, Parsed
from core.places.models import Place
from core.signals import places_administered


@dataclass
class ImportReport:
    """What an import did (``counts``: ``new``, ``updated``, ``unchanged`` and per level),
    or the problems that refused it (then nothing was written): lazy translatable messages,
    ``line N: problem`` in the language they are shown in."""

    problems: list[LazyString] = field(default_factory=list)
    more_problems: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c.get('country', 0)} countries, {c.get('province', 0)} provinces, "
            f"{c.get('district', 0)} districts: {c.get('new', 0)} new, "
            f"{c.get('updated', 0)} updated, {c.get('unchanged', 0)} unchanged"
        )


def _check_against_stored(session: Session, parsed: Parsed) -> dict[str, Place]:
    """The stored places of the file's P-codes; a place may not change level or parent."""
    codes = [row.pcode for row in parsed.places.values()]
    stored: dict[str, Place] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        for found in session.scalars(select(Place).where(Place.pcode.in_(chunk))):
            stored[found.pcode] = found
    parents = {p.id: p.pcode for p in stored.values()}
    missing_parents = {p.parent_id for p in stored.values() if p.parent_id not in parents}
    missing_parents.discard(None)
    if missing_parents:
        rows = session.execute(select(Place.id, Place.pcode).where(Place.id.in_(missing_parents)))
        parents.update({pid: code for pid, code in rows})
    for row in parsed.places.values():
        place = stored.get(row.pcode)
        if place is None:
            continue
        if place.level != row.level:
            parsed.problem(
                _l(ALREADY_A[place.level, row.level], line=row.line, code=repr(row.pcode))
            )
            continue
        stored_parent = parents.get(place.parent_id) if place.parent_id else None
        if stored_parent != row.parent:
            parsed.problem(
                _l(
                    "line %(line)d: %(code)s is already under %(parent)s",
                    line=row.line,
                    code=repr(row.pcode),
                    parent=repr(stored_parent),
                )
            )
    return stored


def _upsert(session: Session, parsed: Parsed, stored: dict[str, Place]) -> Counter[str]:
    """Write the parsed places over the stored ones; count them per level and by outcome."""
    counts: Counter[str] = Counter()
    ids: dict[str, uuid.UUID] = {code: place.id for code, place in stored.items()}
    now = utcnow()
    for row in parsed.places.values():  # parents come before their children
        counts[LEVEL_WORDS[row.level]] += 1
        parent_id = ids.get(row.parent) if row.parent else None
        place = stored.get(row.pcode)
        if place is None:
            place = Place(
                id=uuid.uuid4(),
                pcode=row.pcode,
                level=row.level,
                parent_id=parent_id,
                name=row.name,
                names=dict(row.names),
                country_code=row.country_code,
                updated_at=now,
            )
            session.add(place)  # parents are added first: inserted first
            ids[row.pcode] = place.id
            counts["new"] += 1
            continue
        names = {**(place.names or {}), **row.names}
        if place.name != row.name or (place.names or {}) != names:
            place.name = row.name
            place.names = names
            place.country_code = row.country_code
            place.updated_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def import_places(session: Session, data: bytes, *, source: str) -> ImportReport:
    """Check the whole file, then upsert every place in it; nothing is written when any row
    is bad. ``source`` ("command" or "page") goes to the audit record."""
    parsed = importing.parse(data)
    stored = _check_against_stored(session, parsed) if parsed.ok else {}
    if not parsed.ok:
        places_administered.send(
            None,
            session=session,
            action="imported",
            outcome="failed",
            details={"source": source, "problems": len(parsed.problems) + parsed.more_problems},
        )
        return ImportReport(parsed.problems, parsed.more_problems)
    counts = _upsert(session, parsed, stored)
    session.flush()
    report = ImportReport(
        counts={
            k: counts.get(k, 0)
            for k in ("country", "province", "district", "new", "updated", "unchanged")
        }
    )
    places_administered.send(
        None,
        session=session,
        action="imported",
        outcome="ok",
        details={"source": source, **report.counts},
    )
    return report
