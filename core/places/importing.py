"""Reading a places CSV: the shape humanitarian agencies publish their P-code lists in.

Columns ``admin0_pcode, admin0_name, admin1_pcode, admin1_name`` (required) and
``admin2_pcode, admin2_name`` (optional), plus any ``admin<N>_name_<lang>`` (the name in an
ISO 639 language, e.g. ``admin1_name_fa``). One row per district (or per province when the
row has no district). :func:`parse` checks the whole file and returns every problem as
``line N: problem``; the importer writes nothing unless there is none.

Each problem is a lazy translatable message, a whole sentence with named placeholders (one
message per level rather than a level word slotted into a sentence), rendered when shown:
in the reader's language on the page, in the default locale (English) by the command. The
values quoted in it come from the file: show them escaped (``str()`` first, since a lazy
string passes for markup).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.form_messages import N_
from core.i18n.names import is_country, is_language
from core.places.models import Level

#: The largest file read (bytes) and the most rows: a national list is a few thousand.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_NAME = 200
#: How many problems are listed before the rest are only counted.
MAX_PROBLEMS = 200

PCODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}\Z")
REQUIRED = ("admin0_pcode", "admin0_name", "admin1_pcode", "admin1_name")
OPTIONAL = ("admin2_pcode", "admin2_name")
LANGUAGE_COLUMN = re.compile(r"admin([012])_name_([A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\Z")
LEVEL_WORDS = {0: "country", 1: "province", 2: "district"}  # the counts' keys, not shown

# Whole sentences per level (a translator cannot slot a level word into a sentence). Marked
# with N_ for extraction; each is translated when shown, with ``_l(TABLE[level], ...)``.
CODE_MISSING = {
    0: N_("line %(line)d: the country code is missing"),
    1: N_("line %(line)d: the province code is missing"),
    2: N_("line %(line)d: the district code is missing"),
}
NOT_A_PCODE = {
    0: N_("line %(line)d: the country code %(code)s is not a P-code (letters, digits, . _ -)"),
    1: N_("line %(line)d: the province code %(code)s is not a P-code (letters, digits, . _ -)"),
    2: N_("line %(line)d: the district code %(code)s is not a P-code (letters, digits, . _ -)"),
}
NAME_MISSING = {
    0: N_("line %(line)d: the country name is missing"),
    1: N_("line %(line)d: the province name is missing"),
    2: N_("line %(line)d: the district name is missing"),
}
BAD_NAME = {
    0: N_("line %(line)d: the country name is longer than %(max)d or has control characters"),
    1: N_("line %(line)d: the province name is longer than %(max)d or has control characters"),
    2: N_("line %(line)d: the district name is longer than %(max)d or has control characters"),
}
#: (level on this line, level on the other line): a P-code met twice at different levels.
LEVEL_HERE_AND_THERE = {
    (0, 1): N_("line %(line)d: %(code)s is a country here and a province on line %(other)d"),
    (0, 2): N_("line %(line)d: %(code)s is a country here and a district on line %(other)d"),
    (1, 0): N_("line %(line)d: %(code)s is a province here and a country on line %(other)d"),
    (1, 2): N_("line %(line)d: %(code)s is a province here and a district on line %(other)d"),
    (2, 0): N_("line %(line)d: %(code)s is a district here and a country on line %(other)d"),
    (2, 1): N_("line %(line)d: %(code)s is a district here and a province on line %(other)d"),
}
#: (stored level, level in the file): a P-code may not change level.
ALREADY_A = {
    (0, 1): N_("line %(line)d: %(code)s is already a country, not a province"),
    (0, 2): N_("line %(line)d: %(code)s is already a country, not a district"),
    (1, 0): N_("line %(line)d: %(code)s is already a province, not a country"),
    (1, 2): N_("line %(line)d: %(code)s is already a province, not a district"),
    (2, 0): N_("line %(line)d: %(code)s is already a district, not a country"),
    (2, 1): N_("line %(line)d: %(code)s is already a district, not a province"),
}


@dataclass
class PlaceRow:
    """A place as the file describes it (merged over the rows that name it)."""

    pcode: str
    level: int
    name: str
    parent: str | None
    names: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def country_code(self) -> str | None:
        if self.level == Level.COUNTRY and len(self.pcode) == 2 and is_country(self.pcode):
            return self.pcode.upper()
        return None


@dataclass
class Parsed:
    """The places of a file, in the order first met (countries, provinces, districts are
    each after their parent), or the problems that refuse it."""

    places: dict[str, PlaceRow] = field(default_factory=dict)
    problems: list[LazyString] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, message: LazyString) -> None:
        """Note a problem: ``message`` is ``_l("line %(line)d: ...", line=..., ...)``."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        else:
            self.more_problems += 1


def _clean(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def _bad_text(value: str) -> bool:
    return any(
        unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} and c != "\u200c" for c in value
    )


