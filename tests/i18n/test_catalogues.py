"""Every catalogue is complete and right: every message of the template translated, none
fuzzy, every plural form filled (as many as the language has), the same python-format
placeholders as the English, and written in the language's script. The template itself holds
every message the code marks for translation.

No catalogue is changed here: the template is compared with a fresh extraction made in a
temporary directory with Babel's API, with the same keywords as ``make extract-messages``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

#: The catalogues Homeward ships and the number of plural forms each language has (CLDR:
#: French has a third form for millions, "1 000 000 de dossiers").
NPLURALS = {"fa_AF": 2, "ps": 2, "ar": 6, "ur": 2, "ru": 3, "tr": 2, "fr": 3}
RIGHT_TO_LEFT = ("fa_AF", "ps", "ar", "ur")
CYRILLIC = ("ru",)
#: The share of messages that may carry no letter of the language's script (codes, names).
SCRIPT_EXCEPTIONS = 0.02

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[%sd]")


def _id(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else str(message.id)


@cache
def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {_id(m): m for m in catalog if m.id}


def _forms(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, tuple | list) else [string]


def _placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text)}


def test_the_seven_catalogues_exist():
    found = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert set(NPLURALS) <= found


@pytest.mark.parametrize("code", sorted(NPLURALS))
def test_every_message_is_translated_and_none_is_fuzzy(code):
    template = _messages(_read(TEMPLATE))
    catalogue = _messages(_read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"))
    missing = sorted(set(template) - set(catalogue))
    assert missing == [], f"{code}: not in the catalogue: {missing[:10]}"
    untranslated = [k for k in template if not all(_forms(catalogue[k]))]
    assert untranslated == [], f"{code}: untranslated: {untranslated[:10]}"
    fuzzy = [k for k in template if catalogue[k].fuzzy]
    assert fuzzy == [], f"{code}: fuzzy: {fuzzy[:10]}"
    extra = sorted(set(catalogue) - set(template))
    assert extra == [], f"{code}: not in the template (obsolete): {extra[:10]}"


@pytest.mark.parametrize("code", sorted(NPLURALS))
def test_plural_forms_are_complete(code):
    catalogue = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    assert catalogue.num_plurals == NPLURALS[code], catalogue.plural_forms
    short = [
        _id(m) for m in catalogue if m.id and m.pluralizable and len(_forms(m)) != NPLURALS[code]
    ]
    assert short == [], f"{code}: plural forms missing: {short[:10]}"


@pytest.mark.parametrize("code", sorted(NPLURALS))
def test_python_format_placeholders_are_identical(code):
    catalogue = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        wanted = set().union(*(_placeholders(i) for i in ids))
        forms = _forms(message)
        for form in forms:
            found = _placeholders(form)
            # A plural form may leave the count out ("one day"), never add or rename one.
            ok = found <= wanted if message.pluralizable and len(forms) > 1 else found == wanted
            if not ok:
                wrong.append((_id(message), sorted(wanted), sorted(found)))
    assert wrong == [], f"{code}: placeholders differ: {wrong[:5]}"
    # Babel's own checks (python-format flags, plural counts), as `pybabel compile` runs them.
    problems = [(_id(m), [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert problems == [], f"{code}: {problems[:5]}"


def _letters(text: str) -> list[str]:
    text = PLACEHOLDER.sub(" ", text)
    text = re.sub(r"https?://\S+|\S+@\S+|&\w+;|<[^>]+>", " ", text)
    return [c for c in text if c.isalpha()]


def _in_script(letter: str, script: str) -> bool:
    return unicodedata.name(letter, "").startswith(script)


@pytest.mark.parametrize(
    ("code", "script"),
    [(c, "ARABIC") for c in RIGHT_TO_LEFT] + [(c, "CYRILLIC") for c in CYRILLIC],
)
def test_translations_are_written_in_the_language_script(code, script):
    """A catalogue filled with English, or with another language's script, fails."""
    catalogue = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    total, foreign = 0, []
    for message in catalogue:
        if not message.id:
            continue
        for form in _forms(message):
            letters = _letters(form)
            if not letters:
                continue
            total += 1
            share = sum(_in_script(c, script) for c in letters) / len(letters)
            if share < 0.5:
                foreign.append(form)
    assert total > 0
    assert len(foreign) <= SCRIPT_EXCEPTIONS * total, (
        f"{code}: {len(foreign)} of {total} translations are not in {script} script, "
        f"e.g. {foreign[:5]}"
    )


@pytest.mark.parametrize("code", sorted(NPLURALS))
def test_few_translations_are_left_in_english(code):
    """Names and codes stay as they are ("Homeward", "%(n)s KB"), and French shares a few
    words with English ("Action", "Organisation"); a catalogue copied from English fails."""
    catalogue = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    messages = [m for m in catalogue if m.id]
    same = [_id(m) for m in messages if _forms(m)[0] == _id(m)]
    assert len(same) <= 0.03 * len(messages), f"{code}: left in English: {same[:10]}"


def _extraction_keywords() -> dict[str, object]:
    """Babel's default keywords and those the Makefile adds (``-k _l``, the error classes)."""
    keywords: dict[str, object] = dict(DEFAULT_KEYWORDS)
    makefile = (ROOT / "Makefile").read_text()
    for spec in re.findall(r"-k\s+(\S+)", makefile):
        name, _, args = spec.partition(":")
        keywords[name] = tuple(int(a) for a in args.split(",")) if args else None
    return keywords


def test_the_template_holds_every_message_of_the_code():
    """What the code marks for translation is in messages.pot (so in every catalogue): a new
    message fails here until `make extract-messages` ran and the catalogues were translated."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    extracted = {
        (m[2][0] if isinstance(m[2], tuple | list) else m[2])
        for m in extract_from_dir(
            str(ROOT),
            method_map,
            options_map,
            keywords=_extraction_keywords(),
            directory_filter=lambda d: Path(d).name not in {".venv", "node_modules", ".git"},
        )
    }
    template = set(_messages(_read(TEMPLATE)))
    missing = sorted(extracted - template - {""})
    assert missing == [], f"{len(missing)} messages are not in messages.pot yet: {missing[:20]}"
