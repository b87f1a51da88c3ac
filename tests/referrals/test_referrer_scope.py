"""A referrer's own lists, counts and tasks stay inside their organisation: a caseworker moved
to another organisation no longer sees or acts on the referrals they sent from the old one."""

from __future__ import annotations

from core.db import get_session
from core.permissions import Role
from core.security import Actor
from referrals.followup import queries
from referrals.followup import tasks as followup_tasks
from referrals.vocabulary import ReferralState
from tests.factories import make_organisation, settings_of


def test_referrals_sent_from_another_organisation_are_not_the_referrers_any_more(
    app, db_session, world, time_travel
):
    overdue = world.referral(app, db_session, respond_hours=1)
    expired = world.referral(app, db_session, state=ReferralState.EXPIRED)
    time_travel(hours=3)
    user = world.caseworker.user
    home = Actor(user.id, Role.CASEWORKER, user.organisation_id)
    elsewhere = Actor(user.id, Role.CASEWORKER, make_organisation(app, db_session).id)
    with app.test_request_context("/"):
        db = get_session()
        settings = settings_of(app)
        # Meaningful: at home the referrer sees and may act on both.
        assert queries.my_referrals_count(home) >= 1
        assert [t.reference for t in followup_tasks.referrer_tasks(db, home, settings)] != []
        page = queries.my_referrals(db, home, queries.MyReferralFilters(), settings.referrals)
        assert {r.id for r in page.rows} >= {overdue.id, expired.id}
        assert queries.may_follow_up(home, expired)

        assert queries.my_referrals_count(elsewhere) == 0
        assert followup_tasks.referrer_tasks(db, elsewhere, settings) == []
        mine = queries.my_referrals(db, elsewhere, queries.MyReferralFilters(), settings.referrals)
        assert mine.rows == []
        assert not queries.may_follow_up(elsewhere, expired)
