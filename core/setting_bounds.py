"""The declared range of each bounded number setting (read by :mod:`core.config`)."""

from __future__ import annotations

#: The declared range of each bounded number setting (inclusive): start-up refuses others.
BOUNDS: dict[str, tuple[int, int]] = {
    "REFLECTION_PERIOD_DAYS": (30, 365),
    "RETENTION_YEARS": (1, 100),
    "AUDIT_RETENTION_YEARS": (1, 100),
    "TASK_HORIZON_DAYS": (1, 365),
    "TASK_PAGE_SIZE": (5, 500),
    "VISIT_INTERVAL_DAYS": (1, 730),
    "PLAN_DUE_DAYS": (1, 365),
    "REFERRAL_ESCALATION_DAYS": (0, 90),
    "AUDIT_CHECKPOINT_MAX_AGE_MINUTES": (1, 7 * 24 * 60),
    "DUPLICATE_DISCLOSURE_LIMIT": (1, 1000),
    "DUPLICATE_DISCLOSURE_WINDOW_HOURS": (1, 24 * 31),
    "OUTBOX_MAX_ATTEMPTS": (1, 50),
    "OUTBOX_BACKOFF_SECONDS": (1, 3600),
    "OUTBOX_BACKOFF_MAX_MINUTES": (1, 24 * 60),
    "OUTBOX_LEASE_SECONDS": (30, 3600),
    "OUTBOX_POLL_SECONDS": (1, 300),
    "ASSISTANCE_MAX_PER_PERSON": (0, 10**9),
    "ASSISTANCE_MAX_PER_HOUSEHOLD": (0, 10**9),
    "ASSISTANCE_APPROVAL_THRESHOLD": (0, 10**9),
    "SMALL_CELL_THRESHOLD": (3, 100),
    "EXPORT_MIN_GROUP": (11, 1000),
    "SUSTAINABILITY_THRESHOLD": (1, 100),
    "NAV_COUNT_CACHE_SECONDS": (0, 300),
}
