"""Recording the person's feedback: about a referral (case team and provider) and at closure;
what the case page shows; one survey per referral and respondent, one per case at closure."""

from __future__ import annotations

from sqlalchemy import func, select

from referrals.feedback.models import PersonFeedback
from tests.referrals.feedback.helpers import (
    COMMENT,
    about_url,
    close_case,
    closure_url,
    completed_referral,
    provider_url,
    record_about,
    record_as_provider,
    record_at_closure,
)
from tests.referrals.helpers import send


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(PersonFeedback))


def test_caseworker_records_feedback_on_a_completed_referral(
    app, db_session, client, case, service, provider_client
):
    referral = completed_referral(client, provider_client, db_session, case, service)
    panel = client.get(case).get_data(as_text=True)
    assert about_url(referral) in panel
    assert client.get(about_url(referral)).status_code == 200
    response = record_about(client, referral)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("#feedback")
    (saved,) = db_session.scalars(select(PersonFeedback)).all()
    assert (saved.occasion, saved.respondent, saved.declined) == (
        "referral",
        "caseworker_with_person",
        False,
    )
    assert (saved.respect, saved.needs_met, saved.easy_to_reach, saved.recommend) == (
        "yes",
        "partly",
        "no",
        "yes",
    )
    assert saved.overall == 4
    with app.app_context():
        assert saved.comment == COMMENT
    assert COMMENT.encode() not in saved.comment_ciphertext  # encrypted
    page = client.get(case).get_data(as_text=True)
    assert COMMENT in page and "Were you treated with respect?" in page


def test_the_person_may_decline_and_that_is_recorded(
    db_session, client, case, service, provider_client
):
    referral = completed_referral(client, provider_client, db_session, case, service)
    response = record_about(
        client,
        referral,
        declined="1",
        respect="",
        needs_met="",
        easy_to_reach="",
        recommend="",
        overall="",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    saved = db_session.scalar(select(PersonFeedback))
    assert saved.declined and saved.respect is None and saved.overall is None
    assert "The person declined to answer" in client.get(case).get_data(as_text=True)


def test_each_question_may_be_declined_on_its_own(
    db_session, client, case, service, provider_client
):
    referral = completed_referral(client, provider_client, db_session, case, service)
    response = record_about(client, referral, respect="declined", overall="declined")
    assert response.status_code == 303
    saved = db_session.scalar(select(PersonFeedback))
    assert saved.respect == "declined" and saved.overall is None and not saved.declined


def test_an_unanswered_question_is_refused_with_a_message(
    db_session, client, case, service, provider_client
):
    referral = completed_referral(client, provider_client, db_session, case, service)
    response = record_about(client, referral, needs_met="")
    assert response.status_code == 400
    assert "Choose an answer" in response.get_data(as_text=True)
    assert _count(db_session) == 0


def test_a_date_in_the_future_is_refused(db_session, client, case, service, provider_client):
    referral = completed_referral(client, provider_client, db_session, case, service)
    response = record_about(client, referral, recorded_on="2099-01-01")
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)


def test_one_survey_per_referral_and_respondent(db_session, client, case, service, provider_client):
    referral = completed_referral(client, provider_client, db_session, case, service)
    assert record_about(client, referral).status_code == 303
    again = record_about(client, referral)
    assert again.status_code == 303 and again.headers["Location"].endswith(about_url(referral))
    assert _count(db_session) == 1
    other = record_about(client, referral, respondent="person_via_caseworker")
    assert other.status_code == 303
    assert _count(db_session) == 2
    page = client.get(about_url(referral)).get_data(as_text=True)
    assert "feedback on this referral is recorded." in page


def test_no_feedback_before_the_provider_accepted(db_session, client, case, service):
    referral = send(client, db_session, case, service)
    page = client.get(about_url(referral))
    assert page.status_code == 200
    assert "once the provider has accepted" in page.get_data(as_text=True)
    assert record_about(client, referral).status_code == 409
    assert _count(db_session) == 0


def test_provider_records_its_own_survey(db_session, client, case, service, provider_client):
    referral = completed_referral(client, provider_client, db_session, case, service)
    view = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert provider_url(referral) in view
    response = record_as_provider(provider_client, referral, overall="5")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    saved = db_session.scalar(select(PersonFeedback))
    assert saved.respondent == "provider" and saved.overall == 5
    assert COMMENT in provider_client.get(provider_url(referral)).get_data(as_text=True)
    # A second submit records nothing more.
    assert record_as_provider(provider_client, referral).status_code == 303
    assert _count(db_session) == 1
    # The case team sees the provider's survey too.
    assert "The provider" in client.get(case).get_data(as_text=True)


def test_the_provider_does_not_see_what_the_person_told_the_case_team(
    db_session, client, case, service, provider_client
):
    referral = completed_referral(client, provider_client, db_session, case, service)
    assert record_about(client, referral).status_code == 303
    page = provider_client.get(provider_url(referral)).get_data(as_text=True)
    assert COMMENT not in page
    assert "Ask the person about your service" in page


def test_survey_at_closure_is_offered_once_the_case_is_closed(db_session, client, case):
    assert "The survey at closure is offered once the case is closed" in client.get(
        closure_url(case)
    ).get_data(as_text=True)
    assert record_at_closure(client, case).status_code == 409
    close_case(db_session, case)
    assert closure_url(case) in client.get(case).get_data(as_text=True)
    response = record_at_closure(client, case, respondent="person_via_caseworker")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    saved = db_session.scalar(select(PersonFeedback))
    assert (saved.occasion, saved.referral_id) == ("closure", None)
    page = client.get(closure_url(case)).get_data(as_text=True)
    assert "Did the support meet your needs?" in page and COMMENT in page
    assert record_at_closure(client, case).status_code == 409  # one per case
    assert _count(db_session) == 1
