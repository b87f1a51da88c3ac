"""Reading a places CSV: the shape humanitarian agencies publish their P-code lists in.

Columns ``admin0_pcode, admin0_name, admin1_pcode, admin1_name`` (required) and
``admin2_pcode, admin2_name`` (optional), plus any ``admin<N>_name_<lang>`` (the name in an
ISO 639 language, e.g. ``admin1_name_fa``). One row per district (or per province when the
row has no district). :func:`parse` checks the whole file and returns every problem as
``line N: problem``; the importer writes nothing unless there is none.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

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
LEVEL_WORDS = {0: "country", 1: "province", 2: "district"}


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
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"line {line}: {text}")
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
        parsed.problem(1, "missing column(s) " + ", ".join(missing))
    languages: dict[str, tuple[int, str]] = {}
    for column in names:
        if column in REQUIRED or column in OPTIONAL:
            continue
        found = LANGUAGE_COLUMN.match(column)
        if found is None:
            parsed.problem(1, f"unknown column {column[:40]!r}")
            continue
        base, _sep, region = found.group(2).replace("-", "_").partition("_")
        language = f"{base}_{region.upper()}" if region else base  # as locales write it: fa_AF
        if not is_language(base):
            parsed.problem(1, f"column {column[:40]!r}: {language[:12]!r} is not a language code")
            continue
        languages[column] = (int(found.group(1)), language)
    if len(set(names)) != len(names):
        parsed.problem(1, "a column is named twice")
    return None if parsed.problems else languages


def _decode(data: bytes, parsed: Parsed) -> str | None:
    if len(data) > MAX_BYTES:
        parsed.problem(1, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.problem(line, "not UTF-8 text (save the file as CSV UTF-8)")
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
            parsed.problem(1, "the file is empty")
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
                parsed.problem(start, f"more than {MAX_ROWS} rows")
                break
            if len(row) != len(columns):
                parsed.problem(start, f"{len(row)} values for {len(columns)} columns")
                continue
            _row(dict(zip(columns, row, strict=True)), languages, start, parsed)
    except csv.Error as exc:
        parsed.problem(reader.line_num or 1, f"not a readable CSV row ({exc})")
    if rows == 0 and not parsed.problems:
        parsed.problem(2, "the file has no places")
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
        word = LEVEL_WORDS[level]
        if level == 2 and not code and not name:
            if any(_clean(values[c]) for c, (lv, _l) in languages.items() if lv == 2):
                parsed.problem(line, "a district name without the district's code and name")
            break
        if not code:
            parsed.problem(line, f"the {word} code is missing")
        elif not PCODE.match(code):
            parsed.problem(
                line, f"the {word} code {code[:40]!r} is not a P-code (letters, digits, . _ -)"
            )
        if not name:
            parsed.problem(line, f"the {word} name is missing")
        elif len(name) > MAX_NAME or _bad_text(name):
            parsed.problem(
                line, f"the {word} name is longer than {MAX_NAME} or has control characters"
            )
        names: dict[str, str] = {}
        for column, (lv, language) in languages.items():
            if lv != level:
                continue
            local = _clean(values.get(column))
            if len(local) > MAX_NAME or _bad_text(local):
                parsed.problem(line, f"{column}: longer than {MAX_NAME} or has control characters")
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
    where = f"line {seen.line}"
    if seen.level != place.level:
        parsed.problem(
            place.line,
            f"{place.pcode!r} is a {LEVEL_WORDS[place.level]} here and a "
            f"{LEVEL_WORDS[seen.level]} on {where}",
        )
    elif seen.parent != place.parent:
        parsed.problem(
            place.line,
            f"{place.pcode!r} is under {place.parent!r} here and {seen.parent!r} on {where}",
        )
    elif seen.name != place.name:
        parsed.problem(place.line, f"{place.pcode!r} is named differently on {where}")
    else:
        for language, local in place.names.items():
            if seen.names.setdefault(language, local) != local:
                parsed.problem(
                    place.line, f"{place.pcode!r} has another {language} name on {where}"
                )
