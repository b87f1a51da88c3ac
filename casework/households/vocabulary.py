"""How a household member is related to the household (coded, stable; labels translate)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.vocabulary import Vocabulary


class Relationship(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    DEPENDANT = "dependant"
    RELATIVE = "relative"


#: Relationships of the adults who answer for the household's children (parent or guardian).
GUARDIANS = frozenset({Relationship.HEAD, Relationship.SPOUSE})

LABELS: dict[StrEnum, object] = {
    Relationship.HEAD: _l("Head of household"),
    Relationship.SPOUSE: _l("Spouse or partner"),
    Relationship.CHILD: _l("Son or daughter"),
    Relationship.DEPENDANT: _l("Other dependant"),
    Relationship.RELATIVE: _l("Other relative"),
}

#: ``label(value, enum)`` and ``choices(enum)`` of this package's list.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices
