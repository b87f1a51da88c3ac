"""The migration revisions this code ships and the ones a database has applied, read without
Alembic: ``/readyz`` asks for them every few seconds in every worker, and Alembic (with Mako
and Pygments behind it, some 8 MB of heap) would then stay in every worker's memory (issue 18:
a worker's RSS). ``tests/core/test_revisions.py`` checks both against Alembic's own answers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

#: Alembic's default version table (migrations/env.py keeps it).
VERSION_TABLE = "alembic_version"


def _declared(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """A revision file's ``revision`` and the revisions it follows (``down_revision``: none,
    one, or several for a merge), read from its module-level assignments."""
    revision: str | None = None
    follows: tuple[str, ...] = ()
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id == "revision":
            revision = str(ast.literal_eval(value))
        elif target.id == "down_revision":
            found = ast.literal_eval(value)
            follows = () if found is None else (found,) if isinstance(found, str) else tuple(found)
    return revision, follows


def shipped_revisions(files: Iterable[Path]) -> tuple[set[str], set[str]]:
    """``(heads, every revision)`` of the revision files: a head is a revision no other
    follows."""
    known: set[str] = set()
    followed: set[str] = set()
    for path in files:
        revision, follows = _declared(path)
        if revision is not None:
            known.add(revision)
            followed.update(follows)
    return known - followed, known


def applied_revisions(session: Session) -> set[str]:
    """The revisions the database's version table holds (none before its first upgrade)."""
    if not inspect(session.connection()).has_table(VERSION_TABLE):
        return set()
    found = session.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()  # noqa: S608
    return {str(v) for v in found}
