"""Password rules and hashing (NIST SP 800-63B)."""

from __future__ import annotations

import pytest

from auth import passwords
from auth.passwords import HashParameters, PasswordRejected

FAST = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)


@pytest.mark.parametrize(
    "password",
    [
        "x" * 64 + " unrelated words here",
        "Пароль для работы в поле сегодня",
        "كلمة مرور طويلة جدا للعمل الميداني",
        "correct horse battery staple",
        "🌍 homeward bound through quiet valleys",
        "a" * 3 + "kq9#vPz!r2mWx7&LtY",
    ],
)
def test_long_and_non_latin_passwords_accepted(password):
    passwords.check_password(password, "Amina Test", "amina@example.org")
    stored = passwords.hash_password(password, FAST)
    assert passwords.verify_password(stored, password, FAST)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short one", "at least 15"),
        ("passwordpassword", "common"),
        ("qwertyuiopasdfgh", "common"),
        ("aaaaaaaaaaaaaaaaaaaa", "easy to guess"),
        ("12345678901234567890", "easy"),
        ("amina.test.amina.test", "name or e-mail"),
    ],
)
def test_weak_passwords_rejected(password, fragment):
    with pytest.raises(PasswordRejected) as info:
        passwords.check_password(password, "Amina Test", "amina.test@example.org")
    assert fragment in str(info.value)


def test_over_128_characters_rejected_without_hashing(monkeypatch):
    called = []
    monkeypatch.setattr(passwords, "hasher", lambda params: called.append(params))
    with pytest.raises(PasswordRejected, match="at most 128"):
        passwords.check_password("k" * 129)
    with pytest.raises(PasswordRejected):
        passwords.hash_password("k" * 129, FAST)
    assert passwords.verify_password("$argon2id$whatever", "k" * 129, FAST) is False
    assert called == []


def test_exactly_128_characters_is_fine():
    password = ("river stone lamp " * 8)[:128]
    assert len(password) == 128
    passwords.check_password(password)


def test_argon2id_and_rehash_when_parameters_change():
    stored = passwords.hash_password("lantern orchard copper fjord", FAST)
    assert stored.startswith("$argon2id$")
    assert not passwords.needs_rehash(stored, FAST)
    stronger = HashParameters(time_cost=2, memory_cost_kib=2048, parallelism=1)
    assert passwords.needs_rehash(stored, stronger)


def test_unicode_normalisation_matches_composed_and_decomposed():
    composed = "café au lait pour toujours"
    decomposed = "cafe\u0301 au lait pour toujours"
    stored = passwords.hash_password(composed, FAST)
    assert passwords.verify_password(stored, decomposed, FAST)
