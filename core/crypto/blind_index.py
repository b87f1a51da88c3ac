"""Blind indexes: truncated keyed hashes of normalised terms, for search over encrypted data.

Each index (``name``, ``date_of_birth``, ``document``, ``case_number``) has one or more
kinds of term (a name token gives ``exact``, ``latin``, ``skeleton`` and ``phonetic`` terms,
see :mod:`core.crypto.normalise`). Every (index, kind) pair is a separate *field* with its own
HMAC-SHA256 key, derived by HKDF from the index root key, and its own output length in bits.

Bit lengths follow CipherSweet's planner. With R index entries of a field and L bits, a
value is shared by about C = R / 2**L entries ("coincidences"). The planner keeps
2 <= C (the index never singles out one entry, so it does not act as a unique identifier)
and C <= sqrt(R) (a search returns few enough candidates to decrypt). That is
``log2(R) / 2 <= L <= log2(R) - 1``. Homeward plans for 10,000 to 1,000,000 people; R is
people x ``entries_per_subject``; :func:`safe_bit_range` computes the bounds and the test
suite checks that every field below lies inside them at both ends of that range. Full
reasoning, and what the indexes still leak, is in ``docs/crypto.md``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, delete, insert, intersect, or_, select
from sqlalchemy.orm import Session

from core.crypto import primitives
from core.crypto.errors import SearchTooBroadError, UnknownBlindIndexError
from core.crypto.keyring import Crypto, get_crypto
from core.crypto.models import BlindIndexEntry
from core.crypto.normalise import identifier_key, name_keys, name_tokens

#: Better kinds first: a search shows exact spellings before phonetic look-alikes.
KIND_RANK = {"exact": 0, "latin": 1, "norm": 0, "iso": 0, "phonetic": 2, "skeleton": 3}

Terms = list[dict[str, str]]
"""One dict per token: kind -> normalised term."""

DEFAULT_MAX_CANDIDATES = 5000


@dataclass(frozen=True)
class BlindIndex:
    """A searchable index: how a value and a query become terms, and bits per kind."""

    name: str
    bits: dict[str, int]
    entries_per_subject: float
    tokens: Callable[[Any], Terms]

    def field(self, kind: str) -> str:
        return f"{self.name}:{kind}"


def safe_bit_range(entries: float) -> tuple[float, float]:
    """CipherSweet's planner bounds (min, max bits) for a field with ``entries`` entries."""
    log_r = math.log2(entries)
    return log_r / 2, log_r - 1


def _strings(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Iterable):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


def name_terms(value: Any) -> Terms:
    """Terms of a name, or of a list of names (aliases): every token's four keys."""
    return [name_keys(token) for text in _strings(value) for token in name_tokens(text)]


def date_terms(value: Any) -> Terms:
    """Terms of a date (a ``date`` or an ISO ``YYYY-MM-DD`` string)."""
    if value is None:
        return []
    parsed = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    return [{"iso": parsed.isoformat()}]


def identifier_terms(value: Any) -> Terms:
    """Terms of document or case numbers: upper case, no spaces, dashes or dots."""
    keys = (identifier_key(text) for text in _strings(value))
    return [{"norm": key} for key in keys if key]


NAME = BlindIndex(
    "name",
    {"exact": 14, "latin": 14, "phonetic": 12, "skeleton": 12},
    entries_per_subject=4,
    tokens=name_terms,
)
DATE_OF_BIRTH = BlindIndex("date_of_birth", {"iso": 11}, 1, date_terms)
DOCUMENT = BlindIndex("document", {"norm": 12}, 2, identifier_terms)
CASE_NUMBER = BlindIndex("case_number", {"norm": 12}, 1.5, identifier_terms)

#: Every blind index, by name: a fixed set (a new one is a schema change with its migration).
INDEXES: dict[str, BlindIndex] = {i.name: i for i in (NAME, DATE_OF_BIRTH, DOCUMENT, CASE_NUMBER)}


def get_blind_index(name: str) -> BlindIndex:
    """The index called ``name``; raises UnknownBlindIndexError."""
    try:
        return INDEXES[name]
    except KeyError:
        raise UnknownBlindIndexError(f"no blind index called {name!r}") from None


def registered_indexes() -> list[BlindIndex]:
    return list(INDEXES.values())


def hash_term(crypto: Crypto, index: BlindIndex, kind: str, term: str) -> int:
    """The stored value of one term: HMAC under the field's key, truncated to its bits."""
    field = index.field(kind)
    digest = primitives.keyed_hash(crypto.index_key(field), term.encode("utf-8"))
    return primitives.truncate_bits(digest, index.bits[kind])


def index_pairs(crypto: Crypto, index: BlindIndex, value: Any) -> set[tuple[str, int]]:
    """The distinct (field, value) pairs that ``value`` contributes to ``index``."""
    return {
        (index.field(kind), hash_term(crypto, index, kind, term))
        for token in index.tokens(value)
        for kind, term in token.items()
    }


def entry_rows(
    session: Session,
    index_name: str,
    subject_id: uuid.UUID,
    source_row_id: uuid.UUID,
    source_column: str,
    value: Any,
) -> list[dict[str, Any]]:
    """The ``blind_index`` rows one encrypted value contributes (none when it is None)."""
    index = get_blind_index(index_name)
    return [
        {
            "subject_id": subject_id,
            "source_row_id": source_row_id,
            "source_column": source_column,
            "field": field,
            "value": hashed,
        }
        for field, hashed in sorted(index_pairs(get_crypto(session), index, value))
    ]


