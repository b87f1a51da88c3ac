"""Odd input never makes the survey forms fail with 500, render markup or record more than one
survey per respondent; the service refuses what the form would not send."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework.models import Case
from referrals.feedback import services
from referrals.feedback.models import PersonFeedback
from referrals.feedback.vocabulary import Answer, Question, Respondent
from tests.casework.test_consent_screening_fuzz import ODD
from tests.factories import csrf_token
from tests.referrals.feedback.helpers import (
    about_url,
    answers,
    close_case,
    closure_url,
    completed_referral,
    provider_url,
)
from tests.referrals.helpers import case_id_of

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = [
    "respondent",
    "recorded_on",
    "declined",
    "respect",
    "needs_met",
    "easy_to_reach",
    "recommend",
    "overall",
    "comment",
]


def _check(response) -> None:
    assert response.status_code in (200, 303, 400, 403, 409), response.status_code
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<b onmouseover" not in body


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(PersonFeedback))


@pytest.mark.parametrize("field", FIELDS)
def test_the_case_teams_survey_form(db_session, client, case, service, provider_client, field):
    referral = completed_referral(client, provider_client, db_session, case, service)
    url = about_url(referral)
    token = csrf_token(client, url)

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(url, data={**answers(), field: value, "csrf_token": token}))

    check()
    assert _count(db_session) <= 2  # at most one per case-team respondent
    assert client.get(case).status_code == 200


@pytest.mark.parametrize("field", FIELDS[1:])
def test_the_providers_survey_form(db_session, client, case, service, provider_client, field):
    referral = completed_referral(client, provider_client, db_session, case, service)
    url = provider_url(referral)
    token = csrf_token(provider_client, url)

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(provider_client.post(url, data={**answers(), field: value, "csrf_token": token}))

    check()
    assert _count(db_session) <= 1


@pytest.mark.parametrize("field", ["respondent", "overall", "comment"])
def test_the_closure_survey_form(db_session, client, case, field):
    close_case(db_session, case)
    url = closure_url(case)
    token = csrf_token(client, url)

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(url, data={**answers(), field: value, "csrf_token": token}))

    check()
    assert _count(db_session) <= 1


ANSWER = st.one_of(st.none(), st.sampled_from(list(Answer)))


@FUZZ
@given(
    declined=st.booleans(),
    given_answers=st.dictionaries(st.sampled_from(list(Question)), ANSWER),
    overall=st.one_of(st.none(), st.integers(-10, 10)),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    comment=st.one_of(st.none(), st.text(max_size=2100)),
)
def test_the_service_records_or_refuses_cleanly(
    app, db_session, client, case, declined, given_answers, overall, day, comment
):

    with app.app_context():
        row = db_session.get(Case, case_id_of(case))
        actor = _actor_of_case(db_session, row)
        given = services.Answers(day, declined, given_answers, overall, comment)
        try:
            with db_session.begin_nested():
                saved = services.record_feedback(
                    db_session, actor, row, given, respondent=Respondent.CASEWORKER_WITH_PERSON
                )
        except (services.FeedbackError, services.FeedbackRecorded):
            return
        assert saved.overall in (None, 1, 2, 3, 4, 5)
        assert declined or all(given_answers.get(q) is not None for q in Question)
        db_session.rollback()


def _actor_of_case(db, case):
    from auth.models import User
    from core.permissions import Role
    from core.security import Actor

    user = db.get(User, case.assigned_to_id)
    return Actor(user.id, Role(user.role), user.organisation_id)
