"""Places (issue 17): an import from the page or the command is audited with counts only,
a refused one as failed, a page refused to a caseworker as a denial."""

from __future__ import annotations

import io

import pytest

from core.permissions import Role
from tests.core.places.helpers import FIXTURE, csv_of
from tests.factories import post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE, events_after, head_seq


def _upload(ctx, data: bytes):
    return post_form(
        ctx["client"],
        "/admin/places",
        {"file": (io.BytesIO(data), "places.csv")},
        content_type="multipart/form-data",
        token_from=QUIET_PAGE,
    )


def places_imported_on_the_page(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    return (lambda: _upload(ctx, FIXTURE.read_bytes())), [("places.imported", "ok", "places")]


def places_import_refused_on_the_page(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    bad = csv_of("AF,Afghanistan,,Kabul,,")
    return (lambda: _upload(ctx, bad)), [("places.imported", "failed", "places")]


def places_imported_by_the_command(ctx):
    runner = ctx["app"].test_cli_runner()
    return (lambda: runner.invoke(args=["places", "import", str(FIXTURE)])), [
        ("places.imported", "ok", "places")
    ]


def places_page_refused(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/admin/places")), [("access.denied", "denied", None)]


SCENARIOS = [
    places_imported_on_the_page,
    places_import_refused_on_the_page,
    places_imported_by_the_command,
    places_page_refused,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_places_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = {"app": app, "client": client, "session": db_session, "make_account": make_account}
    act, expected = scenario(ctx)
    before = head_seq(db_session)
    act()
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
    for event in events:
        assert "Herat" not in (event.details or "") and "Injil" not in (event.details or "")
