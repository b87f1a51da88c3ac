"""Who may administer accounts and organisations."""

from __future__ import annotations

from auth.models import Organisation, User
from core.permissions import Permission
from core.security import Actor, deny


def authorize_manage_user(actor: Actor, user: User) -> None:
    """Administrators manage every account of the deployment; nobody else manages any."""
    if not actor.can(Permission.USER_MANAGE):
        deny(Permission.USER_MANAGE, "role", object_type="user", object_id=user.id)


def authorize_manage_organisation(actor: Actor, org: Organisation) -> None:
    if not actor.can(Permission.ORGANISATION_MANAGE):
        deny(Permission.ORGANISATION_MANAGE, "role", object_type="organisation", object_id=org.id)
