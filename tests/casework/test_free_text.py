"""Free text tied to a person is encrypted under their key: shredded by erasure, in the
subject-access export, and (for the emergency reason) readable by auditors, the reading logged.

The metadata test walks every table with a foreign-key path to a person or a case and fails on
any plain text column that is neither encrypted nor on the allow-list below, with a reason.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import JSON, String, select, text

from audit.models import AuditEvent
from casework.models import Case, CaseTransfer, EmergencyAccess
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton
from casework.subject_rights.export import person_records
from core.crypto import SubjectErasedError
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.db import Base
from core.migrate import import_all_models
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, make_organisation, post_form, sign_in

CODE = "code of a closed vocabulary (no free text)"
STATE = "workflow state or decision code"
REFERENCE = "reference number: issued by Homeward, no personal data"
SKELETON = "statistical skeleton: coded, coarse, nothing finer than a month (casework.skeleton)"

#: Plain text columns on tables tied to a person, and why each may stay plain.
ALLOWED_PLAIN: dict[str, str] = {
    "casefile.case_number": REFERENCE,
    "casefile.case_type": CODE,
    "casefile.stage": STATE,
    "casefile.risk_level": CODE,
    "case_vulnerability.code": CODE,
    "case_attachment.content_type": "type detected from the content (a MIME type), not the name",
    "case_closure.reason": CODE,
    "case_closure.status": STATE,
    "case_transfer.status": STATE,
    "erasure_request.reason": CODE,
    "erasure_request.status": STATE,
    "legal_basis.basis": CODE,
    "legal_basis.given_by": CODE,
    "legal_basis.child_assent": CODE,
    "legal_basis.method": CODE,
    "legal_basis_service_type.code": CODE,
    "monitoring_visit.visit_type": CODE,
    "needs_assessment.economic_risk_level": CODE,
    "needs_assessment.social_risk_level": CODE,
    "needs_assessment.psychosocial_risk_level": CODE,
    "needs_assessment.overall_risk_level": CODE,
    "person_correction.field_name": "name of the corrected field (a code), never its value",
    "reintegration_plan.status": STATE,
    "plan_action.dimension": CODE,
    "plan_action.status": STATE,
    "plan_review.decision": STATE,
    "screening.outcome": CODE,
    # issue 17: assistance
    "assistance_disbursement.kind": CODE,
    "assistance_disbursement.currency": CODE,
    "assistance_disbursement.status": STATE,
    "assistance_disbursement.delivered_month": "month of delivery: no finer than the skeleton",
    "screening.deciding_organisation_type": CODE,
    "referral.reference": REFERENCE,
    "referral.urgency": CODE,
    "referral.other_basis": CODE,
    "referral.state": STATE,
    "referral.provider_country": "ISO country code of the provider (an organisation)",
    "referral_event.from_state": STATE,
    "referral_event.to_state": STATE,
    "referral_event.reason_code": CODE,
    "referral_shared_field.code": "code of a shared field, never its value",
    # issue 17: feedback
    "person_feedback.occasion": CODE,
    "person_feedback.respondent": CODE,
    "person_feedback.respect": CODE,
    "person_feedback.needs_met": CODE,
    "person_feedback.easy_to_reach": CODE,
    "person_feedback.recommend": CODE,
    # issue 17: places
    "casefile.province_pcode": "P-code of a province (a public reference list), for figures",
    # issue 17: safety
    "case_flag.kind": CODE,
    # issue 17: households
    "household_member.role": "relationship code (head, spouse, child...); the words are encrypted",
    # issue 17: sources
    "casefile.referral_source": "code of the list referral_source; the name is encrypted",
}
# The skeleton is plain text by design: its declared text fields, each with that reason.
ALLOWED_PLAIN |= {
    f"case_skeleton.{name}": SKELETON
    for name in SKELETON_FIELDS
    if isinstance(CaseSkeleton.__table__.c[name].type, String | JSON)
    and not CaseSkeleton.__table__.c[name].foreign_keys
}
# issue 16: the skeleton's detail rows (codes, coded referrals, scores, plan actions) hold only
# codes and months, as its columns do.
ALLOWED_PLAIN |= {
    f"{table}.{column}": SKELETON
    for table, columns in {
        "case_skeleton_code": ("field", "code"),
        "case_skeleton_referral": ("service_type", "state", "decline_reason", "sent_month"),
        "case_skeleton_score": ("period", "dimension"),
        "case_skeleton_action": ("dimension", "due_month"),
    }.items()
    for column in (*columns, "registered_month")  # the skeleton's month, copied (SkeletonCopies)
}


def _tied_to_a_person() -> list:
    """Tables with a foreign-key path to person or casefile, and the skeleton."""
    import_all_models()
    tied = {"person", "casefile", "case_skeleton"}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in tied:
                continue
            if any(fk.column.table.name in tied for fk in table.foreign_keys):
                tied.add(table.name)
                changed = True
    return [t for t in Base.metadata.sorted_tables if t.name in tied]


def test_every_plain_text_column_tied_to_a_person_is_encrypted_or_allow_listed():
    tables = _tied_to_a_person()
    columns = {f"{t.name}.{c.name}": c for t in tables for c in t.c}
    plain_text = {
        name
        for name, column in columns.items()
        if isinstance(column.type, String | JSON) and not column.foreign_keys
    }
    unexplained = sorted(plain_text - set(ALLOWED_PLAIN))
    assert unexplained == [], (
        f"plain text tied to a person, encrypt it or allow-list it: {unexplained}"
    )
    # Every allow-listed column is still plain text (no stale entries), each with a reason.
    assert sorted(set(ALLOWED_PLAIN) - plain_text) == []
    assert all(len(reason) > 10 for reason in ALLOWED_PLAIN.values())
    # The three free texts the attack found are ciphertext columns now.
    for name in (
        "emergency_access.reason",
        "case_transfer.decline_reason",
        "referral.referrer_contact",
    ):
        assert columns[name].type.__class__.__name__ == "LargeBinary", name


REASON = "Person collapsed at the centre; Farida's sister says she needs her records."


def _grant(app, db_session, client, caseworker, agency):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    writer = app.test_client()
    sign_in(writer, colleague, db_session)
    url = case_url(register(writer, FARIDA))
    sign_in(client, caseworker, db_session)
    page = client.get(f"{url}/emergency").get_data(as_text=True)
    assert "without names or other personal details" in page and "Auditors read this" in page
    assert post_form(client, f"{url}/emergency", {"reason": REASON}).status_code == 302
    db_session.expire_all()
    return url, db_session.scalar(select(EmergencyAccess))


def _decline_transfer(app, db_session, url, supervisor):
    receiving = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    offered = post_form(
        sender, f"{url}/transfer", {"organisation": str(receiving.id)}, token_from=url
    )
    assert offered.status_code == 302
    client = app.test_client()
    sign_in(client, receiver, db_session)
    caseload = client.get("/cases/").get_data(as_text=True)
    action = re.search(r'action="(/cases/transfers/[^"]+/decline)"', caseload).group(1)
    reason = {"reason": "Farida Nazari has family near our other office."}
    assert post_form(client, action, reason, token_from="/cases/").status_code == 302


def _raw(db_session, table, column, row_id):
    return db_session.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"),
        {"id": row_id.hex if db_session.get_bind().dialect.name == "sqlite" else row_id},
    ).scalar_one()


def test_emergency_and_transfer_texts_are_ciphertext_exported_and_shredded(
    app, db_session, client, caseworker, supervisor, agency
):
    from casework.erasure import erase_person

    url, grant = _grant(app, db_session, client, caseworker, agency)
    case = db_session.scalar(select(Case).where(Case.id == grant.case_id))
    _decline_transfer(app, db_session, url, supervisor)
    db_session.expire_all()
    transfer = db_session.scalar(select(CaseTransfer))
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    assert grant.reason == REASON and transfer.decline_reason.startswith("Farida Nazari")
    for table, column, row in (
        ("emergency_access", "reason", grant),
        ("case_transfer", "decline_reason", transfer),
    ):
        stored = bytes(_raw(db_session, table, column, row.id))
        assert b"Farida" not in stored and stored[:1] == b"\x01", table

    exported = person_records(db_session, case.person)
    assert [r["reason"] for r in exported["emergency_access"]] == [REASON]
    assert next(r["decline_reason"] for r in exported["case_transfer"]).startswith("Farida")

    grant_id, transfer_id = grant.id, transfer.id
    with app.app_context():
        erase_person(db_session, None, case.person, "the person asked for it")
    db_session.commit()
    db_session.expunge_all()
    grant = db_session.get(EmergencyAccess, grant_id)
    transfer = db_session.get(CaseTransfer, transfer_id)
    with pytest.raises(SubjectErasedError):
        _ = grant.reason
    with pytest.raises(SubjectErasedError):
        _ = transfer.decline_reason


def test_auditors_read_the_emergency_reason_and_the_reading_is_audited(
    app, db_session, client, caseworker, agency
):
    _url, grant = _grant(app, db_session, client, caseworker, agency)
    auditor = app.test_client()
    account = make_account(app, db_session, Role.AUDITOR)
    sign_in(auditor, account, db_session)
    alerts = auditor.get("/audit/alerts").get_data(as_text=True)
    link = f"/audit/emergency/{grant.id}"
    assert link in alerts and "Read the reason" in alerts
    page = auditor.get(link)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Person collapsed at the centre" in body
    # The reason only: none of the case's other personal data is on the page.
    assert "Nazari" not in body and "فریده" not in body and "1990" not in body
    case = db_session.get(Case, grant.case_id)
    assert case.case_number in body
    viewed = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "audit.emergency_reason_viewed")
    )
    assert viewed is not None and viewed.actor_user_id == account.user.id
    assert viewed.object_id == str(grant.id) and viewed.case_id == grant.case_id
    assert "collapsed" not in (viewed.details or "")
    # Only auditors: the caseworker who got the grant may not read the log's copy.
    assert client.get(link).status_code == 403
    import uuid

    assert auditor.get(f"/audit/emergency/{uuid.uuid4()}").status_code == 404


def test_emergency_access_to_an_erased_persons_case_is_refused_not_a_500(
    app, db_session, client, caseworker, agency, monkeypatch
):
    """The reason is encrypted under the person's key, which erasure destroyed: the grant
    must be refused with a message, not fail on encryption."""
    from casework.erasure import erase_person

    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    writer = app.test_client()
    sign_in(writer, colleague, db_session)
    url = case_url(register(writer, FARIDA))
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.scalar(select(Case))
    with app.app_context():
        erase_person(db_session, None, case.person, "the person asked for it")
    db_session.commit()
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    sign_in(client, caseworker, db_session)
    response = post_form(client, f"{url}/emergency", {"reason": REASON})
    assert response.status_code == 200 and "erased" in response.get_data(as_text=True)
    assert db_session.scalar(select(EmergencyAccess)) is None
