"""The name-pair blind index: one keyed hash per pair of a person's name tokens.

Why it exists. The name index (:mod:`core.crypto.blind_index`) stores one truncated hash per
token, so a search for a given name plus a family name intersects two large sets (everyone
called Mehmet, everyone called Yilmaz) and decrypts every person in the intersection's
truncation noise. A pair entry answers "has both tokens" in one index lookup, so the
candidates are few, and only they are decrypted.

What is stored. For a record (a person) whose encrypted attributes feed the ``name`` index,
the distinct tokens of all those values together (original script, Latin spelling, aliases)
are taken, each with three keys from :func:`core.crypto.normalise.name_keys`: ``exact``,
``skeleton`` and ``phonetic`` (``latin`` is left out: a latin match is always a skeleton and a
phonetic match, both being computed from it; an exact match may not be, for Arabic-script
variants, so exact stays). For every unordered pair of different tokens and every choice of a
key for each (but never the same key twice), one entry is kept::

    value = truncate(HMAC-SHA256(K_field, enc(kind1, term1) || enc(kind2, term2)), 12 bits)

where the two (kind, term) items are sorted (so "Given Family" and "Family Given" give the same
entry), ``enc`` is length-prefixed (no two inputs share an encoding), and ``field`` is
``name_pair:<kind1>+<kind2>`` (kinds sorted; six fields). ``K_field`` is derived by HKDF from
the index root key with that field as its label, exactly as every single-token field's key
is, so a pair entry can never be compared with a single-token entry (different keys) nor
with a pair of other kinds. A token is never paired with itself. Entries live in the
``blind_index`` table under the pseudo column ``<table>.name_pair`` of the record's row, so
they are replaced whenever any name value of the record changes, deleted with the record,
deleted by crypto-shredding (``erase_subject`` deletes every entry of the subject), and
rebuilt by ``homeward db reindex-search`` (also the offline backfill after upgrading).

What it reveals to someone who can read the database (but holds no keys):

- equality of pairs: two people with an entry of the same field and value *may* share two name
  tokens. Values are truncated to 12 bits, so each value is shared by many unrelated pairs
  (CipherSweet's planner: 2 <= R / 2**12 <= sqrt(R) for R entries of a field, from 10,000 to
  1,000,000 people; :data:`PAIR_BITS` and the test suite check it), so one value alone is a
  hint over a crowd. One pair of tokens writes 9 entries under 6 independent keys, though, so
  two people sharing all of them almost surely share the two tokens (as sharing a token's
  four single-token entries already shows that token is shared): no linkage beyond the
  single-token index, but not "never a proof";
- frequency: how many entries share a value, i.e. a noisy histogram of name pairs; a very
  common pair stands out as a heavier bucket, as a very common token already does in the
  single-token index;
- how many distinct exact, skeleton and phonetic keys the person's names have (k distinct
  keys of a kind give k(k-1)/2 entries in its ``K+K`` field; e.g. a name in two scripts),
  which their single-token entries already show.

How a lookup stays bounded (issue 18) stores nothing new: no index, column or entry was added
for it, so the list above is all a reader of the database learns. The lookup reads each of the
query's entries as its own index range (``ix_blind_index_field_value``, index-only), ranks the
subjects by how many of those entries they hold, and checks only the best
``PAIR_LOOKUP_LIMIT`` per allowed candidate (100 for a name search, 40 for a duplicate check)
for every token's single-token entries; a pair spelt alike by more people than the caller
allows is refused after reading that many of them (:func:`pair_candidates`). Someone who
watches the statements (not the stored data) sees the same (field, value) pairs as before,
plus a ``LIMIT`` derived from the caller's ceiling. The index knows no organisation: the
refusal counts people of every organisation and caseload, so a caseworker told "more than N"
(25 for a name search) learns that so many people with the name are registered, most of whom
they may not be able to open; such a refusal is audited (``person.searched``, ``refused``).

It does not reveal any token, pair or name (HMAC under keys only the application holds), nor
link a pair entry to a single-token entry (separate keys). An attacker with the index root
key learns no more from the pairs than from the single-token entries, which already let
them test guesses per token. This is acceptable for the same reason the single-token index
is (``docs/crypto.md``): searching by name is the system's core duty, the truncation keeps
every value ambiguous, and the keys never reach the database.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from core.crypto import pair_statements as statements
from core.crypto import primitives
from core.crypto.blind_index import NAME, Terms, hash_term, name_terms, remove_entries
from core.crypto.errors import SearchTooBroadError
from core.crypto.keyring import Crypto, get_crypto
from core.crypto.models import BlindIndexEntry

#: The single-token index whose values are paired.
PAIRED_INDEX = NAME.name
#: The keys of a token paired (see the module docstring for why not ``latin``).
PAIR_KINDS = ("exact", "skeleton", "phonetic")
PAIR_PREFIX = "name_pair"
#: Bits of every pair field; the test suite checks the planner's bounds for each.
PAIR_BITS = 12
#: Entries per person in one pair field, for the planner: (fewest, most) over the fields, as
#: measured in the generated population (``bench/generate.py``: 2.3 skeleton+skeleton to 9.4
#: exact+phonetic; names in two scripts and middle names make several pairs). 12 bits stay
#: inside the planner's bounds for the fewest at 10,000 people and the most at 1,000,000.
PAIR_ENTRIES_PER_SUBJECT = (2.0, 10.0)
#: How many of the best pair-lookup subjects per allowed candidate are checked for every
#: token's single-token entries (the rest hold fewer of the query's entries).
PAIR_LOOKUP_LIMIT = 4


def pair_fields() -> list[str]:
    """Every pair field: ``name_pair:<kind>+<kind>``, kinds sorted."""
    kinds = sorted(PAIR_KINDS)
    return [f"{PAIR_PREFIX}:{a}+{b}" for a, b in itertools.combinations_with_replacement(kinds, 2)]


def source_column(table: str) -> str:
    """The pseudo column the pair entries of a row of ``table`` are kept under."""
    return f"{table}.{PAIR_PREFIX}"


def _encode(kind: str, term: str) -> bytes:
    parts = [kind.encode("utf-8"), term.encode("utf-8")]
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def hash_pair(crypto: Crypto, first: tuple[str, str], second: tuple[str, str]) -> tuple[str, int]:
    """(field, value) of one pair of (kind, term) items, in either order."""
    low, high = sorted((first, second))
    field = f"{PAIR_PREFIX}:{low[0]}+{high[0]}"
    digest = primitives.keyed_hash(crypto.index_key(field), _encode(*low) + _encode(*high))
    return field, primitives.truncate_bits(digest, PAIR_BITS)


def _keys(token: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((kind, token[kind]) for kind in PAIR_KINDS)


def _distinct(terms: Terms) -> list[tuple[tuple[str, str], ...]]:
    """The tokens' pairing keys, each distinct token once (first seen first)."""
    return list(dict.fromkeys(_keys(token) for token in terms))


