"""The case list on a small screen: a Menu button, filters behind a Filter button, cards."""

from __future__ import annotations

import re

from tests.casework.helpers import register
from tests.factories import sign_in


def _filters_tag(body: str) -> str:
    found = re.search(r'<details class="filters"[^>]*>', body)
    assert found, "the filters are not behind a Filter button"
    return found.group(0)


def test_filters_wait_behind_a_button_until_one_is_used(client, db_session, caseworker):
    sign_in(client, caseworker, db_session)
    body = client.get("/cases/").get_data(as_text=True)
    assert " open" not in _filters_tag(body)
    assert re.search(r'<summary class="filters__toggle">\s*Filter\s*</summary>', body)
    filtered = client.get("/cases/?stage=planning").get_data(as_text=True)
    assert " open" in _filters_tag(filtered)
    assert 'href="/cases/">Clear filters</a>' in filtered


def test_the_menu_folds_behind_a_button_with_what_waits(client, db_session, caseworker):
    sign_in(client, caseworker, db_session)
    body = client.get("/cases/").get_data(as_text=True)
    menu = re.search(r'<details class="site-menu">\s*<summary class="site-menu__toggle">Menu', body)
    assert menu, "no Menu button"
    nav = body[menu.end() : body.index("</details>", menu.end())]
    assert 'aria-label="Main"' in nav and "Sign out" in nav and "My account" in nav


def test_each_case_card_labels_its_values(client, db_session, caseworker):
    sign_in(client, caseworker, db_session)
    register(client, {"name_original": "Malika Tursunova", "case_type": "returnee"}, True)
    body = client.get("/cases/").get_data(as_text=True)
    assert '<div class="table-box" role="region" aria-label="Cases" tabindex="0">' in body
    assert '<table class="data data--cards">' in body
    row = body[body.index("<tbody>") : body.index("</tbody>")]
    assert re.search(r'<td class="card-title">.*Malika Tursunova', row)
    for label in ("Case", "Type", "Stage", "Assigned to"):
        assert f'data-label="{label}"' in row
