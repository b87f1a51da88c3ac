"""Password hashing (Argon2id) and the password rules of NIST SP 800-63B.

Rules: 15 to 128 characters of any Unicode, no composition rules; not a common or breached
password (zxcvbn's shipped lists and its guessability estimate); not built on the user's own
name or e-mail address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from core.exceptions import ServiceError

MIN_LENGTH = 15
MAX_LENGTH = 128
#: zxcvbn estimates only the first 72 characters; past that a password is long enough anyway.
ESTIMATE_LENGTH = 72
MIN_SCORE = 3


@cache
def _common() -> frozenset[str]:
    """zxcvbn's list of common passwords, loaded by the first password checked in a process:
    with zxcvbn's other lists it is some 11 MB of heap that a worker serving case pages would
    otherwise keep for nothing (issue 18)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class PasswordRejected(ServiceError):
    """The password breaks a rule; ``message`` tells the user how to fix it."""


@dataclass(frozen=True)
class HashParameters:
    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


def hasher(params: HashParameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
    )


def normalise(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def check_length(password: str) -> None:
    """Reject by length before anything else touches the password (no hashing of huge input)."""
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            _l(
                "Use at least %(n)d characters. A few unrelated words make a good password.",
                n=MIN_LENGTH,
            )
        )


def _personal_tokens(display_name: str, email: str) -> list[str]:
    local = email.split("@", 1)[0].casefold()
    tokens = re.split(r"[\W_]+", f"{display_name} {local}".casefold())
    compact_local = re.sub(r"[\W_]+", "", local)
    found = {t for t in tokens if len(t) >= 3}
    if len(compact_local) >= 3:
        found.add(compact_local)
    return sorted(found, key=len, reverse=True)


#: What must remain of a password once the user's own name and address are taken out.
MIN_REMAINDER = 10


def check_password(password: str, display_name: str = "", email: str = "") -> None:
    """Raise PasswordRejected when the password breaks a rule."""
    check_length(password)
    password = normalise(password)
    folded = password.casefold()
    if folded in _common():
        raise PasswordRejected(_l("This password is on a list of common or leaked passwords."))
    personal = _personal_tokens(display_name, email)
    compact = re.sub(r"[\W_]+", "", folded)
    remainder = compact
    for token in personal:
        remainder = remainder.replace(token, "")
    if remainder != compact and len(remainder) < MIN_REMAINDER:
        raise PasswordRejected(_l("Do not build your password on your name or e-mail address."))
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=personal)
    if result["score"] < MIN_SCORE:
        raise PasswordRejected(
            _l("This password is too easy to guess: avoid repeats, sequences and common phrases.")
        )


def hash_password(password: str, params: HashParameters) -> str:
    check_length(password)
    return hasher(params).hash(normalise(password))


def verify_password(stored_hash: str | None, password: str, params: HashParameters) -> bool:
    """True when the password matches; over-long input is refused without hashing."""
    if stored_hash is None or len(password) > MAX_LENGTH:
        return False
    try:
        return hasher(params).verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, params: HashParameters) -> bool:
    return hasher(params).check_needs_rehash(stored_hash)


#: A hash of nothing in particular, verified against when the user is unknown so that a
#: wrong e-mail takes as long as a wrong password.
def dummy_verify(password: str, params: HashParameters) -> None:
    verify_password(_dummy_hash(params), password[:MAX_LENGTH], params)


_DUMMY: dict[HashParameters, str] = {}


def _dummy_hash(params: HashParameters) -> str:
    if params not in _DUMMY:
        _DUMMY[params] = hasher(params).hash("homeward-timing-equaliser")
    return _DUMMY[params]