def token_pair_hashes(
    crypto: Crypto, first: tuple[tuple[str, str], ...], second: tuple[tuple[str, str], ...]
) -> set[tuple[str, int]]:
    """The (field, value) entries of two tokens: every choice of one key from each, except a
    key paired with itself (two spellings of one name share a skeleton, say): such an entry
    would group people as the single-token entry does, and no query looks it up (a query's
    own combinations of a key with itself are left out the same way)."""
    return {hash_pair(crypto, a, b) for a in first for b in second if a != b}


def pair_hashes(crypto: Crypto, values: Iterable[Any]) -> set[tuple[str, int]]:
    """Every (field, value) pair entry of the name values of one record."""
    tokens = _distinct(name_terms(list(values)))
    found: set[tuple[str, int]] = set()
    for first, second in itertools.combinations(tokens, 2):
        found |= token_pair_hashes(crypto, first, second)
    return found


def pair_rows(
    session: Session,
    subject_id: uuid.UUID,
    row_id: uuid.UUID,
    table: str,
    values: Iterable[Any],
    *,
    replace: bool,
) -> list[dict[str, Any]]:
    """The ``blind_index`` rows of the record's name pairs; with ``replace``, its old pair rows
    are deleted first (an edit of any of its name values)."""
    source = source_column(table)
    if replace:
        remove_entries(session, row_id, source)
    crypto = get_crypto(session)
    return [
        {
            "subject_id": subject_id,
            "source_row_id": row_id,
            "source_column": source,
            "field": field,
            "value": value,
        }
        for field, value in sorted(pair_hashes(crypto, values))
    ]


