"""The languages Homeward offers: those whose compiled catalogue is complete, named in
themselves.

At start-up every ``translations/<locale>/LC_MESSAGES/messages.mo`` is read and compared with
the template ``translations/messages.pot``: a language is offered only when its catalogue
translates every message of the template (every plural form filled). Fuzzy entries are never
compiled (``make translations`` leaves them out), so a fuzzy message counts as missing. The
source language is always offered. A deployment without the template offers every language
whose catalogue translates every message that any catalogue translates.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

log = logging.getLogger("homeward.locales")

#: The cookie the sign-in page's language switcher sets (a locale code, nothing personal).
LOCALE_COOKIE = "homeward_language"
LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


def _key(message_id: object) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else str(message_id)


def _translated(catalog: Catalog) -> set[str]:
    """The ids of the messages a compiled catalogue translates fully. Compiling fills an empty
    plural form with the English, so a plural form equal to the English counts as missing."""
    done: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            english = set(message.id)
            complete = all(form and form not in english for form in message.string)
        else:
            complete = bool(message.string)
        if complete:
            done.add(_key(message.id))
    return done


def template_ids(directory: Path) -> set[str] | None:
    """The message ids of ``messages.pot`` in ``directory``, or None when there is none."""
    template = directory / "messages.pot"
    if not template.is_file():
        return None
    with template.open("rb") as handle:
        return {_key(m.id) for m in read_po(handle) if m.id}


def compiled_catalogues(directory: Path) -> dict[str, set[str]]:
    """For each locale with a compiled catalogue, the ids it translates."""
    found: dict[str, set[str]] = {}
    for mo in sorted(directory.glob("*/LC_MESSAGES/messages.mo")):
        with mo.open("rb") as handle:
            found[mo.parent.parent.name] = _translated(read_mo(handle))
    return found


def complete_locales(directory: Path, source: str) -> list[str]:
    """The source language and every locale whose compiled catalogue is complete."""
    catalogues = compiled_catalogues(directory)
    wanted = template_ids(directory)
    if wanted is None:
        wanted = set().union(*catalogues.values()) if catalogues else set()
    offered = {source}
    for code, ids in catalogues.items():
        missing = len(wanted - ids)
        if code == source:
            continue
        if missing == 0 and wanted:
            offered.add(code)
        else:
            log.warning("language %s not offered: %d messages untranslated", code, missing)
    return sorted(offered)


#: The languages Homeward ships, named in themselves as CLDR (babel 2.19) names them. The
#: language switcher (sign-in and account pages) names every offered language: read from
#: babel, that loads each language's whole CLDR data (some 1 MB of heap each) into every
#: worker for one word (issue 18). tests/i18n checks this table against babel; a code missing
#: from it is named by babel.
ENDONYMS = {
    "ar": "العربية",
    "en": "English",
    "fa_AF": "دری",
    "fr": "Français",
    "ps": "پښتو",
    "ru": "Русский",
    "tr": "Türkçe",
    "ur": "اردو",
}


def endonym(code: str) -> str:
    """The language named in itself: "دری" for fa_AF, "Русский" for ru."""
    return ENDONYMS.get(code) or cldr_endonym(code)


def cldr_endonym(code: str) -> str:
    """:func:`endonym` read from babel's CLDR data (loading that language's data)."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.languages.get(str(locale)) or locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


def is_right_to_left(code: str) -> bool:
    """Whether CLDR writes this locale's script right to left."""
    try:
        return Locale.parse(code).character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False
