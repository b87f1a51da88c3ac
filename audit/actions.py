"""The audit vocabulary: action names other parts of Homeward record and the auditor pages read.

Names are ``<object>.<past participle>``. Domains may record actions not listed here; these are
the ones the auditor's alerts and pages give a meaning to.
"""

from __future__ import annotations

LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
MFA_FAILED = "mfa.failed"
ACCOUNT_LOCKED = "account.locked"
LOGOUT = "logout"
ACCESS_DENIED = "access.denied"
#: Recorded by casework when someone opens a case outside their scope with a typed reason.
EMERGENCY_ACCESS = "case.emergency_access"
#: Recorded by casework when a duplicate check names another organisation that holds a
#: possible match (organisation ids only), and when such a disclosure is withheld.
DUPLICATE_DISCLOSED = "person.duplicate_disclosed"
DUPLICATE_WITHHELD = "person.duplicate_withheld"

AUDIT_EXPORTED = "audit.exported"
AUDIT_VERIFIED = "audit.verified"
AUDIT_CHECKPOINT_CREATED = "audit.checkpoint_created"
#: ``homeward audit retention run`` dropped whole months of events older than the retention
#: period (PostgreSQL; details: the months, their event counts, the last sequence number removed).
AUDIT_RETENTION_APPLIED = "audit.retention_applied"
AUDIT_CASE_HISTORY_VIEWED = "audit.case_history_viewed"
AUDIT_USER_ACTIVITY_VIEWED = "audit.user_activity_viewed"
#: An auditor read the typed reason of an emergency grant (free text, so the reading is logged).
AUDIT_EMERGENCY_REASON_VIEWED = "audit.emergency_reason_viewed"
#: ``homeward backup create`` took a backup (recorded in the database the backup holds).
BACKUP_STARTED = "backup.started"
#: A restore destroyed again the data key of someone erased after the backup was taken.
ERASURE_REPLAYED = "erasure.replayed"
#: A figures page was shown, or its CSV or XLSX downloaded (details: which report, format,
#: table and filters; never a figure). The CTDC export is ``report.exported``.
REPORT_VIEWED = "report.viewed"
REPORT_DOWNLOADED = "report.downloaded"
REPORT_EXPORTED = "report.exported"

LOGIN_FAILURES = (LOGIN_FAILED, MFA_FAILED)
OUTCOMES = ("ok", "denied", "failed")
