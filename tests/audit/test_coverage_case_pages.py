"""Every page of a case that shows the person's or the case's data records a view of that case.

The pages are enumerated from the application's URL map, so a new page under
``/cases/<case_id>/...`` is covered the day it is added: it either records a view for its case
or is named in :data:`NO_CASE_DATA` with the reason it shows none.
"""

from __future__ import annotations

import re
import uuid

from flask import url_for
from sqlalchemy import select

from audit.models import AuditEvent
from casework.assistance.models import Disbursement
from casework.attachments.models import CaseAttachment
from casework.closure.models import CaseClosure
from casework.consent.models import LegalBasisRecord
from casework.planning.models import Assessment, Plan, PlanAction
from casework.subject_rights.models import ErasureRequest
from core.permissions import ROLE_PERMISSIONS, Role
from referrals.directory.models import Service
from tests.casework.helpers import (
    CONSENT,
    FARIDA,
    PDF_BYTES,
    SCREENING,
    case_url,
    record_consent,
    record_screening,
    register,
    upload,
)
from tests.casework.planning_helpers import add_action, record_assessment, start_plan, submit
from tests.factories import make_account, make_organisation, post_form, sign_in
from tests.referrals.helpers import make_service

#: GET pages of a case that show nothing of the person or the case, and why.
NO_CASE_DATA = {
    "casework.emergency_access": (
        "asks an outsider for a reason before anything of the case is shown; the grant it "
        "makes is audited as case.emergency_access"
    ),
    "audit.case_history": "the auditor's page of the log itself (ids and actions), audited as such",
}

#: Reads of a case's data recorded under their own name rather than ``<object>.viewed``.
READS = {"attachment.downloaded", "person.exported"}

#: Where to find an object of the case a page is about, by URL argument name.
ID_SOURCES = {
    "assessment_id": lambda case_id: select(Assessment.id).where(Assessment.case_id == case_id),
    "attachment_id": lambda case_id: select(CaseAttachment.id).where(
        CaseAttachment.case_id == case_id
    ),
    "closure_id": lambda case_id: select(CaseClosure.id).where(CaseClosure.case_id == case_id),
    "basis_id": lambda case_id: select(LegalBasisRecord.id).where(
        LegalBasisRecord.case_id == case_id
    ),
    "request_id": lambda case_id: select(ErasureRequest.id).where(
        ErasureRequest.case_id == case_id
    ),
    "service_id": lambda case_id: select(Service.id).order_by(Service.name),
    # issue 17: assistance
    "disbursement_id": lambda case_id: select(Disbursement.id).where(
        Disbursement.case_id == case_id
    ),
    "action_id": lambda case_id: (
        select(PlanAction.id)
        .join(Plan, Plan.id == PlanAction.plan_id)
        .where(Plan.case_id == case_id)
    ),
}


def _a_case_with_everything(app, db_session):
    """A case with consent, screening, a file, an assessment, a submitted plan with an action,
    a pending closure and a pending erasure request; its address and the clients of the people
    who work it."""
    agency = make_organisation(app, db_session, agency=True)
    provider = make_organisation(app, db_session, agency=False, provider=True)
    make_service(db_session, organisation_id=provider.id)
    worker = app.test_client()
    worker_account = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    sign_in(worker, worker_account, db_session)
    url = case_url(register(worker, FARIDA))
    assert record_consent(worker, url, CONSENT).status_code == 302
    assert record_screening(worker, url, SCREENING).status_code == 302
    assert upload(worker, url, PDF_BYTES, "scan.pdf").status_code == 302
    assert record_assessment(worker, url).status_code == 302
    assert start_plan(worker, url).status_code == 302
    assert add_action(worker, url).status_code == 302
    assert submit(worker, url).status_code == 302
    closure = {"reason": "support_period_ended", "summary": "Twelve months of support."}
    grant = {  # issue 17: assistance, above the threshold so it waits for a supervisor
        "kind": "business_grant",
        "amount": "900",
        "currency": "USD",
        "delivered_on": "2026-11-01",
        "delivered_by": str(worker_account.user.id),
    }
    assert post_form(worker, f"{url}/assistance/new", grant).status_code == 302
    assert post_form(worker, f"{url}/closure/request", closure).status_code == 302
    requester, deciders = app.test_client(), app.test_client()
    sign_in(requester, make_account(app, db_session, Role.SUPERVISOR, organisation=agency))
    sign_in(deciders, make_account(app, db_session, Role.SUPERVISOR, organisation=agency))
    erasure = {"reason": "person_request"}
    assert post_form(requester, f"{url}/person-data/erasure", erasure).status_code == 302
    return url, {Role.CASEWORKER: worker, Role.SUPERVISOR: deciders}


def _pages(app, db_session, case_id: uuid.UUID) -> list[tuple[str, str]]:
    pages = []
    for rule in app.url_map.iter_rules():
        if "case_id" not in rule.arguments or "GET" not in (rule.methods or ()):
            continue
        values: dict[str, uuid.UUID] = {"case_id": case_id}
        for name in rule.arguments - {"case_id"}:
            source = ID_SOURCES[name]  # a new kind of id: say here where to find one
            values[name] = db_session.scalar(source(case_id).limit(1))
        with app.test_request_context("/"):
            pages.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return sorted(pages)


def _who_may(app, endpoint: str) -> Role:
    needed = getattr(app.view_functions[endpoint], "_homeward_permission", None)
    return Role.CASEWORKER if needed in ROLE_PERMISSIONS[Role.CASEWORKER] else Role.SUPERVISOR


def test_every_page_of_a_case_records_a_view_of_it(app, db_session):
    url, clients = _a_case_with_everything(app, db_session)
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    pages = _pages(app, db_session, case_id)
    assert len(pages) > 20
    unaudited = []
    for endpoint, path in pages:
        if endpoint in NO_CASE_DATA:
            continue
        before = db_session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        response = clients[_who_may(app, endpoint)].get(path)
        assert response.status_code == 200, (path, response.status_code)
        seen = db_session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.seq > before,
                AuditEvent.case_id == case_id,
                AuditEvent.outcome == "ok",
            )
        ).all()
        if not any(action.endswith(".viewed") or action in READS for action in seen):
            unaudited.append(endpoint)
    assert unaudited == [], f"pages showing case data without recording a view: {unaudited}"


def test_the_allow_list_names_only_pages_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(NO_CASE_DATA) <= endpoints
    assert not re.search(r"\d", "".join(NO_CASE_DATA))
