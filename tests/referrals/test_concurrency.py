"""Twenty provider staff answering one referral at once leave exactly one answer."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from auth import admin
from casework.consent.services import LegalBasisDetails, record_legal_basis
from casework.consent.vocabulary import ConsentMethod, GivenBy, LegalBasis, ServiceType
from casework.models import Case, Person
from core import migrate
from core.app import create_app
from core.clock import utcnow
from core.db import Database
from core.permissions import Role
from core.security import Actor
from referrals import sending, services
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import ReferralState, Urgency
from tests import databases
from tests.conftest import make_settings
from tests.factories import settings_of
from tests.referrals.helpers import make_service

pytestmark = pytest.mark.postgres_only
ATTEMPTS = 20


@pytest.fixture
def scratch_app(backend, key_file, tmp_path):
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    url = databases.fresh_database(backend, tmp_path, "refrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def _setup(app) -> tuple[uuid.UUID, list[Actor]]:
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        agency = admin.create_organisation(
            db,
            None,
            name="Agency",
            code="AGR",
            country="XK",
            is_case_agency=True,
            is_provider=False,
        )
        clinic = admin.create_organisation(
            db,
            None,
            name="Clinic",
            code="CLR",
            country="AL",
            is_case_agency=False,
            is_provider=True,
        )
        worker = admin.create_user(
            db,
            None,
            email="w@example.org",
            display_name="W",
            organisation=agency,
            role=Role.CASEWORKER,
        )
        staff = [
            admin.create_user(
                db,
                None,
                email=f"p{i}@example.org",
                display_name=f"P{i}",
                organisation=clinic,
                role=Role.PROVIDER_STAFF,
            )
            for i in range(ATTEMPTS)
        ]
        db.flush()
        person = Person(id=uuid.uuid4(), organisation_id=agency.id)
        person.name_original = "Test Person"
        case = Case(
            id=uuid.uuid4(),
            person_id=person.id,
            organisation_id=agency.id,
            case_number="AGR-2026-000001",
            case_type="returnee",
            assigned_to_id=worker.id,
        )
        db.add_all([person, case])
        db.flush()
        actor = Actor(worker.id, Role.CASEWORKER, agency.id)
        basis = record_legal_basis(
            db,
            actor,
            case,
            LegalBasisDetails(
                basis=LegalBasis.CONSENT,
                purpose="Clinic",
                given_by=GivenBy.PERSON,
                method=ConsentMethod.WRITTEN,
                given_on=utcnow().date(),
                organisation_ids=[clinic.id],
                service_types=[ServiceType.HEALTH],
            ),
        )
        service = make_service(db, organisation_id=clinic.id)
        referral = sending.send_referral(
            db,
            actor,
            case,
            service,
            sending.ReferralDetails(
                urgency=Urgency.URGENT,
                reason="Check",
                legal_basis_id=basis.id,
                fields=["name_original"],
            ),
            settings_of(app).referrals,
        )
        return referral.id, [Actor(u.id, Role.PROVIDER_STAFF, clinic.id) for u in staff]


def test_twenty_parallel_answers_leave_exactly_one(scratch_app):
    referral_id, actors = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    start = threading.Barrier(ATTEMPTS)
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            start.wait(timeout=60)  # all at once (the pool lets 15 connect; the rest queue)
            with scratch_app.test_request_context("/"), database.session_scope() as db:
                referral = db.get(Referral, referral_id)
                try:
                    if i % 2:
                        services.accept(db, actors[i], referral)
                        won.append("accepted")
                    else:
                        services.decline(db, actors[i], referral, "Full", "no_capacity")
                        won.append("declined")
                except services.ReferralConflict:
                    lost.append(str(i))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and len(lost) == ATTEMPTS - 1
    with scratch_app.app_context(), database.session_scope() as db:
        referral = db.get(Referral, referral_id)
        assert referral.state == won[0]
        answers = db.scalar(
            select(func.count())
            .select_from(ReferralEvent)
            .where(
                ReferralEvent.referral_id == referral_id,
                ReferralEvent.from_state == ReferralState.SENT.value,
            )
        )
        assert answers == 1
