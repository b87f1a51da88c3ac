"""Erasure keeps exactly the declared statistical skeleton and clears everything else.

A case with screening, consent (with its scope of sharing), a monitoring visit and an accepted
referral is erased; afterwards every value still stored in a table tied to the person is
NULL, shredded ciphertext, an id, a cleared value (empty, zero, false), a time cut to its
month, or one of the few codes ``casework.erasure.KEPT_AFTER_ERASURE`` names with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import LargeBinary, select

from casework.erasure import KEPT_AFTER_ERASURE, erase_person, person_conditions
from casework.models import Case
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton
from core.clock import utcnow
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.db import Base
from core.migrate import import_all_models
from tests.casework.helpers import SCREENING, record_screening
from tests.casework.monitoring.test_monitoring import EXPECTED, VISIT
from tests.casework.screening.story_helpers import STORY, record_story
from tests.factories import post_form
from tests.referrals.helpers import case_id_of, provider_post, send


def _tied_tables() -> set[str]:
    """Tables with a foreign-key path to person or casefile (found here independently)."""
    import_all_models()
    tied = {"person", "casefile"}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name not in tied and any(
                fk.column.table.name in tied for fk in table.foreign_keys
            ):
                tied.add(table.name)
                changed = True
    return tied


def test_the_skeleton_declares_exactly_its_columns():
    columns = set(CaseSkeleton.__table__.c.keys()) - {"id"}
    assert columns == set(SKELETON_FIELDS)
    assert not any(
        fk.column.table.name in _tied_tables() for fk in CaseSkeleton.__table__.foreign_keys
    )


def _cleared(table, column, value) -> bool:
    if value is None or value in ("", 0, False):
        return True
    if column.primary_key or column.foreign_keys or column.name == "version":
        return True
    if f"{table.name}.{column.name}" in KEPT_AFTER_ERASURE:
        return True
    if isinstance(column.type, LargeBinary):
        return isinstance(value, bytes | memoryview)
    if isinstance(value, datetime):
        return (value.day, value.hour, value.minute, value.second, value.microsecond) == (
            1,
            0,
            0,
            0,
            0,
        )
    if isinstance(value, date):
        return value.day == 1
    return False


def test_erasure_keeps_the_skeleton_and_clears_the_rest(
    app, db_session, client, case, service, provider_client
):
    assert record_screening(client, case, SCREENING).status_code == 302
    assert record_story(client, case, STORY).status_code == 302
    assert post_form(client, f"{case}/monitoring/new", VISIT).status_code == 302
    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    record = db_session.get(Case, case_id_of(case))
    person_id, opened = record.person_id, record.opened_at
    record.province_pcode = "AF30"  # issue 17: places (the province of a chosen place)
    record.referral_source = "ngo"  # issue 17: sources (the kind of referral source)
    with app.app_context():
        erase_person(db_session, None, record.person, "the person asked for it")
    db_session.commit()
    db_session.expunge_all()

    skeleton = db_session.scalar(select(CaseSkeleton))
    month = f"{opened.year:04d}-{opened.month:02d}"
    visit_day = date.fromisoformat(VISIT["visited_on"])
    quarter = f"{visit_day.year}-Q{(visit_day.month - 1) // 3 + 1}"
    assert {
        name: getattr(skeleton, name) for name in SKELETON_FIELDS if name != "organisation_id"
    } == {
        "case_type": "presumed_victim",
        "sex": "female",
        "age_band": "30-38",
        "child": False,
        "nationality": "AF",
        "vulnerability_codes": ["single_parent", "trafficking_victim"],
        "screening_outcome": "possible",
        # the story was recorded after the screening: its codes are the current ones
        "exploitation_types": ["forced_labour"],
        "means_of_control": ["debt_bondage", "threats_to_family"],
        "registered_month": month,
        "screened_month": "2026-10",
        "consent_month": month,
        "plan_approved_month": None,
        "first_referral_month": month,
        "closed_month": None,
        "closure_reason": None,
        "referrals": [["health", "accepted"]],
        "monitoring_scores": {quarter: EXPECTED},
        "province": "AF30",
        "recruiter_relation": "friend",
        "exploitation_countries": ["RU"],
        "exploitation_sectors": ["construction"],
        "majority_at_exploitation": "adult",
        "referral_source": "ngo",
        # issue 16: durations and counts (all recorded on the day of registration; the
        # screening's date lies before it, which counts 0 days)
        "returned_month": None,
        "days_to_screening": 0,
        "days_to_consent": 0,
        "days_to_plan": None,
        "days_to_first_referral": 0,
        "reflection_periods": 0,
        "reflection_days": 0,
        "reopenings": 0,
        "transfers": 0,
        "monitoring_started_month": None,
        "visits_done": 1,
        "erased_month": f"{utcnow().year:04d}-{utcnow().month:02d}",
    }

    conditions = person_conditions(person_id)
    assert _tied_tables() <= set(conditions)  # erasure reaches every table tied to a person
    left: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in conditions:
            continue
        for row in db_session.execute(select(table).where(conditions[table.name])).all():
            for column in table.c:
                value = row._mapping[column]
                if not _cleared(table, column, value):
                    left.append(f"{table.name}.{column.name}={value!r}")
    assert left == []
    # What the attack found kept: the consent's scope and the referral's shared field codes.
    for name in ("legal_basis_organisation", "legal_basis_service_type", "referral_shared_field"):
        table = Base.metadata.tables[name]
        assert db_session.execute(select(table).where(conditions[name])).all() == [], name


def test_the_export_holds_rows_tied_to_the_person_only_through_a_case(
    app, db_session, client, case, service, provider_client
):
    """Rows with no key of their own (a referral's events and shared field codes, the scope of
    a consent) are the person's data too: the subject-access export includes them."""
    from casework.subject_rights.export import linked_models, person_records

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    record = db_session.get(Case, case_id_of(case))
    tables = {m.__tablename__ for m in linked_models()}
    assert {"referral_event", "referral_shared_field", "reflection_period"} <= tables
    records = person_records(db_session, record.person, record.organisation_id)
    assert sorted(r["code"] for r in records["referral_shared_field"]) == ["name_latin", "phone"]
    assert sorted(r["to_state"] for r in records["referral_event"]) == ["accepted", "sent"]
    assert [r["code"] for r in records["legal_basis_service_type"]] == ["health"]
    assert len(records["legal_basis_organisation"]) == 1
    # Another organisation asking gets none of this case's rows.
    elsewhere = person_records(db_session, record.person, uuid.uuid4())
    assert elsewhere["referral_event"] == [] and elsewhere["legal_basis_organisation"] == []
