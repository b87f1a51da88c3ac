"""Roles and permissions: a ``resource:action`` StrEnum and the role-to-permission table.

Object rules (own organisation, assigned case, referral addressed to my organisation) are not
here: each domain's ``policy.py`` adds them on top of these role permissions.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    PROVIDER_STAFF = "provider_staff"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    #: National-level statistics staff: the aggregated figures of every organisation and
    #: nothing else (no case, no person). Created by administrators.
    ANALYST = "analyst"


class Permission(StrEnum):
    CASE_VIEW = "case:view"
    CASE_CREATE = "case:create"
    CASE_EDIT = "case:edit"
    CASE_ASSIGN = "case:assign"
    CASE_APPROVE = "case:approve"
    CASE_EMERGENCY_ACCESS = "case:emergency_access"
    PERSON_SEARCH = "person:search"
    #: Subject access export and the erasure request and confirmation (supervisors).
    PERSON_EXPORT = "person:export"
    PERSON_ERASE = "person:erase"
    #: The own task list and dashboard.
    TASK_VIEW = "task:view"
    REFERRAL_SEND = "referral:send"
    REFERRAL_RESPOND = "referral:respond"
    DIRECTORY_VIEW = "directory:view"
    DIRECTORY_MANAGE = "directory:manage"
    #: Per-provider referral figures (acceptance rate, time to answer, completion rate).
    REFERRAL_REPORT = "referral:report"
    #: The figures dashboard of the own organisation (reports.indicators), with downloads.
    REPORT_TEAM = "report:team"
    #: The national figures dashboard (every organisation, aggregated) and the anonymised
    #: CTDC export.
    REPORT_NATIONAL = "report:national"
    AUDIT_VIEW = "audit:view"
    AUDIT_EXPORT = "audit:export"
    USER_MANAGE = "user:manage"
    ORGANISATION_MANAGE = "organisation:manage"
    SETTINGS_MANAGE = "settings:manage"
    ACCOUNT_SELF = "account:self"


_CASE_TEAM = {
    Permission.CASE_VIEW,
    Permission.CASE_CREATE,
    Permission.CASE_EDIT,
    Permission.CASE_EMERGENCY_ACCESS,
    Permission.PERSON_SEARCH,
    Permission.REFERRAL_SEND,
    Permission.DIRECTORY_VIEW,
    Permission.TASK_VIEW,
    Permission.ACCOUNT_SELF,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset(_CASE_TEAM),
    Role.SUPERVISOR: frozenset(
        _CASE_TEAM
        | {
            Permission.CASE_ASSIGN,
            Permission.CASE_APPROVE,
            Permission.PERSON_EXPORT,
            Permission.PERSON_ERASE,
            Permission.REFERRAL_REPORT,
            Permission.REPORT_TEAM,
        }
    ),
    Role.PROVIDER_STAFF: frozenset(
        {
            Permission.REFERRAL_RESPOND,
            Permission.DIRECTORY_VIEW,
            Permission.TASK_VIEW,
            Permission.ACCOUNT_SELF,
        }
    ),
    Role.AUDITOR: frozenset(
        {Permission.AUDIT_VIEW, Permission.AUDIT_EXPORT, Permission.ACCOUNT_SELF}
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.USER_MANAGE,
            Permission.ORGANISATION_MANAGE,
            Permission.SETTINGS_MANAGE,
            Permission.DIRECTORY_VIEW,
            Permission.DIRECTORY_MANAGE,
            Permission.REFERRAL_REPORT,
            Permission.ACCOUNT_SELF,
        }
    ),
    Role.ANALYST: frozenset({Permission.REPORT_NATIONAL, Permission.ACCOUNT_SELF}),
}

#: Roles whose second factor cannot be switched off by a setting.
MFA_ALWAYS_REQUIRED = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR, Role.ANALYST})


def role_has(role: Role | str, permission: Permission) -> bool:
    """True when the role grants the permission; unknown roles grant nothing."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
