"""``row_urls``: a list's row addresses, built once, are exactly what ``url_for`` builds."""

from __future__ import annotations

import uuid

import pytest
from flask import url_for

from core.urls import row_urls


@pytest.mark.parametrize("root", ["", "/homeward"])
def test_row_addresses_are_url_for_addresses(app, root):
    ids = [uuid.uuid4() for _ in range(20)] + [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
    with app.test_request_context("/", base_url=f"http://localhost{root}/"):
        case_url = row_urls("casework.case", "case_id")
        for row_id in ids:
            assert case_url(row_id) == url_for("casework.case", case_id=row_id)
            assert case_url(row_id).startswith(f"{root}/cases/")


def test_an_endpoint_without_the_argument_gets_it_as_url_for_would(app):
    row_id = uuid.uuid4()
    with app.test_request_context("/"):
        assert row_urls("casework.index", "after")(row_id) == url_for(
            "casework.index", after=row_id
        )


def test_only_ids_go_into_an_address(app):
    with app.test_request_context("/"):
        case_url = row_urls("casework.case", "case_id")
        for wrong in ["../account", str(uuid.uuid4()), 5, None]:
            with pytest.raises(TypeError, match="is a UUID"):
                case_url(wrong)  # type: ignore[arg-type]


def test_the_case_list_links_each_case(client, caseworker, db_session):
    from tests.casework.helpers import registered_case
    from tests.factories import sign_in

    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert f'href="{url}"' in client.get("/cases/").get_data(as_text=True)
