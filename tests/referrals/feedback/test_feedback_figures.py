"""The person's feedback on the provider figures page: averages and shares per provider and
service kind, hand-computed; fewer than five answers show "<5"; scope; nothing decrypted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.models import Case
from core.clock import utcnow
from referrals.directory.models import ServiceTypeTerm
from referrals.feedback import queries, services
from referrals.feedback.vocabulary import Answer, Question, Respondent
from referrals.figures import Period
from referrals.vocabulary import ReferralState
from tests.factories import sign_in
from tests.referrals.followup_factories import make_service

A = Answer


def _survey(app, db, world, referral, overall=None, respect=A.YES, declined=False, who=None):
    given = services.Answers(
        recorded_on=utcnow().date(),
        declined=declined,
        answers=None
        if declined
        else {q: respect if q is Question.RESPECT else A.PARTLY for q in Question},
        overall=overall,
    )
    actor = (who or world.caseworker).actor
    with app.app_context():
        services.record_feedback(
            db,
            actor,
            db.get(Case, world.case.id),
            given,
            respondent=Respondent.CASEWORKER_WITH_PERSON,
            referral=referral,
        )
        db.commit()


@pytest.fixture
def surveyed(app, db_session, world):
    """Six surveys of the provider's health-and-legal service (one declined), two of another
    provider's service: too few for an average."""
    db_session.add_all(
        [ServiceTypeTerm(service_id=world.service.id, code=c) for c in ("health", "legal")]
    )
    db_session.commit()
    sent = utcnow() - timedelta(days=3)
    for score, respect in [(5, A.YES), (4, A.YES), (4, A.NO), (3, A.YES), (5, A.YES)]:
        r = world.referral(
            app, db_session, state=ReferralState.COMPLETED, sent_at=sent, answered_after_hours=1
        )
        _survey(app, db_session, world, r, overall=score, respect=respect)
    r = world.referral(
        app, db_session, state=ReferralState.ACCEPTED, sent_at=sent, answered_after_hours=1
    )
    _survey(app, db_session, world, r, declined=True)
    other = make_service(app, db_session, world.other_provider)
    for score in (1, 2):
        r = world.referral(
            app,
            db_session,
            state=ReferralState.COMPLETED,
            sent_at=sent,
            answered_after_hours=1,
            service=other,
            provider_id=world.other_provider.id,
        )
        _survey(app, db_session, world, r, overall=score)
    return world


def test_feedback_figures_are_computed_as_by_hand(app, db_session, surveyed, monkeypatch):
    import core.crypto.fields

    def refuse(*_a, **_k):
        raise AssertionError("figures must not decrypt anything")

    monkeypatch.setattr(core.crypto.fields, "decrypt_bytes", refuse)
    with app.app_context():
        table = queries.feedback_figures(db_session, Period(), surveyed.agency.id)
    rows = {(f.name, f.kind): f for f in table}
    assert set(rows) == {
        (surveyed.provider.name, "health"),
        (surveyed.provider.name, "legal"),
        (surveyed.other_provider.name, None),
    }
    for kind in ("health", "legal"):
        f = rows[(surveyed.provider.name, kind)]
        assert (f.surveys, f.declined) == (6, 1)
        assert f.overall.value == pytest.approx(21 / 5) and f.overall.shown == pytest.approx(4.2)
        assert f.yes_share(Question.RESPECT).shown == pytest.approx(4 / 5)
        assert f.yes_share(Question.NEEDS_MET).shown == 0.0  # all "partly"
    small = rows[(surveyed.other_provider.name, None)]
    assert small.overall.small and small.overall.shown is None


def test_scope_and_period(app, db_session, surveyed):
    with app.app_context():
        elsewhere = queries.feedback_figures(db_session, Period(), surveyed.other_provider.id)
        old = queries.feedback_figures(
            db_session, Period(None, utcnow().date() - timedelta(days=10)), surveyed.agency.id
        )
    assert elsewhere == [] and old == []


def test_the_figures_page_shows_averages_and_hides_small_counts(app, db_session, client, surveyed):
    sign_in(client, surveyed.supervisor, db_session)
    page = client.get("/referrals/figures").get_data(as_text=True)
    assert "feedback per provider and service kind" in page
    assert "4.2" in page and "80%" in page
    assert "&lt;5" in page
    assert "fewer than 5 answers is not shown" in page
