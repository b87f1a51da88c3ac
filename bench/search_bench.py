"""Name search at scale (issue 18, target P2), not part of the test suite.

    .venv/bin/python bench/generate.py --people N --database-url URL   # fill once
    .venv/bin/homeward db reindex-search                              # backfill pair entries
    .venv/bin/python bench/search_bench.py --database-url URL [--repeat 25] [--explain]

Keys come from ``HOMEWARD_KEY_FILE`` (the file ``generate.py`` used). The bench reads the
generated people's names (decrypting a sample) and picks: a full name shared by few people
(the three-token name of the sample whose tokens are rarest together) and a given name plus
family name shared by many (the pair nearest one person in 400 of the sample; spellings and
scripts make its matches far more). Each is run through the search service a posted search
calls (``casework.queries.search_cases`` as a supervisor, in a fresh session: server time
without the page), and the median of ``--repeat`` runs is printed, with how many people were
candidates (decrypted) and how many matched. ``--explain`` prints PostgreSQL's ``EXPLAIN
ANALYZE`` of the pair lookup. A third search, the commonest given + family name of the sample,
is reported apart (thousands of matches in the generated population). A name held by more than
``casework.queries.NAME_SEARCH_LIMIT`` people (25) is refused ("more than 25 people match"),
after reading that many of its index rows, and printed as refused: its time is the answer's.
The last line is ``P2 median_ms=<x> growth=<y>`` (the slower of the first two; growth against
``--baseline-ms``, the same figure at a smaller population, and only when it is given).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from core.app import create_app
from core.config import Settings, app_settings


def _app(url: str) -> Any:
    settings = Settings.from_env(
        environ={},
        ENV="test",
        DATABASE_URL=url,
        SECRET_KEY="b" * 40,
        KEY_FILE=os.environ.get("HOMEWARD_KEY_FILE", "keys.json"),
        LOGIN_RATE_LIMIT="100000 per minute",
    )
    app = create_app(settings)
    app.config["HOMEWARD_SETTINGS"] = replace(app_settings(app), MFA_REQUIRED_FOR_ALL=False)
    return app


def _terms(app: Any, sample: int) -> tuple[str, str, int]:
    """(full name, given + family name shared by many, the commonest pair, people)."""
    from casework.models import Person
    from core.crypto.normalise import name_tokens
    from core.db import current_db

    with app.test_request_context("/"), current_db().session_scope() as db:
        people = db.scalar(select(func.count()).select_from(Person)) or 0
        rows = db.scalars(select(Person).order_by(Person.id).limit(sample)).all()
        from core.crypto import preload_keys

        preload_keys(db, [p.id for p in rows])
        names = [p.name_latin or p.name_original for p in rows if p.erased_at is None]
    split = [name_tokens(n) for n in names if n]
    pairs = Counter((t[0], t[-1]) for t in split if len(t) >= 2)
    # "Shared by many": the pair nearest 0.25 % of people (one in 400, as many as the casework
    # bench's commonest pair), so its matches grow with the population; the most common pair of
    # the generated population is far above the search's limit and is measured apart.
    share = max(2.0, 0.0025 * len(split))
    common = " ".join(min(pairs, key=lambda p: (abs(pairs[p] - share), p)))
    commonest = " ".join(pairs.most_common(1)[0][0])
    # A full name: the three-token name of the sample whose tokens are rarest together.
    tokens = Counter(token for t in split for token in set(t))
    full = [t for t in split if len(t) >= 3]
    rare = " ".join(min(full, key=lambda t: (math.prod(tokens[x] for x in t), t)))
    return rare, common, commonest, people


def _actor(app: Any) -> Any:
    """A supervisor of the first generated agency (sees its cases; all people are searched)."""
    from auth.models import User
    from core.db import current_db
    from core.permissions import Role
    from core.security import Actor

    with app.app_context(), current_db().session_scope() as db:
        user = db.scalars(
            select(User).where(User.role == Role.SUPERVISOR).order_by(User.email)
        ).first()
        return Actor(user.id, Role.SUPERVISOR, user.organisation_id)


def _median_ms(app: Any, actor: Any, term: str, repeat: int) -> float:
    """Median server time of the search service (``casework.queries.search_cases``: candidate
    query, rows, keys, decryption, confirmation, cases, access check, audit), each in a new
    session (no key cached), rolled back."""
    from casework.queries import search_cases
    from core.crypto import SearchTooBroadError
    from core.db import get_session

    times = []
    for _ in range(repeat + 1):
        with app.test_request_context("/"):
            db = get_session()
            started = time.perf_counter()
            try:
                search_cases(db, actor, "name", term)
            except SearchTooBroadError:
                print("    (refused: too many candidates)")
            times.append((time.perf_counter() - started) * 1000)
            db.rollback()
    return statistics.median(times[1:])


def _counts(app: Any, term: str, explain: bool) -> tuple[int, int | str, int]:
    """(pair candidates, single-token candidates, people found) for ``term``; prints the plan
    of the pair query with ``explain``."""
    from casework.models import Person
    from core.crypto import candidate_subjects, search
    from core.crypto.blind_index import NAME
    from core.crypto.errors import SearchTooBroadError
    from core.db import current_db

    try:
        from casework.queries import NAME_SEARCH_LIMIT
        from core.crypto.name_pairs import (
            PAIR_LOOKUP_LIMIT,
            pair_candidates,
            pair_query,
            query_pair,
        )
    except ImportError:  # the code before the pair index (a "before" figure)
        with app.test_request_context("/"), current_db().session_scope() as db:
            single = len(candidate_subjects(db, "name", term, max_candidates=100000))
            return -1, single, len(search(db, Person, "name", term, max_candidates=100000))

    with app.test_request_context("/"), current_db().session_scope() as db:
        listed = pair_candidates(db, term, 100000)
        paired = -1 if listed is None else len(listed)
        try:
            single: int | str = len(candidate_subjects(db, "name", term, max_candidates=100000))
        except SearchTooBroadError:  # a common given name at a million people
            single = "over 100000"
        found = len(search(db, Person, "name", term, max_candidates=100000))
        terms = NAME.tokens(term)
        pair = query_pair(terms)
        if explain and pair is not None and db.bind.dialect.name == "postgresql":
            # The lookup as a name search runs it, with its LIMIT (before 2026-12-07: without).
            most = PAIR_LOOKUP_LIMIT * NAME_SEARCH_LIMIT
            statement, values = pair_query(db, terms, pair, most=most)
            compiled = statement.params(values).compile(
                db.bind, compile_kwargs={"literal_binds": True}
            )
            plan = db.execute(text(f"EXPLAIN ANALYZE {compiled}")).scalars()
            print("\n".join(f"    {line}" for line in plan))
    return paired, single, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--baseline-ms", type=float, default=None)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    app = _app(args.database_url)
    rare, common, commonest, people = _terms(app, args.sample)
    actor = _actor(app)
    print(f"{people} people")
    worst = 0.0
    cases = [("full name", rare), ("given + family name", common), ("commonest pair", commonest)]
    for label, term in cases:
        median = _median_ms(app, actor, term, args.repeat)
        paired, single, found = _counts(app, term, args.explain)
        if label != "commonest pair":  # reported apart, not in P2
            worst = max(worst, median)
        print(
            f"  {label:22} {median:7.1f} ms  pair candidates={paired}"
            f" single-token candidates={single} found={found}"
        )
    # No growth without a smaller database's median to compare with (not "1.0": unmeasured).
    growth = f" growth={worst / args.baseline_ms:.2f}" if args.baseline_ms else ""
    print(f"P2 median_ms={worst:.1f}{growth}")


if __name__ == "__main__":
    main()
