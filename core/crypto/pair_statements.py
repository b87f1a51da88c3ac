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
kept (:func:`functools.lru_cache`: a two-token name has one shape, a longer one a few more;
the single-token read is kept for names of up to ``KEPT_ENTRIES`` entries, sixteen tokens);
a lookup passes the values at execution. The SQL the database receives, and so its plan,
is the one built before, value for value: nothing about what is read, or what a reader of
the statements sees, changes. A statement narrowed by a caller's ``within`` (a statement of
its own) is built whole for that call, never derived from a kept one (a copy would carry
the kept statement's remembered cache key, and with it, where that memo is lost between
threads, the compiled form without the narrowing); its bound parameters must not take the
lookup's names (all begin ``pair_``), or it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import Subquery

from core.crypto.models import BlindIndexEntry

Entry = tuple[str, int]
"""A (field, value) of the ``blind_index`` table."""

_ENTRY = BlindIndexEntry.__table__.c
#: Every bound parameter of these statements begins so (a caller's ``within`` must not).
PREFIX = "pair_"
#: Single-token entries of the longest name whose read is kept (four a token).
KEPT_ENTRIES = 64


def _range(name: str) -> Any:
    """``field = :pair_<name>f AND value = :pair_<name>v``: one entry's index range."""
    return and_(
        _ENTRY.field == bindparam(f"{PREFIX}{name}f"),
        _ENTRY.value == bindparam(f"{PREFIX}{name}v"),
    )


def _build(exact: tuple[bool, ...], narrowing: tuple[int, ...]) -> tuple[Select[Any], Subquery]:
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
        .limit(bindparam(f"{PREFIX}most", type_=Integer))
    )
    return statement, held


_held = lru_cache(maxsize=256)(_build)


def _values(prefix: str, entries: Sequence[Entry]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for i, (field, value) in enumerate(entries):
        found[f"{PREFIX}{prefix}{i}f"], found[f"{PREFIX}{prefix}{i}v"] = field, value
    return found


def _narrowed(statement: Select[Any], held: Subquery, within: Select[Any]) -> Select[Any]:
    """``statement`` (built for this call) among ``within``; refused when a bound parameter
    of ``within`` has a name of the lookup's, which would take the lookup's value."""
    for element in visitors.iterate(within):
        if isinstance(element, BindParameter) and str(element.key).startswith(PREFIX):
            raise ValueError(f"a narrowing statement's parameter is named {element.key!r}")
    return statement.where(held.c.subject_id.in_(within))


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
    shape = (tuple(f == exact_field for f, _ in entries), tuple(map(len, narrowing)))
    statement = _held(*shape)[0] if within is None else _narrowed(*_build(*shape), within)
    values = {f"{PREFIX}most": int(most), **_values("r", entries)}
    for n, more in enumerate(narrowing):
        values.update(_values(f"n{n}_", more))
    return statement, values


def _build_tokens_held(count: int) -> Select[Any]:
    return select(_ENTRY.subject_id, _ENTRY.field, _ENTRY.value).where(
        _ENTRY.subject_id.in_(bindparam(f"{PREFIX}subjects", expanding=True)),
        or_(*(_range(f"e{i}") for i in range(count))),
    )


_tokens_held = lru_cache(maxsize=KEPT_ENTRIES)(_build_tokens_held)


def tokens_held(
    subjects: Sequence[Any], entries: Sequence[Entry]
) -> tuple[Select[Any], dict[str, Any]]:
    """Which of ``entries`` each of ``subjects`` holds (read from the index alone, by
    ``ix_blind_index_subject_field_value``): rows of (subject, field, value); and the values."""
    count = len(entries)
    statement = _tokens_held(count) if count <= KEPT_ENTRIES else _build_tokens_held(count)
    return statement, {f"{PREFIX}subjects": list(subjects), **_values("e", entries)}