def query_pair(terms: Terms) -> tuple[int, int] | None:
    """Positions of two query tokens a pair lookup can use, or None when there are none.

    Two tokens sharing no key are preferred. Two that share some key but not all ("Ahmad
    Ahmadi", whose phonetic keys are alike) are looked up by their differing keys: a person is
    then found only with two different tokens matching them, where the single-token search also
    showed someone with one token matching both ("Ahmad Karimi"). Only one token, or the same
    token twice ("Ali ali"), uses the single-token intersection.
    """
    keys = [set(_keys(token)) for token in terms]
    apart = None
    for i, j in itertools.combinations(range(len(keys)), 2):
        if not keys[i] & keys[j]:
            return i, j
        if apart is None and keys[i] != keys[j]:
            apart = (i, j)
    return apart


def _more_pairs(terms: Terms, pair: tuple[int, int]) -> list[tuple[int, int]]:
    """Further pairs of a query of three tokens or more: each other token with one of ``pair``
    it differs from (at most two), so a full name's pair lookups narrow each other."""
    keys = [_keys(token) for token in terms]
    more = []
    for k in range(len(terms)):
        if k in pair:
            continue
        partner = next((i for i in pair if keys[i] != keys[k]), None)
        if partner is not None and keys[k] not in (keys[i] for i in pair):
            more.append((partner, k))
    return more[:2]


def _ranges(crypto: Crypto, terms: Terms, pair: tuple[int, int]) -> list[tuple[str, int]]:
    """The (field, value) entries a person holding the two query tokens of ``pair`` has."""
    return sorted(token_pair_hashes(crypto, _keys(terms[pair[0]]), _keys(terms[pair[1]])))


