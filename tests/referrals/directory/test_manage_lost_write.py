"""A directory edit that loses to a concurrent save at flush answers 409 with both versions."""

from __future__ import annotations

from audit.models import AuditEvent
from referrals.directory.models import DirectoryOrganization
from tests.casework.test_lost_writes import saved_elsewhere
from tests.factories import csrf_token


def test_edit_lost_at_flush_shows_the_conflict_page(as_admin, db_session, directory):
    url = f"/directory/manage/organizations/{directory.ngo.id}"
    data = {"name": "Haven Berlin", "country": "DE", "version": str(directory.ngo.version)}
    token = csrf_token(as_admin, url)
    with saved_elsewhere(DirectoryOrganization):
        response = as_admin.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else saved this section while you were editing" in body
    assert directory.ngo.name in body and "Haven Berlin" in body
    db_session.expire_all()
    updated = AuditEvent.action == "directory.organization_updated"
    assert db_session.query(AuditEvent).filter(updated).count() == 0