def insert_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert index rows in one statement."""
    if rows:
        session.execute(insert(BlindIndexEntry.__table__), rows)  # type: ignore[arg-type]


def remove_entries(session: Session, source_row_id: uuid.UUID, source_column: str | None) -> None:
    """Delete the entries of one value (or, with ``source_column`` None, of a whole row)."""
    where = [BlindIndexEntry.source_row_id == source_row_id]
    if source_column is not None:
        where.append(BlindIndexEntry.source_column == source_column)
    session.execute(delete(BlindIndexEntry).where(*where))


def _token_selects(session: Session, index: BlindIndex, query: Any) -> list[Select[Any]]:
    """One statement per token of ``query``: the subjects with an entry of any of its kinds."""
    crypto = get_crypto(session)
    selects = []
    for token in index.tokens(query):
        pairs = sorted({(index.field(k), hash_term(crypto, index, k, t)) for k, t in token.items()})
        condition = or_(
            *(and_(BlindIndexEntry.field == f, BlindIndexEntry.value == v) for f, v in pairs)
        )
        selects.append(select(BlindIndexEntry.subject_id).where(condition))
    return selects


def subjects_matching(session: Session, index_name: str, query: Any) -> Select[Any] | None:
    """A statement of the subjects with entries for every token of ``query`` (truncation
    coincidences included), to narrow another lookup by (``within``); None for no token."""
    selects = _token_selects(session, get_blind_index(index_name), query)
    if not selects:
        return None
    combined = selects[0] if len(selects) == 1 else intersect(*selects)
    return select(combined.subquery().c[0])


def candidate_subjects(
    session: Session,
    index_name: str,
    query: Any,
    *,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    within: Select[Any] | None = None,
) -> set[uuid.UUID]:
    """Subjects whose index entries match every token of ``query`` (by any kind of term),
    and who are among ``within`` (a statement of subject ids) when given.

    The database intersects the per-token matches, so a common given name plus a family
    name stays cheap. Candidates include truncation coincidences: decrypt and confirm with
    :func:`match_rank` (or use :func:`core.crypto.search`) before showing anything. Raises
    SearchTooBroadError when more than ``max_candidates`` subjects match.
    """
    selects = _token_selects(session, get_blind_index(index_name), query)
    if not selects:
        return set()
    if within is not None:
        selects.append(within)
    combined = selects[0].distinct() if len(selects) == 1 else intersect(*selects)
    subjects = set(session.scalars(select(combined.subquery().c[0]).limit(max_candidates + 1)))
    if len(subjects) > max_candidates:
        raise SearchTooBroadError(
            f"search of {index_name!r} matches too many people; add another term",
            at_least=max_candidates,
        )
    return subjects


def candidate_subjects_any(
    session: Session,
    index_name: str,
    queries: Iterable[Any],
    *,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
) -> set[uuid.UUID]:
    """Subjects matching any one of ``queries`` (each of one token, e.g. every day of a year),
    in one statement; nothing new is stored, so the index leaks no more than before.

    Confirm candidates on full terms before showing anything. Raises ValueError for a query
    of several tokens and SearchTooBroadError past ``max_candidates``.
    """
    index = get_blind_index(index_name)
    crypto = get_crypto(session)
    by_field: dict[str, set[int]] = {}
    for query in queries:
        tokens = index.tokens(query)
        if len(tokens) > 1:
            raise ValueError("candidate_subjects_any takes queries of one token each")
        for kind, term in (tokens[0] if tokens else {}).items():
            by_field.setdefault(index.field(kind), set()).add(hash_term(crypto, index, kind, term))
    if not by_field:
        return set()
    condition = or_(
        *(
            and_(BlindIndexEntry.field == f, BlindIndexEntry.value.in_(sorted(values)))
            for f, values in sorted(by_field.items())
        )
    )
    statement = select(BlindIndexEntry.subject_id).where(condition).distinct()
    subjects = set(session.scalars(statement.limit(max_candidates + 1)))
    if len(subjects) > max_candidates:
        raise SearchTooBroadError(
            f"search of {index_name!r} matches too many people; add another term",
            at_least=max_candidates,
        )
    return subjects


def _value_terms(index: BlindIndex, value: Any, memo: dict[str, Terms] | None) -> Terms:
    """``index.tokens(value)``, each text worked out once per ``memo`` (one search's call)."""
    if memo is None:
        return index.tokens(value)
    if isinstance(value, list):
        return [token for item in value for token in _value_terms(index, item, memo)]
    if isinstance(value, str):
        if value not in memo:
            memo[value] = index.tokens(value)
        return memo[value]
    return index.tokens(value)


def match_rank(
    index_name: str, query: Any, values: Iterable[Any], memo: dict[str, Terms] | None = None
) -> int | None:
    """How well decrypted ``values`` match ``query`` on full, untruncated terms.

    Every query token must share a term of the same kind with some token of the values.
    Returns the worst rank over tokens (0 exact ... 3 skeleton), or None for no match, so a
    truncation coincidence is never shown. A ``memo`` kept over the candidates of one search
    normalises each distinct text once (many people share a name); it holds plaintext, so it
    must not outlive the search.
    """
    index = get_blind_index(index_name)
    stored: dict[str, set[str]] = {}
    for value in values:
        for token in _value_terms(index, value, memo):
            for kind, term in token.items():
                stored.setdefault(kind, set()).add(term)
    query_tokens = index.tokens(query)
    if not query_tokens:
        return None
    worst = 0
    for token in query_tokens:
        ranks = [KIND_RANK[kind] for kind, term in token.items() if term in stored.get(kind, ())]
        if not ranks:
            return None
        worst = max(worst, min(ranks))
    return worst
