"""One list of service kinds for consent and the directory: stored codes mapped (data only)

The directory's "medical" becomes consent's "health". Consent's coarser kinds become the
directory's finer ones, keeping what each consent covered: "livelihood" covered employment
and business grants, "education" also vocational training, "legal" also documentation, and
"financial" was cash assistance.

Revision ID: 8d41c6a2b9e3
Revises: a4d7c2e9b1f3
Create Date: 2026-12-03 17:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d41c6a2b9e3"
down_revision: str | Sequence[str] | None = "a4d7c2e9b1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Old consent code -> the kinds of the one list it covered.
CONSENT_UP: dict[str, tuple[str, ...]] = {
    "livelihood": ("employment", "business_grant"),
    "education": ("education", "vocational_training"),
    "legal": ("legal", "documentation"),
    "financial": ("cash_assistance",),
}
#: Kind of the one list -> the old consent code that covered it.
CONSENT_DOWN: dict[str, str] = {
    "employment": "livelihood",
    "business_grant": "livelihood",
    "vocational_training": "education",
    "documentation": "legal",
    "cash_assistance": "financial",
}


#: The new code as a parameter, typed like the column (PostgreSQL cannot guess one type for a
#: parameter that is both selected and compared).
NEW = "CAST(:new AS VARCHAR(30))"


def _spread(table: str, key: str, old: str, new: tuple[str, ...]) -> None:
    """Give every row of ``old`` a row of each ``new`` code (if missing), then drop ``old``."""
    bind = op.get_bind()
    for code in new:
        bind.execute(
            sa.text(
                f"INSERT INTO {table} ({key}, code) SELECT t.{key}, {NEW} FROM {table} t "
                f"WHERE t.code = :old AND NOT EXISTS (SELECT 1 FROM {table} u "
                f"WHERE u.{key} = t.{key} AND u.code = {NEW})"
            ),
            {"old": old, "new": code},
        )
    if old not in new:
        bind.execute(sa.text(f"DELETE FROM {table} WHERE code = :old"), {"old": old})


def upgrade() -> None:
    _spread("directory_service_type", "service_id", "medical", ("health",))
    for old, new in CONSENT_UP.items():
        _spread("legal_basis_service_type", "legal_basis_id", old, new)


def downgrade() -> None:
    for new, old in CONSENT_DOWN.items():
        _spread("legal_basis_service_type", "legal_basis_id", new, (old,))
    _spread("directory_service_type", "service_id", "health", ("medical",))
