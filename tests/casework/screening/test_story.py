"""The trafficking story (HTCDS codes): recorded and versioned through the pages, encrypted at
rest, audited by field name, cooperation only with a legal basis, conflicts on stale forms."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from casework.screening import policy, queries
from casework.screening.models import TraffickingStory
from casework.screening.vocabulary import (
    CTDC_COLUMNS,
    ExploitationSector,
    ExploitationType,
    MeansOfControl,
    RecruiterRelation,
)
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import (
    CONSENT,
    SCREENING,
    record_consent,
    record_screening,
    registered_case,
)
from tests.casework.screening.story_helpers import STORY, record_story
from tests.factories import csrf_token, make_account, make_organisation, sign_in


def _case(db_session, url: str) -> Case:
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


#: Stories committed before the test (demo data another test loaded): not this test's.
_BEFORE: set[object] = set()


@pytest.fixture(autouse=True)
def _existing_stories(db_session) -> None:
    _BEFORE.clear()
    _BEFORE.update(db_session.scalars(select(TraffickingStory.id)))


def _stories(db_session) -> list[TraffickingStory]:
    db_session.expire_all()
    found = db_session.scalars(select(TraffickingStory).order_by(TraffickingStory.version))
    return [story for story in found if story.id not in _BEFORE]


def test_record_the_story_and_see_it_on_the_case_page(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_screening(client, url, SCREENING).status_code == 302
    form = client.get(f"{url}/screening/story/edit").get_data(as_text=True)
    # prefilled from the latest screening's codes; the promise is on the form
    assert re.search(r'<input checked id="means_of_control-\d+" [^>]*value="threats">', form)
    assert "never a condition of help" in form
    response = record_story(client, url, STORY)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith("#story")
    (story,) = _stories(db_session)
    with app.app_context():
        assert story.version == 1
        assert story.recruiter_relation == "friend"
        assert story.transit_countries == ["IR", "TR"]
        assert story.exploitation_months == 15  # April 2024 to June 2025, both counted
        assert story.cooperation is None
    page = client.get(url).get_data(as_text=True)
    assert 'id="story"' in page and "Friend" in page and "Russia" in page
    whole = client.get(f"{url}/screening/story")
    body = whole.get_data(as_text=True)
    assert whole.status_code == 200
    assert "Threats to the family" in body and "Construction" in body and "15 months" in body
    events = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.like("trafficking_story.%"), AuditEvent.case_id == story.case_id
        )
    ).all()
    assert [e.action for e in events] == ["trafficking_story.recorded", "trafficking_story.viewed"]
    logged = " ".join(str(e.details) for e in events)
    for value in ("friend", "RU", "construction", "debt_bondage", "2024"):
        assert value not in logged
    assert "recruiter_relation" in logged


def test_nothing_of_the_story_is_stored_in_the_clear(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    assert record_story(client, url, {**STORY, "cooperation": "declined"}).status_code == 302
    rows = db_session.info["connection"].exec_driver_sql("SELECT * FROM trafficking_story")
    dump = "\n".join(repr(r) for r in rows)
    for secret in ("friend", "job_offer", "RU", "construction", "2024-04", "declined", "threats"):
        assert secret not in dump


def test_a_new_version_keeps_the_earlier_one(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_story(client, url, STORY).status_code == 302
    form = client.get(f"{url}/screening/story/edit").get_data(as_text=True)
    assert '<input id="version" name="version" type="hidden" value="1">' in form
    changed = {**STORY, "version": "1", "recruiter_relation": "family"}
    assert record_story(client, url, changed).status_code == 302
    first, second = _stories(db_session)
    with app.app_context():
        assert (first.version, first.recruiter_relation) == (1, "friend")
        assert (second.version, second.recruiter_relation) == (2, "family")
    body = client.get(f"{url}/screening/story").get_data(as_text=True)
    assert "Version 2 (in force)" in body and "Version 1" in body


def test_a_stale_form_is_a_conflict_and_keeps_the_newer_version(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_story(client, url, STORY).status_code == 302
    stale = record_story(client, url, {**STORY, "recruiter_relation": "family"})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "newer version" in body and "The version recorded meanwhile" in body
    assert len(_stories(db_session)) == 1


def test_cooperation_needs_a_legal_basis(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    form = client.get(f"{url}/screening/story/edit").get_data(as_text=True)
    assert 'name="cooperation"' not in form and "no consent or other legal basis" in form
    refused = record_story(client, url, {**STORY, "cooperation": "cooperating"})
    assert refused.status_code == 200
    assert "only with a legal basis" in refused.get_data(as_text=True)
    assert _stories(db_session) == []
    record_consent(client, url, CONSENT)
    form = client.get(f"{url}/screening/story/edit").get_data(as_text=True)
    assert 'name="cooperation"' in form
    assert record_story(client, url, {**STORY, "cooperation": "cooperating"}).status_code == 302
    with app.app_context():
        assert _stories(db_session)[0].cooperation == "cooperating"
    page = client.get(f"{url}/screening/story").get_data(as_text=True)
    assert "Cooperating with law enforcement" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recruited_month": "2024-13"}, "recruited_month"),
        ({"recruited_month": "2024-3"}, "recruited_month"),
        ({"departed_month": "2024-03-05"}, "departed_month"),
        ({"departed_month": "1899-12"}, "departed_month"),
        ({"exploitation_started_month": "2999-01"}, "exploitation_started_month"),
        ({"exploitation_ended_month": "2024-01"}, "exploitation_ended_month"),
        ({"origin_countries": ["XX"]}, "origin_countries"),
        ({"exploitation_countries": ["A1"]}, "exploitation_countries"),
        ({"recruiter_relation": "stranger"}, "recruiter_relation"),
        ({"exploitation_sectors": ["mining"]}, "exploitation_sectors"),
        ({"means_of_control": ["magic"]}, "means_of_control"),
        ({"exploitation_months": "-1"}, "exploitation_months"),
        ({"exploitation_months": "99999"}, "exploitation_months"),
        ({"exploitation_months": "9" * 400}, "exploitation_months"),  # NumberRange overflowed
        ({"version": "-1"}, "version"),
    ],
)
def test_bad_answers_are_shown_next_to_their_field(
    app, db_session, client, caseworker, changes, field
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_story(client, url, {**STORY, **changes})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body or (field == "version" and "error-summary" in body)
    assert _stories(db_session) == []


def test_persian_digits_in_a_month_are_read(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_story(client, url, {**STORY, "recruited_month": "۲۰۲۴-۰۲"}).status_code == 302
    with app.app_context():
        assert _stories(db_session)[0].recruited_month == "2024-02"


@pytest.mark.parametrize(
    "who", ["colleague", "other_supervisor", Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_outsiders_get_an_audited_403(app, db_session, client, agency, caseworker, who):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = registered_case(writer)
    assert record_story(writer, url, STORY).status_code == 302
    if who == "colleague":
        account = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    elif who == "other_supervisor":
        other = make_organisation(app, db_session, agency=True)
        account = make_account(app, db_session, Role.SUPERVISOR, organisation=other)
    else:
        account = make_account(app, db_session, who)
    sign_in(client, account, db_session)
    token = csrf_token(client, "/account")
    for method, path in (
        ("GET", f"{url}/screening/story"),
        ("GET", f"{url}/screening/story/edit"),
        ("POST", f"{url}/screening/story/edit"),
    ):
        data = {**STORY, "version": "1", "csrf_token": token}
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (who, method, path)
    assert len(_stories(db_session)) == 1


def test_the_supervisor_may_read_and_add_a_version(app, db_session, client, caseworker, supervisor):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = registered_case(writer)
    assert record_story(writer, url, STORY).status_code == 302
    sign_in(client, supervisor, db_session)
    assert client.get(f"{url}/screening/story").status_code == 200
    assert record_story(client, url, {**STORY, "version": "1"}).status_code == 302
    assert len(_stories(db_session)) == 2


def test_posts_without_csrf_are_refused(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert client.post(f"{url}/screening/story/edit", data=STORY).status_code == 400
    assert _stories(db_session) == []


def test_policy_and_its_sql_twin_agree(app, db_session, client, agency, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_story(client, url, STORY).status_code == 302
    case = _case(db_session, url)
    (story,) = _stories(db_session)
    other = make_organisation(app, db_session, agency=True)
    accounts = [
        caseworker,
        make_account(app, db_session, Role.CASEWORKER, organisation=agency),
        make_account(app, db_session, Role.SUPERVISOR, organisation=agency),
        make_account(app, db_session, Role.SUPERVISOR, organisation=other),
        make_account(app, db_session, Role.AUDITOR),
        make_account(app, db_session, Role.ADMINISTRATOR),
        make_account(app, db_session, Role.PROVIDER_STAFF),
    ]
    seen = []
    for account in accounts:
        user = account.user
        actor = Actor(user.id, Role(user.role), user.organisation_id)
        in_sql = db_session.scalar(select(TraffickingStory.id).where(policy.visible_stories(actor)))
        assert policy.can_view_story(actor, story, case) == (in_sql == story.id)
        seen.append(in_sql == story.id)
    assert seen == [True, False, True, False, False, False, False]


class _Person:
    def __init__(self, date_of_birth=None, estimated_birth_year=None):
        self.date_of_birth, self.estimated_birth_year = date_of_birth, estimated_birth_year


@pytest.mark.parametrize(
    ("born", "year", "started", "expected"),
    [
        ("2006-05-15", None, "2024-05", "child"),  # 17 on the first of the month
        ("2006-05-01", None, "2024-05", "adult"),
        ("2006-05-15", None, "2024-06", "adult"),
        ("1994-03-15", None, "2008-01", "child"),
        (None, 2006, "2023-12", "child"),
        (None, 2006, "2024-01", None),  # 17 or 18 that year: cannot tell
        (None, 2006, "2025-01", "adult"),
        (None, None, "2025-01", None),
        ("1994-03-15", None, None, None),
    ],
)
def test_majority_at_the_start_of_exploitation(born, year, started, expected):
    from datetime import date

    person = _Person(date.fromisoformat(born) if born else None, year)
    assert queries.majority_at(person, started) == expected  # type: ignore[arg-type]


def test_skeleton_part_takes_the_story_codes(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert record_screening(client, url, SCREENING).status_code == 302
    assert (
        record_story(client, url, {**STORY, "exploitation_countries": ["RU", "KZ"]}).status_code
        == 302
    )
    case = _case(db_session, url)
    with app.app_context():
        part = queries.skeleton_part(case, db_session)
    assert part["recruiter_relation"] == "friend"
    assert part["exploitation_countries"] == ["KZ", "RU"]
    assert part["exploitation_sectors"] == ["construction"]
    assert part["majority_at_exploitation"] == "adult"  # Farida, born 1994
    # the story was recorded after the screening: its codes are current
    assert part["means_of_control"] == ["debt_bondage", "threats_to_family"]
    assert part["screening_outcome"] == "possible"


def test_every_code_maps_to_a_ctdc_column():
    for enum in (ExploitationType, ExploitationSector, MeansOfControl, RecruiterRelation):
        assert set(CTDC_COLUMNS[enum]) == {m.value for m in enum}, enum


def test_an_emergency_grant_reads_the_story_but_cannot_change_it(
    app, db_session, client, agency, caseworker
):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    writer = app.test_client()
    sign_in(writer, colleague, db_session)
    url = registered_case(writer)
    assert record_story(writer, url, STORY).status_code == 302
    sign_in(client, caseworker, db_session)
    assert client.get(f"{url}/screening/story").status_code == 403
    reason = {"reason": "Person collapsed at the centre; need the history now."}
    from tests.factories import post_form

    assert post_form(client, f"{url}/emergency", reason).status_code == 302
    assert "Friend" in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}/screening/story")
    assert page.status_code == 200 and "Version 1 (in force)" in page.get_data(as_text=True)
    assert client.get(f"{url}/screening/story/edit").status_code == 403
    case = _case(db_session, url)
    (story,) = _stories(db_session)
    user = caseworker.user
    actor = Actor(user.id, Role(user.role), user.organisation_id)
    assert not policy.can_view_story(actor, story, case)
    assert policy.can_view_story(actor, story, case, granted=True)
    twin = policy.visible_stories(actor, case.id)
    assert db_session.scalar(select(TraffickingStory.id).where(twin)) == story.id
    # The auditor sees which grant the story was read under.
    viewed = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "trafficking_story.viewed", AuditEvent.case_id == case.id
        )
    ).all()
    assert viewed and "emergency_grant" in str(viewed[-1].details)
