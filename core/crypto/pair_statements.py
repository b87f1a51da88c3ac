"""The statements of a name-pair lookup (:mod:`core.crypto.name_pairs`), built once per shape.

A lookup reads up to nine index ranges for its pair of query tokens and as many for each
further pair of a longer name, then every candidate's single-token entries: statements of
some sixty SQL expressions. Building them anew for every search, and SQLAlchemy computing
each one's cache key before finding its compiled form, cost about as much CPU as everything
else the lookup does (profiled at 10,000 people: a full-name search 12.6 ms of CPU, of which
the two statements' building was 3 to 4 ms).

What a statement looks like depends only on its shape: how many entries each pair has, which
of them is the exact-exact field, how many single-token entries are asked for. So each
shape's statement is built once, with bound parameters where the entries' values go, and
kept (:func:`functools.lru_cache`; a few dozen shapes exist); a lookup passes the values at
execution. The SQL the database receives, and so its plan, is the one built before, value
for value: nothing about what is read, or what a reader of the statements sees, changes.
A statement narrowed by a caller's ``within`` (a statement of its own) is built per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.sql.selectable import Subquery

from core.crypto.models import BlindIndexEntry

Entry = tuple[str, int]
"""A (field, value) of the ``blind_index`` table."""

_ENTRY = BlindIndexEntry.__table__.c


def _range(name: str) -> Any:
    """``field = :<name>f AND value = :<name>v``: one entry's index range."""
    return and_(_ENTRY.field == bindparam(f"{name}f"), _ENTRY.value == bindparam(f"{name}v"))


@lru_cache(maxsize=256)
def _held(exact: tuple[bool, ...], narrowing: tuple[int, ...]) -> tuple[Select[Any], Subquery]:
    """The ranked lookup of one shape (``exact``: whether each of the pair's entries is the
    exact-exact field; ``narrowing``: how many entries each further pair has) and its
    ``held`` subquery, for a caller's ``within``."""
    ranges = [
        select(_ENTRY.subject_id, literal(int(not is_exact)).label("rank")).where(_range(f"r{i}"))
        for i, is_exact in enumerate(exact)
    ]
    held = union_all(*ranges).subquery("held")
    conditions = [
        held.c.subject_id.in_(
            union_all(
                *(
                    select(_ENTRY.subject_id).where(_range(f"n{n}_{i}")).correlate(None)
                    for i in range(count)
                )
            )
        )
        for n, count in enumerate(narrowing)
    ]
    hits = func.count().label("hits")
    statement = (
        select(held.c.subject_id, func.min(held.c.rank).label("rank"), hits)
        .where(*conditions)
        .group_by(held.c.subject_id)
        .order_by(hits.desc(), "rank", held.c.subject_id)
        .limit(bindparam("most", type_=Integer))
    )
    return statement, held


def _values(prefix: str, entries: Sequence[Entry]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for i, (field, value) in enumerate(entries):
        found[f"{prefix}{i}f"], found[f"{prefix}{i}v"] = field, value
    return found


def ranked(
    entries: Sequence[Entry],
    exact_field: str,
    narrowing: Sequence[Sequence[Entry]],
    within: Select[Any] | None,
    most: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The lookup of subjects holding ``entries`` (and, for each list of ``narrowing``, one of
    its entries; among ``within`` when given), best first, at most ``most``; and its values.
    See :func:`core.crypto.name_pairs.pair_query` for what it reads and why."""
    statement, held = _held(tuple(f == exact_field for f, _ in entries), tuple(map(len, narrowing)))
    if within is not None:
        statement = statement.where(held.c.subject_id.in_(within))
    values = {"most": most, **_values("r", entries)}
    for n, more in enumerate(narrowing):
        values.update(_values(f"n{n}_", more))
    return statement, values


@lru_cache(maxsize=64)
def _tokens_held(count: int) -> Select[Any]:
    return select(_ENTRY.subject_id, _ENTRY.field, _ENTRY.value).where(
        _ENTRY.subject_id.in_(bindparam("subjects", expanding=True)),
        or_(*(_range(f"e{i}") for i in range(count))),
    )


def tokens_held(
    subjects: Sequence[Any], entries: Sequence[Entry]
) -> tuple[Select[Any], dict[str, Any]]:
    """Which of ``entries`` each of ``subjects`` holds (read from the index alone, by
    ``ix_blind_index_subject_field_value``): rows of (subject, field, value); and the values."""
    return _tokens_held(len(entries)), {"subjects": list(subjects), **_values("e", entries)}
