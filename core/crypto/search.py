"""Search encrypted models through blind indexes, showing only confirmed matches."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.crypto.blind_index import (
    DEFAULT_MAX_CANDIDATES,
    Terms,
    candidate_subjects,
    candidate_subjects_any,
    match_rank,
    subjects_matching,
)
from core.crypto.errors import CryptoError, SearchTooBroadError
from core.crypto.fields import encrypted_attributes
from core.crypto.keystore import key_cache, preload_keys
from core.crypto.name_pairs import PAIRED_INDEX, pair_candidates

M = TypeVar("M")
log = logging.getLogger(__name__)


def search(
    session: Session,
    model: type[M],
    index_name: str,
    query: Any,
    *,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    candidates_from: Session | None = None,
    within: tuple[str, Any] | None = None,
    best: bool = False,
) -> list[M]:
    """Rows of ``model`` whose encrypted values fed to ``index_name`` match ``query``.

    Candidates come from the blind index (a name of two tokens or more: the name-pair entries,
    :mod:`core.crypto.name_pairs`); rows and data keys in one query each; each decrypted row
    is kept only when its full normalised terms match (:func:`match_rank`), best first.
    Raises SearchTooBroadError when the query is too vague; ``best``: a name of two tokens or
    more held by more than ``max_candidates`` gives the closest ``max_candidates`` instead.

    ``candidates_from`` (a read replica's session) answers the index lookup only: rows and
    keys always come from ``session``, so a person erased on the primary is never shown even
    while the replica still lists their entries; one registered a moment ago may be missing
    until the replica catches up. A replica that does not answer is passed over (the primary
    answers), and a candidate erased on the primary but still listed there is left out.

    ``within`` (another index's name and a query, e.g. ``("date_of_birth", a_date)``) keeps
    only the candidates that also have entries for that query, in the same lookup: a common
    name narrowed by a birth date stays under ``max_candidates``. Its matches are candidates
    only (truncation coincidences included); the caller confirms the decrypted value.
    """
    attributes = [a for a in encrypted_attributes(model).values() if a.blind_index == index_name]
    if not attributes:
        raise CryptoError(f"{model.__name__} feeds no values to blind index {index_name!r}")
    subjects = _looked_up(session, candidates_from, index_name, query, max_candidates, within, best)
    if not subjects:
        return []
    subject_column = getattr(model, model.__encryption_subject__)  # type: ignore[attr-defined]
    preload_keys(session, subjects)  # every candidate's data key in one more query
    subjects = _live(session, subjects)
    found = session.scalars(select(model).where(subject_column.in_(subjects))).all()
    order = {subject: n for n, subject in enumerate(subjects)}
    rows = sorted(found, key=lambda row: order[getattr(row, model.__encryption_subject__)])  # type: ignore[attr-defined]
    ranked: list[tuple[int, int, M]] = []
    memo: dict[str, Terms] = {}  # this search's normalised names only, dropped on return
    for position, row in enumerate(rows):
        values = [a.__get__(row, model) for a in attributes]
        rank = match_rank(index_name, query, values, memo)
        if rank is not None:
            ranked.append((rank, position, row))
    return [row for _rank, _position, row in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _looked_up(
    session: Session,
    candidates_from: Session | None,
    index_name: str,
    query: Any,
    max_candidates: int,
    within: tuple[str, Any] | None = None,
    best: bool = False,
) -> list[uuid.UUID]:
    """:func:`_candidates` on ``candidates_from`` (a replica), or on ``session`` (the primary)
    when there is none or it does not answer: the replica only spares the primary a read."""
    if candidates_from is not None and candidates_from is not session:
        try:
            return _candidates(candidates_from, index_name, query, max_candidates, within, best)
        except OperationalError:
            candidates_from.rollback()
            log.warning("search candidates: the read replica did not answer; read the primary")
    return _candidates(session, index_name, query, max_candidates, within, best)


def _live(session: Session, subjects: list[uuid.UUID]) -> list[uuid.UUID]:
    """The subjects whose data key :func:`preload_keys` found alive (an erased subject's key
    is destroyed: a replica that lags may still list them)."""
    alive = key_cache(session).by_subject
    return [subject for subject in subjects if subject in alive]


def _candidates(
    session: Session,
    index_name: str,
    query: Any,
    max_candidates: int,
    within: tuple[str, Any] | None = None,
    best: bool = False,
) -> list[uuid.UUID]:
    """Candidate subjects, best first: through the name-pair entries when the query is a name
    of two distinct tokens or more (few candidates), else through the single-token index."""
    among = None
    if within is not None:
        among = subjects_matching(session, *within)
        if among is None:
            return []
    if index_name == PAIRED_INDEX:
        paired = pair_candidates(session, query, max_candidates, among, best=best)
        if paired is not None:
            return paired
    found = candidate_subjects(
        session, index_name, query, max_candidates=max_candidates, within=among
    )
    return sorted(found)


def search_any(
    session: Session,
    model: type[M],
    index_name: str,
    queries: Iterable[Any],
    confirm: Callable[[M], bool],
    *,
    also: Iterable[Any] = (),
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
) -> list[M]:
    """Rows of ``model`` matching any one of ``queries`` through ``index_name``, or among the
    subjects ``also`` names, kept only when ``confirm`` (which may decrypt) says so.

    For a range of values searched through an index of single values (every day of a year),
    with nothing new stored. Raises SearchTooBroadError when too many subjects are candidates.
    """
    subjects = candidate_subjects_any(session, index_name, queries, max_candidates=max_candidates)
    subjects.update(also)
    if len(subjects) > max_candidates:
        raise SearchTooBroadError(
            f"search of {index_name!r} matches too many people", at_least=max_candidates
        )
    if not subjects:
        return []
    subject_column = getattr(model, model.__encryption_subject__)  # type: ignore[attr-defined]
    rows = session.scalars(select(model).where(subject_column.in_(subjects))).all()
    preload_keys(session, subjects)
    return [row for row in rows if confirm(row)]
