"""Second factor: TOTP (RFC 6238: 6 digits, 30 s, one step of drift) and recovery codes."""

from __future__ import annotations

import base64
import hmac
import io
import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import RecoveryCode, User
from core.clock import utcnow
from core.crypto import IntegrityError, SubjectErasedError, decrypt_blob, encrypt_blob

DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
ISSUER = "Homeward"
#: An authenticator secret offered for enrolment travels in the session cookie, which Flask
#: signs but does not encrypt: it is sealed under the account's data key, bound to the account.
OFFER_PURPOSE = "offered_totp_secret"

# Recovery codes carry 50 bits of randomness; a light Argon2 setting is plenty for them.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def seal_offer(db: Session, user: User, secret: str) -> str:
    """``secret`` sealed for the session cookie: only this server opens it, for this account."""
    sealed = encrypt_blob(db, user.id, OFFER_PURPOSE, user.id, secret.encode("ascii"))
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def open_offer(db: Session, user: User, sealed: object) -> str | None:
    """The secret :func:`seal_offer` sealed for ``user``, or None (altered, another account's,
    or its data key gone)."""
    if not isinstance(sealed, str):
        return None
    try:
        raw = decrypt_blob(db, OFFER_PURPOSE, user.id, base64.urlsafe_b64decode(sealed))
        return raw.decode("ascii")
    except (IntegrityError, SubjectErasedError, ValueError):
        return None


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here (no third-party service sees it)."""
    # Loaded on the first enrolment, not with the module: a worker that never shows a QR code
    # does not keep segno in memory (issue 18).
    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out,
        kind="svg",
        scale=5,
        xmldecl=False,
        svgns=True,
        title="QR code",
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode("utf-8")


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // INTERVAL)


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code equals ``code`` within the allowed drift, or None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now_step = current_step(at)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(db: Session, user: User, code: str, at: float | None = None) -> bool:
    """Check a code and consume its step, so the same code (or an older one) cannot replay.

    The step is consumed by a conditional UPDATE, so two requests racing with one code cannot
    both succeed.
    """
    if user.totp_secret is None:
        return False
    step = matching_step(user.totp_secret, code, at)
    if step is None:
        return False
    result = db.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten fresh ones; returns them in clear, once."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_codes.clear()
    user.recovery_codes.extend(RecoveryCode(code_hash=_recovery_hasher.hash(c)) for c in codes)
    return codes


def use_recovery_code(db: Session, user: User, code: str) -> bool:
    """Spend a matching unused recovery code; True when one matched (and was not raced)."""
    code = code.strip().lower().replace(" ", "")
    if len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    if len(code) != 11:
        return False
    for stored in user.recovery_codes:
        if stored.used_at is not None:
            continue
        try:
            if _recovery_hasher.verify(stored.code_hash, code):
                now = utcnow()
                result = db.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    return False
                set_committed_value(stored, "used_at", now)
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def remaining_recovery_codes(user: User) -> int:
    return sum(1 for c in user.recovery_codes if c.used_at is None)
