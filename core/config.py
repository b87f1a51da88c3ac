"""Configuration read from ``HOMEWARD_``-prefixed environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from core.exceptions import HomewardError
from core.rate_limits import parses as rate_limit_parses
from core.setting_bounds import BOUNDS
from core.settings_sections import (
    AuditSettings,
    AuthSettings,
    CaseworkSettings,
    MailSettings,
    OutboxSettings,
    ReferralSettings,
    ReportSettings,
)

PREFIX = "HOMEWARD_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

#: Values that a development checkout may use but production must never accept.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105


class ConfigError(HomewardError, RuntimeError):
    """The configuration cannot be used; the message is one line, fit for an operator."""


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every setting Homeward reads; each has an environment variable ``HOMEWARD_<NAME>``.

    Frozen: read once at start-up and validated. Services receive the section they need
    (:attr:`auth`, :attr:`casework`, :attr:`referrals`, :attr:`audit`, :attr:`mail`,
    :attr:`outbox`) as an
    argument; routes and commands get the settings from :func:`current_settings`.
    """

    ENV: str = "development"
    DATABASE_URL: str = f"sqlite:///{INSTANCE_DIR / 'homeward.db'}"
    #: Optional read replica (a PostgreSQL streaming standby): the figures, the audit workspace
    #: and searches' candidate lookups read there (core.db.get_read_session); "" reads the primary.
    REPLICA_URL: str = ""
    SECRET_KEY: str = ""
    KEY_FILE: str = str(INSTANCE_DIR / "keys.json")
    SMTP_URL: str = ""
    MAIL_FROM: str = "homeward@localhost"
    BASE_URL: str = "http://127.0.0.1:5000"
    RATELIMIT_STORAGE_URL: str = "memory://"
    LOGIN_RATE_LIMIT: str = "20 per minute"
    #: Per-process sign-in limit while Redis is unreachable (stricter: each worker counts alone).
    LOGIN_FALLBACK_RATE_LIMIT: str = "5 per minute"
    #: ``json`` (one object a line: request id, user id, route, status, duration) or ``text``.
    LOG_FORMAT: str = "text"
    #: Bearer token that opens ``/metrics``; empty: the endpoint answers 404.
    METRICS_TOKEN: str = ""
    PROXY_FIX_HOPS: int = 0
    LOCKOUT_THRESHOLD: int = 6
    LOCKOUT_MINUTES: int = 30
    SESSION_IDLE_MINUTES: int = 30
    SESSION_ABSOLUTE_HOURS: int = 12
    MFA_REQUIRED_FOR_ALL: bool = True
    INVITATION_HOURS: int = 72
    PASSWORD_RESET_MINUTES: int = 30
    PASSWORD_HASH_TIME_COST: int = 3
    PASSWORD_HASH_MEMORY_KIB: int = 65536
    PASSWORD_HASH_PARALLELISM: int = 4
    MAX_UPLOAD_MB: int = 20
    #: Largest case attachment; its sealed bytes are stored in the database (case_attachment).
    ATTACHMENT_MAX_MB: int = 10
    DEFAULT_LOCALE: str = "en"
    #: The time zone of an organisation (and so of its users) that chose none; a zoneinfo name.
    DEFAULT_TIMEZONE: str = "UTC"
    #: Calendars by locale (``fa_AF=solar_hijri,...``); default Solar Hijri for fa_AF and ps.
    CALENDARS: str = "fa_AF=solar_hijri,ps=solar_hijri"
    AUDIT_RETENTION_YEARS: int = 10
    EMERGENCY_ACCESS_MINUTES: int = 60
    #: Emergency access to another organisation's case (read-only); off: within one's own only.
    EMERGENCY_ACCESS_ACROSS_ORGANISATIONS: bool = False
    AUDIT_ALERT_CASES_PER_HOUR: int = 20
    AUDIT_ALERT_LOGIN_FAILURES: int = 5
    AUDIT_ALERT_DENIALS_PER_HOUR: int = 10
    #: ``homeward audit verify`` warns when the newest signed checkpoint is older than this.
    AUDIT_CHECKPOINT_MAX_AGE_MINUTES: int = 60
    #: Duplicate checks that name another organisation, per user and window; then withheld.
    DUPLICATE_DISCLOSURE_LIMIT: int = 10
    DUPLICATE_DISCLOSURE_WINDOW_HOURS: int = 24
    REFLECTION_PERIOD_DAYS: int = 30
    REFERRAL_RESPOND_HOURS_ROUTINE: int = 120
    REFERRAL_RESPOND_HOURS_URGENT: int = 48
    REFERRAL_RESPOND_HOURS_EMERGENCY: int = 24
    #: ``homeward retention run`` erases people whose cases were all closed longer ago.
    RETENTION_YEARS: int = 5
    #: The task list's "due soon" window; later deadlines show under "Later".
    TASK_HORIZON_DAYS: int = 14
    #: Rows each group of the task list and of Today shows at once; the rest a link away.
    TASK_PAGE_SIZE: int = 25
    #: Days after the last monitoring visit (or the start of implementation) the next is due.
    VISIT_INTERVAL_DAYS: int = 90
    #: Days after a case is opened by which its reintegration plan should be approved.
    PLAN_DUE_DAYS: int = 30
    #: Days a referral may stay overdue before it is escalated to the referrer's supervisor.
    REFERRAL_ESCALATION_DAYS: int = 3
    #: Append-only file of erasures (person and data key ids), kept outside the database beside
    #: the audit checkpoints; ``homeward backup restore`` replays it. Empty: no journal.
    ERASURE_JOURNAL: str = ""
    #: Attempts at one e-mail before ``homeward outbox send`` gives it up (a dead letter).
    OUTBOX_MAX_ATTEMPTS: int = 8
    #: Wait after the first failed attempt; each further failure doubles it.
    OUTBOX_BACKOFF_SECONDS: int = 60
    #: The longest wait between two attempts.
    OUTBOX_BACKOFF_MAX_MINUTES: int = 360
    #: How long a sender holds a claimed e-mail; another sender may take it over afterwards.
    OUTBOX_LEASE_SECONDS: int = 300
    #: How often the sender service looks for e-mail to send.
    OUTBOX_POLL_SECONDS: int = 5
    #: Assistance: the currency (ISO 4217) the package rules are in, and the others allowed.
    ASSISTANCE_CURRENCY: str = "USD"
    ASSISTANCE_OTHER_CURRENCIES: str = "AFN,EUR"
    #: Package rules in whole units of ASSISTANCE_CURRENCY (0: none): most per person and per
    #: household, and the amount above which a second person approves (0: every one waits).
    ASSISTANCE_MAX_PER_PERSON: int = 2000
    ASSISTANCE_MAX_PER_HOUSEHOLD: int = 5000
    ASSISTANCE_APPROVAL_THRESHOLD: int = 500
    #: Published figures: a cell counting fewer people than this shows as "<5" (reports).
    SMALL_CELL_THRESHOLD: int = 5
    #: Anonymised exports: each quasi-identifier combination occurs this often (k; CTDC: 11).
    EXPORT_MIN_GROUP: int = 11
    #: Figures: the share of cases whose composite sustainability score (0..1) is at or above
    #: this many hundredths (65: the "stable" band of casework.monitoring.bands).
    SUSTAINABILITY_THRESHOLD: int = 65
    SQL_ECHO: bool = False
    #: Seconds a user's navigation badge counts are kept in a process (core.navcounts); 0: off.
    NAV_COUNT_CACHE_SECONDS: int = 30
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from the environment, then apply keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(PREFIX + f.name)
            if raw is None:
                continue
            default = getattr(cls, f.name)
            try:
                if isinstance(default, bool):
                    values[f.name] = _as_bool(raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise ConfigError(f"{PREFIX}{f.name} must be a whole number, got {raw!r}") from exc
        values.update(overrides)
        return cls(**values)

    @property
    def auth(self) -> AuthSettings:
        return AuthSettings(
            lockout_threshold=self.LOCKOUT_THRESHOLD,
            lockout=timedelta(minutes=self.LOCKOUT_MINUTES),
            session_idle=timedelta(minutes=self.SESSION_IDLE_MINUTES),
            session_absolute=timedelta(hours=self.SESSION_ABSOLUTE_HOURS),
            mfa_required_for_all=self.MFA_REQUIRED_FOR_ALL,
            invitation_lifetime=timedelta(hours=self.INVITATION_HOURS),
            password_reset_lifetime=timedelta(minutes=self.PASSWORD_RESET_MINUTES),
            hash_time_cost=self.PASSWORD_HASH_TIME_COST,
            hash_memory_kib=self.PASSWORD_HASH_MEMORY_KIB,
            hash_parallelism=self.PASSWORD_HASH_PARALLELISM,
            base_url=self.BASE_URL,
            login_rate_limit=self.LOGIN_RATE_LIMIT,
        )

    @property
    def casework(self) -> CaseworkSettings:
        currencies = _currencies(self.ASSISTANCE_CURRENCY, self.ASSISTANCE_OTHER_CURRENCIES)
        return CaseworkSettings(
            reflection_period_days=self.REFLECTION_PERIOD_DAYS,
            retention_years=self.RETENTION_YEARS,
            task_horizon_days=self.TASK_HORIZON_DAYS,
            task_page_size=self.TASK_PAGE_SIZE,
            visit_interval_days=self.VISIT_INTERVAL_DAYS,
            plan_due_days=self.PLAN_DUE_DAYS,
            emergency_access_minutes=self.EMERGENCY_ACCESS_MINUTES,
            emergency_access_across_organisations=self.EMERGENCY_ACCESS_ACROSS_ORGANISATIONS,
            duplicate_disclosure_limit=self.DUPLICATE_DISCLOSURE_LIMIT,
            duplicate_disclosure_window_hours=self.DUPLICATE_DISCLOSURE_WINDOW_HOURS,
            attachment_max_bytes=self.ATTACHMENT_MAX_MB * 1024 * 1024,
            assistance_currency=self.ASSISTANCE_CURRENCY,
            assistance_currencies=currencies,
            assistance_max_per_person=self.ASSISTANCE_MAX_PER_PERSON,
            assistance_max_per_household=self.ASSISTANCE_MAX_PER_HOUSEHOLD,
            assistance_approval_threshold=self.ASSISTANCE_APPROVAL_THRESHOLD,
        )

    @property
    def referrals(self) -> ReferralSettings:
        return ReferralSettings(
            respond_hours_routine=self.REFERRAL_RESPOND_HOURS_ROUTINE,
            respond_hours_urgent=self.REFERRAL_RESPOND_HOURS_URGENT,
            respond_hours_emergency=self.REFERRAL_RESPOND_HOURS_EMERGENCY,
            escalation_days=self.REFERRAL_ESCALATION_DAYS,
            base_url=self.BASE_URL,
            default_locale=self.DEFAULT_LOCALE,
        )

    @property
    def reports(self) -> ReportSettings:
        return ReportSettings(
            self.SMALL_CELL_THRESHOLD,
            self.EXPORT_MIN_GROUP,
            sustainability_threshold=self.SUSTAINABILITY_THRESHOLD / 100,
        )

    @property
    def audit(self) -> AuditSettings:
        return AuditSettings(
            retention_years=self.AUDIT_RETENTION_YEARS,
            checkpoint_max_age_minutes=self.AUDIT_CHECKPOINT_MAX_AGE_MINUTES,
            alert_cases_per_hour=self.AUDIT_ALERT_CASES_PER_HOUR,
            alert_login_failures=self.AUDIT_ALERT_LOGIN_FAILURES,
            alert_denials_per_hour=self.AUDIT_ALERT_DENIALS_PER_HOUR,
            alert_duplicate_disclosures=self.DUPLICATE_DISCLOSURE_LIMIT,
        )

    @property
    def mail(self) -> MailSettings:
        return MailSettings(
            smtp_url=self.SMTP_URL, mail_from=self.MAIL_FROM, production=self.is_production
        )

    @property
    def outbox(self) -> OutboxSettings:
        return OutboxSettings(
            max_attempts=self.OUTBOX_MAX_ATTEMPTS,
            backoff=timedelta(seconds=self.OUTBOX_BACKOFF_SECONDS),
            backoff_max=timedelta(minutes=self.OUTBOX_BACKOFF_MAX_MINUTES),
            lease=timedelta(seconds=self.OUTBOX_LEASE_SECONDS),
            poll_seconds=self.OUTBOX_POLL_SECONDS,
            default_locale=self.DEFAULT_LOCALE,
        )

    @property
    def is_production(self) -> bool:
        return self.ENV == "production"

    @property
    def is_development(self) -> bool:
        return self.ENV == "development"

    def validate(self) -> None:
        """Refuse settings that would be unsafe; raises ConfigError with a one-line reason."""
        if self.ENV not in {"development", "test", "production"}:
            raise ConfigError(
                f"{PREFIX}ENV must be development, test or production, not {self.ENV!r}"
            )
        self._check_bounds()
        self._check_locale_settings()
        self._check_currencies()
        if self.LOG_FORMAT not in {"json", "text"}:
            raise ConfigError(f"{PREFIX}LOG_FORMAT must be json or text, not {self.LOG_FORMAT!r}")
        if self.METRICS_TOKEN and len(self.METRICS_TOKEN) < 24:
            raise ConfigError(f"{PREFIX}METRICS_TOKEN must be at least 24 characters long")
        for name in ("LOGIN_RATE_LIMIT", "LOGIN_FALLBACK_RATE_LIMIT"):
            if not rate_limit_parses(getattr(self, name)):  # else Flask-Limiter lets all through
                raise ConfigError(f"{PREFIX}{name} must read like '20 per minute'")
        if self.is_production:
            self._check_production()

    def _check_bounds(self) -> None:
        """Every bounded number within its declared range (:data:`BOUNDS`)."""
        if self.REFLECTION_PERIOD_DAYS < 30:
            raise ConfigError(
                f"{PREFIX}REFLECTION_PERIOD_DAYS must be at least 30 (Council of Europe "
                f"Convention, Art. 13), got {self.REFLECTION_PERIOD_DAYS}"
            )
        for name in ("ROUTINE", "URGENT", "EMERGENCY"):
            hours = getattr(self, f"REFERRAL_RESPOND_HOURS_{name}")
            if not 1 <= hours <= 24 * 90:
                raise ConfigError(
                    f"{PREFIX}REFERRAL_RESPOND_HOURS_{name} must be between 1 and 2160 hours, "
                    f"got {hours}"
                )
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ConfigError(f"{PREFIX}{name} must be between {low} and {high}, got {value}")

    def _check_currencies(self) -> None:
        """Assistance currencies are ISO 4217 codes Babel knows (issue 17)."""
        from babel.numbers import list_currencies

        known = list_currencies()
        for code in _currencies(self.ASSISTANCE_CURRENCY, self.ASSISTANCE_OTHER_CURRENCIES):
            if code not in known:
                raise ConfigError(
                    f"{PREFIX}ASSISTANCE_CURRENCY and ASSISTANCE_OTHER_CURRENCIES must be ISO 4217 "
                    f"codes such as AFN, USD or EUR, got {code!r}"
                )

    def _check_locale_settings(self) -> None:
        """A time zone zoneinfo knows, and calendars written as locale=calendar."""
        from core.i18n.calendars import parse_calendars
        from core.i18n.dates import is_time_zone

        if not is_time_zone(self.DEFAULT_TIMEZONE):
            raise ConfigError(
                f"{PREFIX}DEFAULT_TIMEZONE must be a time zone name such as Asia/Kabul or UTC, "
                f"got {self.DEFAULT_TIMEZONE!r}"
            )
        try:
            parse_calendars(self.CALENDARS)
        except ValueError as exc:
            raise ConfigError(f"{PREFIX}CALENDARS: {exc}") from exc

    def _check_production(self) -> None:
        """What production refuses: missing or weak secrets, plain http, per-process limits."""
        if not self.SECRET_KEY:
            raise ConfigError(f"refusing to start in production: {PREFIX}SECRET_KEY is not set")
        if self.SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(self.SECRET_KEY) < 32:
            raise ConfigError(
                f"refusing to start in production: {PREFIX}SECRET_KEY is a development default "
                "or shorter than 32 characters"
            )
        if self.BASE_URL.startswith("http://") and "127.0.0.1" not in self.BASE_URL:
            raise ConfigError(f"refusing to start in production: {PREFIX}BASE_URL must use https")
        storage = self.RATELIMIT_STORAGE_URL.strip().lower()
        if not storage or storage.startswith("memory:"):
            raise ConfigError(
                f"refusing to start in production: {PREFIX}RATELIMIT_STORAGE_URL is memory://, "
                "which each worker counts on its own; use redis://"
            )

    def to_flask(self) -> dict[str, Any]:
        """The Flask config mapping: Flask's and its extensions' keys, ``extra``, and the
        settings themselves under ``HOMEWARD_SETTINGS`` (read them there, through
        :func:`current_settings`; the domain settings are not copied as loose config keys)."""
        mapping: dict[str, Any] = dict(self.extra)
        mapping.update(
            SECRET_KEY=self.SECRET_KEY or DEVELOPMENT_SECRET_KEY,
            MAX_CONTENT_LENGTH=self.MAX_UPLOAD_MB * 1024 * 1024,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=not (self.is_development or self.ENV == "test"),
            SESSION_COOKIE_NAME="homeward_session",
            WTF_CSRF_TIME_LIMIT=None,
            TESTING=self.ENV == "test",
            BABEL_DEFAULT_LOCALE=self.DEFAULT_LOCALE,
            BABEL_DEFAULT_TIMEZONE=self.DEFAULT_TIMEZONE,
            BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
            RATELIMIT_STORAGE_URI=self.RATELIMIT_STORAGE_URL,
            RATELIMIT_HEADERS_ENABLED=False,
            HOMEWARD_SETTINGS=self,
        )
        return mapping


def app_settings(app: Any) -> Settings:
    """The settings of ``app`` (a Flask app): for ``init_app`` functions, outside a request."""
    return cast(Settings, app.config["HOMEWARD_SETTINGS"])


def current_settings() -> Settings:
    """The running application's settings: the one way routes, blueprint and CLI commands,
    ``init_app`` and core plumbing read them; they pass the section a service needs."""
    from flask import current_app

    return app_settings(current_app)


def _currencies(default: str, others: str) -> tuple[str, ...]:
    """The default currency first, then the others named (comma-separated), without repeats."""
    codes = [default, *others.split(",")]
    return tuple(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