def _columns(header: list[str], parsed: Parsed) -> dict[str, tuple[int, str]] | None:
    """Each language column's (level, language); None (and problems) when the header is bad."""
    names = [_clean(h).lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        parsed.problem(
            _l("line %(line)d: missing column(s) %(columns)s", line=1, columns=", ".join(missing))
        )
    languages: dict[str, tuple[int, str]] = {}
    for column in names:
        if column in REQUIRED or column in OPTIONAL:
            continue
        found = LANGUAGE_COLUMN.match(column)
        if found is None:
            parsed.problem(
                _l("line %(line)d: unknown column %(column)s", line=1, column=repr(column[:40]))
            )
            continue
        base, _sep, region = found.group(2).replace("-", "_").partition("_")
        language = f"{base}_{region.upper()}" if region else base  # as locales write it: fa_AF
        if not is_language(base):
            parsed.problem(
                _l(
                    "line %(line)d: column %(column)s: %(language)s is not a language code",
                    line=1,
                    column=repr(column[:40]),
                    language=repr(language[:12]),
                )
            )
            continue
        languages[column] = (int(found.group(1)), language)
    if len(set(names)) != len(names):
        parsed.problem(_l("line %(line)d: a column is named twice", line=1))
    return None if parsed.problems else languages


def _decode(data: bytes, parsed: Parsed) -> str | None:
    if len(data) > MAX_BYTES:
        parsed.problem(
            _l(
                "line %(line)d: the file is larger than %(megabytes)d MB",
                line=1,
                megabytes=MAX_BYTES // (1024 * 1024),
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.problem(_l("line %(line)d: not UTF-8 text (save the file as CSV UTF-8)", line=line))
        return None


def parse(data: bytes) -> Parsed:
    """Check a whole places file; ``problems`` lists every bad row (nothing is written)."""
    parsed = Parsed()
    text = _decode(data, parsed)
    if text is None:
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = 0
    try:
        header = next(reader, None)
        if header is None:
            parsed.problem(_l("line %(line)d: the file is empty", line=1))
            return parsed
        languages = _columns(header, parsed)
        if languages is None:
            return parsed
        columns = [_clean(h).lower() for h in header]
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > MAX_ROWS:
                parsed.problem(
                    _l("line %(line)d: more than %(rows)d rows", line=start, rows=MAX_ROWS)
                )
                break
            if len(row) != len(columns):
                parsed.problem(
                    _l(
                        "line %(line)d: %(values)d values for %(columns)d columns",
                        line=start,
                        values=len(row),
                        columns=len(columns),
                    )
                )
                continue
            _row(dict(zip(columns, row, strict=True)), languages, start, parsed)
    except csv.Error as exc:
        found = {"line": reader.line_num or 1, "error": str(exc)}
        parsed.problem(_l("line %(line)d: not a readable CSV row (%(error)s)", **found))
    if rows == 0 and not parsed.problems:
        parsed.problem(_l("line %(line)d: the file has no places", line=2))
    return parsed


def _row(
    values: dict[str, str], languages: dict[str, tuple[int, str]], line: int, parsed: Parsed
) -> None:
    found: list[PlaceRow] = []
    problems_before = len(parsed.problems) + parsed.more_problems
    parent: str | None = None
    for level in (0, 1, 2):
        code = _clean(values.get(f"admin{level}_pcode")).upper()  # P-codes are upper case
        name = _clean(values.get(f"admin{level}_name"))
        if level == 2 and not code and not name:
            if any(_clean(values[c]) for c, (lv, _lang) in languages.items() if lv == 2):
                parsed.problem(
                    _l(
                        "line %(line)d: a district name without the district's code and name",
                        line=line,
                    )
                )
            break
        if not code:
            parsed.problem(_l(CODE_MISSING[level], line=line))
        elif not PCODE.match(code):
            parsed.problem(_l(NOT_A_PCODE[level], line=line, code=repr(code[:40])))
        if not name:
            parsed.problem(_l(NAME_MISSING[level], line=line))
        elif len(name) > MAX_NAME or _bad_text(name):
            parsed.problem(_l(BAD_NAME[level], line=line, max=MAX_NAME))
        names: dict[str, str] = {}
        for column, (lv, language) in languages.items():
            if lv != level:
                continue
            local = _clean(values.get(column))
            if len(local) > MAX_NAME or _bad_text(local):
                parsed.problem(
                    _l(
                        "line %(line)d: %(column)s: longer than %(max)d or has control characters",
                        line=line,
                        column=column,
                        max=MAX_NAME,
                    )
                )
            elif local:
                names[language] = local
        found.append(PlaceRow(code, level, name, parent, names, line))
        parent = code
    if len(parsed.problems) + parsed.more_problems > problems_before:
        return
    for place in found:
        _merge(place, parsed)


def _merge(place: PlaceRow, parsed: Parsed) -> None:
    """Add a place met on a row, or check it against the same P-code met before."""
    seen = parsed.places.get(place.pcode)
    if seen is None:
        parsed.places[place.pcode] = place
        return
    where = {"line": place.line, "code": repr(place.pcode), "other": seen.line}
    if seen.level != place.level:
        parsed.problem(_l(LEVEL_HERE_AND_THERE[place.level, seen.level], **where))
    elif seen.parent != place.parent:
        parsed.problem(
            _l(
                "line %(line)d: %(code)s is under %(parent)s here and %(other_parent)s "
                "on line %(other)d",
                parent=repr(place.parent),
                other_parent=repr(seen.parent),
                **where,
            )
        )
    elif seen.name != place.name:
        parsed.problem(
            _l("line %(line)d: %(code)s is named differently on line %(other)d", **where)
        )
    else:
        for language, local in place.names.items():
            if seen.names.setdefault(language, local) != local:
                parsed.problem(
                    _l(
                        "line %(line)d: %(code)s has another %(language)s name on line %(other)d",
                        language=language,
                        **where,
                    )
                )
