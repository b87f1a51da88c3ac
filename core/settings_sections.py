"""The per-domain sections of :class:`core.config.Settings` that services receive: each holds
only what its domain reads, typed and frozen (``settings.auth``, ``settings.referrals``...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast


@dataclass(frozen=True)
class AuthSettings:
    """What signing in, sessions and accounts need (``Settings.auth``)."""

    lockout_threshold: int
    lockout: timedelta
    session_idle: timedelta
    session_absolute: timedelta
    mfa_required_for_all: bool
    invitation_lifetime: timedelta
    password_reset_lifetime: timedelta
    hash_time_cost: int
    hash_memory_kib: int
    hash_parallelism: int
    base_url: str
    login_rate_limit: str


@dataclass(frozen=True)
class CaseworkSettings:
    """What casework needs (``Settings.casework``)."""

    reflection_period_days: int
    retention_years: int
    task_horizon_days: int
    #: Rows a group of the task list or of Today shows a page (the most urgent first).
    task_page_size: int
    visit_interval_days: int
    plan_due_days: int
    emergency_access_minutes: int
    emergency_access_across_organisations: bool
    duplicate_disclosure_limit: int
    duplicate_disclosure_window_hours: int
    attachment_max_bytes: int
    #: Assistance delivered: amounts in whole units of ``assistance_currency`` (0: no limit).
    assistance_currency: str
    assistance_currencies: tuple[str, ...]
    assistance_max_per_person: int
    assistance_max_per_household: int
    assistance_approval_threshold: int


@dataclass(frozen=True)
class ReferralSettings:
    """What referrals need (``Settings.referrals``)."""

    respond_hours_routine: int
    respond_hours_urgent: int
    respond_hours_emergency: int
    escalation_days: int
    base_url: str
    default_locale: str

    def respond_hours(self, urgency: str) -> int:
        """Hours a provider has to answer a referral of this urgency (its value or name)."""
        return cast(int, getattr(self, f"respond_hours_{str(urgency).lower()}"))


@dataclass(frozen=True)
class AuditSettings:
    """What the audit log's pages, alerts and checks need (``Settings.audit``)."""

    retention_years: int
    checkpoint_max_age_minutes: int
    alert_cases_per_hour: int
    alert_login_failures: int
    alert_denials_per_hour: int
    alert_duplicate_disclosures: int


@dataclass(frozen=True)
class MailSettings:
    """Where e-mail goes (``Settings.mail``); production refuses to drop mail silently."""

    smtp_url: str
    mail_from: str
    production: bool


@dataclass(frozen=True)
class OutboxSettings:
    """How ``homeward outbox send`` retries (``Settings.outbox``)."""

    max_attempts: int
    backoff: timedelta
    backoff_max: timedelta
    lease: timedelta
    poll_seconds: int
    default_locale: str

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: doubling, capped."""
        step = min(max(attempts - 1, 0), 30)
        return min(self.backoff * (2**step), self.backoff_max)


@dataclass(frozen=True)
class ReportSettings:
    """What published figures and exports need (``Settings.reports``)."""

    #: Published cells under this many people show as "<threshold" (reports.suppression).
    small_cell_threshold: int
    #: Every combination of quasi-identifiers in an exported row occurs at least this often.
    export_min_group: int
    #: Figures count the cases whose composite sustainability score (0..1) is at or above this.
    sustainability_threshold: float = 0.65