def pair_query(
    session: Session,
    terms: Terms,
    pair: tuple[int, int],
    within: Select[Any] | None = None,
    *,
    most: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """Subjects with a pair entry for the query tokens ``pair`` (and for each further pair of a
    longer query; among ``within`` when given), best first, at most ``most``: most of the
    query's entries held, then an exact-exact entry (rank 0, else 1), then by id. The statement
    and the values to execute it with (:mod:`core.crypto.pair_statements`: built once a shape).

    Each entry is its own index range of ``ix_blind_index_field_value`` (field, value,
    subject_id), read from the index alone (``UNION ALL``; an ``OR`` of the ranges makes
    PostgreSQL visit the table for every row). A person holding both tokens holds most of the
    query's entries (all nine spelled alike, two or more for a look-alike spelling of both), a
    truncation coincidence almost always one: the best come first whatever the population.
    """
    crypto = get_crypto(session)
    narrowing = [_ranges(crypto, terms, more) for more in _more_pairs(terms, pair)]
    entries = _ranges(crypto, terms, pair)
    return statements.ranked(entries, f"{PAIR_PREFIX}:exact+exact", narrowing, within, most)


def _exact_count(
    session: Session, terms: Terms, pair: tuple[int, int], within: Select[Any] | None, most: int
) -> int:
    """How many subjects (up to ``most`` + 1) hold the query pair's exact-exact entry and one
    more of its entries: people spelling both tokens as the query does, whose truncation
    coincidences (two entries under independent keys) are a handful even at a million people.
    Stops reading as soon as ``most`` + 1 are found, so a very common pair is refused after a
    few dozen index rows, not its thousands of people."""
    crypto = get_crypto(session)
    hashes = _ranges(crypto, terms, pair)
    exact_field = f"{PAIR_PREFIX}:exact+exact"
    exact = [h for h in hashes if h[0] == exact_field]
    others = sorted((h for h in hashes if h[0] != exact_field), key=lambda h: _FEWEST.index(h[0]))
    if not exact or not others:
        return 0
    table = BlindIndexEntry.__table__
    first, second = table.alias("exact_pair"), table.alias("other_pair")
    statement = (
        select(first.c.subject_id)
        .join(
            second,
            and_(
                second.c.subject_id == first.c.subject_id,
                second.c.field == others[0][0],
                second.c.value == others[0][1],
            ),
        )
        .where(first.c.field == exact[0][0], first.c.value == exact[0][1])
    )
    if within is not None:
        statement = statement.where(first.c.subject_id.in_(within))
    return len(list(session.scalars(statement.limit(most + 1))))


#: Pair fields from the fewest entries per person to the most (``PAIR_ENTRIES_PER_SUBJECT``):
#: the second entry :func:`_exact_count` checks is from the first of them the query has.
_FEWEST = [
    f"{PAIR_PREFIX}:skeleton+skeleton",
    f"{PAIR_PREFIX}:phonetic+phonetic",
    f"{PAIR_PREFIX}:phonetic+skeleton",
    f"{PAIR_PREFIX}:exact+skeleton",
    f"{PAIR_PREFIX}:exact+phonetic",
    f"{PAIR_PREFIX}:exact+exact",
]


def _with_every_token(session: Session, subjects: list[uuid.UUID], terms: Terms) -> list[uuid.UUID]:
    """Those of ``subjects`` with a single-token entry for every query token (any kind), in
    order. One statement reads the candidates' name entries from the index alone
    (``ix_blind_index_subject_field_value``); this removes most of the pair fields' truncation
    noise before anything is decrypted, without reading a common token's thousands of entries.
    """
    if not subjects:
        return []
    crypto = get_crypto(session)
    wanted = [
        {(NAME.field(k), hash_term(crypto, NAME, k, t)) for k, t in token.items()}
        for token in terms
    ]
    entries = sorted(set().union(*wanted))
    held: dict[uuid.UUID, set[tuple[str, int]]] = {}
    rows = session.execute(*statements.tokens_held(subjects, entries))
    for subject, field, value in rows:
        held.setdefault(subject, set()).add((field, value))
    return [s for s in subjects if all(token & held.get(s, set()) for token in wanted)]


def pair_candidates(
    session: Session,
    query: Any,
    max_candidates: int,
    within: Select[Any] | None = None,
    *,
    best: bool = False,
) -> list[uuid.UUID] | None:
    """Candidate subjects for a name ``query`` through the pair entries (among ``within``, a
    statement of subject ids, when given), best first, or None when the query has no two
    distinct tokens (use the single-token index). Raises SearchTooBroadError past
    ``max_candidates``.

    Bounded whatever the population: more than ``max_candidates`` people spelling the pair as
    the query does are refused after reading a few dozen index rows (:func:`_exact_count`);
    otherwise the best ``PAIR_LOOKUP_LIMIT * max_candidates`` subjects of the pair lookup are
    checked for every token's single-token entries, and past ``max_candidates`` of those the
    search is refused too. Whoever ranks below that line holds fewer of the query's entries
    than all of them: at a large population, a look-alike of both tokens sharing a single
    entry with the query (one of ten thousand truncation coincidences there) may be left out.

    ``best``: instead of refusing, the best ``max_candidates`` (closest spellings first; the
    duplicate check, which must never fall silent on a common name).
    """
    terms = NAME.tokens(query)
    pair = query_pair(terms)
    if pair is None:
        return None
    too_broad = SearchTooBroadError(
        "search of 'name' matches too many people; add another term", at_least=max_candidates
    )
    if (
        not best
        and not _more_pairs(terms, pair)
        and _exact_count(session, terms, pair, within, max_candidates) > max_candidates
    ):
        raise too_broad
    lookup = pair_query(session, terms, pair, within, most=PAIR_LOOKUP_LIMIT * max_candidates)
    found = [row.subject_id for row in session.execute(*lookup)]
    subjects = _with_every_token(session, found, terms)
    if len(subjects) > max_candidates:
        if best:
            return subjects[:max_candidates]
        raise too_broad
    return subjects
