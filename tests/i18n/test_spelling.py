"""The interface spells "organisation" one way (British, as the rest of Homeward): no message
the code marks for translation says "organization". Technical names stay as they are (the
Open Referral files' ``organization_id`` and ``organizations.csv``)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from tests.i18n.test_catalogues import ROOT, _extraction_keywords

#: A spelling with a z that is a technical name, not a word of the interface.
TECHNICAL = re.compile(r"\borganizations?(_id|\.csv)\b", re.IGNORECASE)


def _american(text: str) -> bool:
    return "organization" in TECHNICAL.sub("", text).lower()


def _messages() -> list[tuple[str, int, str]]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = []
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=_extraction_keywords(),
        directory_filter=lambda d: Path(d).name not in {".venv", "node_modules", ".git"},
    ):
        for text in message if isinstance(message, tuple | list) else [message]:
            found.append((filename, line, text or ""))
    return found


def test_the_checker_tells_the_spellings_apart():
    assert _american("Add an organization") and _american("Organizations")
    assert not _american("Add an organisation") and not _american("Organisations")
    assert not _american("organization_id is not an organisation of organizations.csv")


def test_no_message_spells_organisation_with_a_z():
    american = [f"{f}:{line}: {text}" for f, line, text in _messages() if _american(text)]
    assert american == [], "\n".join(american)


def test_the_two_lists_of_organisations_say_what_each_is(as_admin, directory):
    accounts = as_admin.get("/admin/organisations").get_data(as_text=True)
    assert "<h1>Organisations using Homeward</h1>" in accounts
    assert "every staff account belongs to one of them" in accounts
    listing = as_admin.get("/directory/manage/").get_data(as_text=True)
    assert "Organisations that receive referrals" in listing and "not staff accounts" in listing
    assert "Add an organisation to the directory" in listing
    services = as_admin.get("/directory/").get_data(as_text=True)
    assert "Services you can refer people to" in services
    for body in (accounts, listing, services):  # the text read, not names in the markup
        assert "rganization" not in re.sub(r"<[^>]*>", " ", body)
