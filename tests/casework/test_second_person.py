"""The four-eyes rule shared by closure approval and erasure confirmation."""

from __future__ import annotations

import uuid

from casework.policy import second_person
from core.permissions import Permission, Role
from core.security import Actor


def test_only_another_permitted_member_of_the_organisation_decides():
    org, other_org = uuid.uuid4(), uuid.uuid4()
    asker = Actor(uuid.uuid4(), Role.SUPERVISOR, org)
    colleague = Actor(uuid.uuid4(), Role.SUPERVISOR, org)
    outsider = Actor(uuid.uuid4(), Role.SUPERVISOR, other_org)
    caseworker = Actor(uuid.uuid4(), Role.CASEWORKER, org)
    for permission in (Permission.CASE_APPROVE, Permission.PERSON_ERASE):
        assert second_person(colleague, permission, org, asker.user_id)
        assert not second_person(asker, permission, org, asker.user_id)
        assert not second_person(outsider, permission, org, asker.user_id)
        assert not second_person(caseworker, permission, org, asker.user_id)
