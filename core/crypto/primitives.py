"""The only module that calls cryptographic primitives (AES-256-GCM, HKDF-SHA256, HMAC-SHA256).

Everything else in Homeward goes through :mod:`core.crypto`'s narrow API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.crypto.errors import IntegrityError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


def random_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """AES-256-GCM with a fresh random 96-bit nonce; returns ``nonce || ciphertext || tag``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes, what: str) -> bytes:
    """Reverse :func:`seal`; raises IntegrityError naming ``what`` when authentication fails."""
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise IntegrityError(f"{what}: ciphertext is truncated")
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, associated_data)
    except InvalidTag as exc:
        raise IntegrityError(
            f"{what}: integrity check failed (value altered, moved to another row or column, "
            "or encrypted under another key)"
        ) from exc


def derive_key(root_key: bytes, info: bytes) -> bytes:
    """HKDF-SHA256: a 256-bit sub-key of ``root_key`` for the purpose named by ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(root_key)


def keyed_hash(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 of ``message`` (32 bytes)."""
    return hmac.new(key, message, hashlib.sha256).digest()


def truncate_bits(digest: bytes, bits: int) -> int:
    """The leading ``bits`` bits of ``digest`` as a non-negative integer."""
    return int.from_bytes(digest[:8], "big") >> (64 - bits)


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compare secrets without leaking where they differ."""
    return hmac.compare_digest(a, b)
