"""Per-provider figures, hand-computed for a known set; scope, period, CLI, no decryption."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.clock import utcnow
from core.permissions import Role
from referrals import figures
from referrals.vocabulary import ReferralState
from tests.factories import make_account, make_organisation, sign_in
from tests.referrals.followup_factories import make_case, make_service

S = ReferralState


@pytest.fixture
def known_set(app, db_session, world):
    """Eight referrals to the provider in the last 10 days, one 40 days ago, one to another
    provider, and one from another agency."""
    base = utcnow() - timedelta(days=10)
    for state, hours in [
        (S.ACCEPTED, 2),
        (S.COMPLETED, 4),
        (S.NOT_COMPLETED, 10),
        (S.DECLINED, 6),
        (S.EXPIRED, None),
        (S.CANCELLED, 8),  # cancelled after acceptance
        (S.CANCELLED, None),  # cancelled before any answer
        (S.SENT, None),
    ]:
        world.referral(app, db_session, state=state, sent_at=base, answered_after_hours=hours)
    world.referral(
        app, db_session, state=S.DECLINED, sent_at=base - timedelta(days=30), answered_after_hours=1
    )
    other_service = make_service(app, db_session, world.other_provider)
    world.referral(
        app,
        db_session,
        state=S.COMPLETED,
        sent_at=base,
        answered_after_hours=1,
        service=other_service,
        provider_id=world.other_provider.id,
    )
    agency = make_organisation(app, db_session, agency=True)
    worker = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    world.referral(
        app,
        db_session,
        case=make_case(app, db_session, agency.id, worker.user.id),
        referrer_id=worker.user.id,
        state=S.DECLINED,
        sent_at=base,
        answered_after_hours=100,
    )
    return world


def _by_name(table):
    return {f.name: f for f in table}


def test_figures_are_computed_as_by_hand(app, db_session, known_set, monkeypatch):
    import core.crypto.fields

    def refuse(*_a, **_k):
        raise AssertionError("figures must not decrypt anything")

    monkeypatch.setattr(core.crypto.fields, "decrypt_bytes", refuse)
    start = utcnow().date() - timedelta(days=20)
    period = figures.Period(start, utcnow().date())
    with app.app_context():
        table = figures.provider_figures(
            db_session, period, referring_organisation_id=known_set.agency.id
        )
    rows = _by_name(table)
    assert set(rows) == {known_set.provider.name, known_set.other_provider.name}
    p = rows[known_set.provider.name]
    assert p.total == 8
    assert p.counts == {
        "sent": 1,
        "accepted": 1,
        "declined": 1,
        "expired": 1,
        "completed": 1,
        "not_completed": 1,
        "cancelled": 2,
    }
    # accepted: accepted, completed, not completed, cancelled after acceptance = 4 of 6 decided
    assert p.acceptance_rate == pytest.approx(4 / 6)
    # answers after 2, 4, 10, 6 and 8 hours
    assert p.median_hours_to_answer == pytest.approx(6.0)
    assert p.completion_rate == pytest.approx(1 / 2)
    q = rows[known_set.other_provider.name]
    assert (q.total, q.acceptance_rate, q.completion_rate) == (1, 1.0, 1.0)


def test_the_period_and_the_scope_change_what_is_counted(app, db_session, known_set):
    with app.app_context():
        everything = _by_name(figures.provider_figures(db_session, figures.Period()))
        ours_all_time = _by_name(
            figures.provider_figures(
                db_session, figures.Period(), referring_organisation_id=known_set.agency.id
            )
        )
        old_only = _by_name(
            figures.provider_figures(
                db_session,
                figures.Period(None, utcnow().date() - timedelta(days=20)),
                referring_organisation_id=known_set.agency.id,
            )
        )
    assert everything[known_set.provider.name].total == 10  # 8 + 1 old + 1 other agency
    assert ours_all_time[known_set.provider.name].total == 9
    assert old_only[known_set.provider.name].counts["declined"] == 1
    assert old_only[known_set.provider.name].total == 1


def test_empty_figures_have_no_rates():
    f = figures.ProviderFigures(organisation_id=None, name="x")  # type: ignore[arg-type]
    assert (f.acceptance_rate, f.median_hours_to_answer, f.completion_rate) == (None,) * 3
    assert figures.percent(None) == "–" and figures.percent(0.5) == "50%"


def test_the_figures_page_shows_the_supervisors_organisation_and_is_audited(
    app, client, db_session, known_set, audit_events
):
    sign_in(client, known_set.supervisor, db_session)
    start = (utcnow().date() - timedelta(days=20)).isoformat()
    page = client.get(f"/referrals/figures?date_from={start}").get_data(as_text=True)
    assert known_set.provider.name in page and known_set.other_provider.name in page
    assert "67%" in page and "6.0" in page and "50%" in page
    (event,) = audit_events("referral_figures.viewed")
    assert event.details_dict == {
        "providers": 2,
        "referrals": 9,
        "scope": "organisation",
        "by_service": False,
    }


def test_an_administrator_sees_every_organisations_referrals(
    app, client, db_session, known_set, audit_events
):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    assert client.get("/referrals/figures").status_code == 200
    (event,) = audit_events("referral_figures.viewed")
    assert event.details_dict == {
        "providers": 2,
        "referrals": 11,
        "scope": "all",
        "by_service": False,
    }


def test_a_period_ending_before_it_starts_is_refused_next_to_the_field(
    app, client, db_session, known_set
):
    sign_in(client, known_set.supervisor, db_session)
    response = client.get("/referrals/figures?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 400
    assert "The end of the period comes before its start." in response.get_data(as_text=True)
    assert client.get("/referrals/figures?date_from=not-a-date").status_code == 400
    far = client.get("/referrals/figures?date_to=9999-12-31")
    assert far.status_code == 400
    assert "between the years 2000 and 2100" in far.get_data(as_text=True)
    with app.app_context():
        assert figures.provider_figures(db_session, figures.Period(None, date.max)) != []


def test_the_cli_prints_the_same_table(app, db_session, known_set, audit_events):
    start = (utcnow().date() - timedelta(days=20)).isoformat()
    result = app.test_cli_runner().invoke(args=["referrals", "figures", "--from", start])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:3] == ["provider", "total", "sent"]
    row = next(line for line in lines if line.startswith(known_set.provider.name + "\t"))
    assert row.split("\t")[1:] == [
        "9",
        "1",
        "1",
        "2",
        "1",
        "1",
        "1",
        "2",
        "57%",
        "7.0",
        "50%",
    ]  # median of 2, 4, 6, 8, 10, 100
    (event,) = audit_events("referral_figures.viewed")
    assert event.details_dict["source"] == "cli" and event.actor_user_id is None


def test_figures_per_service_split_a_providers_row(app, client, db_session, known_set):
    second = make_service(app, db_session, known_set.provider)
    known_set.referral(app, db_session, service=second, state=S.COMPLETED, answered_after_hours=3)
    with app.app_context():
        table = figures.provider_figures(
            db_session,
            figures.Period(),
            referring_organisation_id=known_set.agency.id,
            by_service=True,
        )
    rows = {(f.name, f.service): f for f in table}
    assert rows[(known_set.provider.name, known_set.service.name)].total == 9
    one = rows[(known_set.provider.name, second.name)]
    assert (one.total, one.acceptance_rate, one.median_hours_to_answer) == (1, 1.0, 3.0)
    sign_in(client, known_set.supervisor, db_session)
    page = client.get("/referrals/figures?by_service=1").get_data(as_text=True)
    assert second.name in page and known_set.service.name in page
    result = app.test_cli_runner().invoke(args=["referrals", "figures", "--by-service"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("provider\tservice\ttotal\t")
    assert any(f"\t{second.name}\t1\t" in line for line in result.output.splitlines())
