"""Password hashing (argon2id) and the strong-password rule. No AWS here.

argon2-cffi's PasswordHasher keeps the library's default parameters (RFC 9106 low-memory
profile: t=3, m=64 MiB, p=4); `needs_rehash` lets a login upgrade hashes made with older ones.
argon2 is imported on first use so that importing the handler stays cheap.
"""

from __future__ import annotations

import secrets
import threading
import unicodedata
from typing import Any

MIN_LENGTH = 12
MAX_LENGTH = 128  # the contract's maxLength; also bounds the hashing work per request

# The most used passwords that would otherwise pass the character-class rule, lower-cased.
COMMON_PASSWORDS = frozenset(
    {
        "password123!",
        "password1234",
        "password123$",
        "password@123",
        "p@ssw0rd1234",
        "p@ssword1234",
        "passw0rd!234",
        "welcome123!",
        "welcome@1234",
        "welcome12345",
        "qwerty123456",
        "qwerty@12345",
        "qwertyuiop1!",
        "qwerty123!@#",
        "letmein12345",
        "letmein@1234",
        "admin@123456",
        "administrator1!",
        "changeme123!",
        "changeme@123",
        "iloveyou123!",
        "sunshine123!",
        "football123!",
        "baseball123!",
        "monkey123456",
        "dragon123456!",
        "princess123!",
        "abc123456789",
        "abcd@1234567",
        "a1b2c3d4e5f6!",
        "123456789abc",
        "1q2w3e4r5t6y",
        "1q2w3e4r5t!",
        "zaq12wsxcde3",
        "zaq1@wsx3edc",
        "trustno1234!",
        "superman123!",
        "batman123456!",
        "master123456",
        "summer2024!!",
        "winter2024!!",
        "spring2024!!",
        "autumn2024!!",
        "summer2025!!",
        "winter2025!!",
        "password2024!",
        "password2025!",
        "company123!!",
        "secret123456!",
        "mypassword1!",
        "ecommerce123!",
        "helloworld1!",
    }
)

_hasher: Any = None
_dummy_hash: str | None = None
_lock = threading.Lock()


def hasher() -> Any:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher  # ~20 ms: paid by the first request that needs it

        _hasher = PasswordHasher()
    return _hasher


def normalise(password: str) -> str:
    """NFC (RFC 8265's normalisation for passwords): the same password typed on a keyboard
    that composes "é" and on one that sends "e" + U+0301 is the same password."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return hasher().hash(normalise(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True if `password` matches `stored_hash`; False on a mismatch or an unreadable hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return hasher().verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored_hash)
    except Exception:
        return True


def burn_verify(password: str) -> None:
    """Verify against a hash of a random password, so an unknown account takes as long to
    reject as a wrong password (no account enumeration by timing)."""
    global _dummy_hash
    if _dummy_hash is None:
        with _lock:
            if _dummy_hash is None:
                _dummy_hash = hash_password(secrets.token_urlsafe(24))
    verify_password(_dummy_hash, password)


def strength_problems(password: str, email: str = "") -> list[str]:
    """What makes `password` weak (empty when it is strong): at least 12 characters with an
    upper-case letter, a lower-case letter, a digit and a symbol, not containing the email's
    local part, not a well-known password."""
    password = normalise(password)
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if not any(c.isupper() for c in password):
        problems.append("must contain an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("must contain a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("must contain a digit")
    if all(c.isalnum() for c in password):
        problems.append("must contain a symbol")
    local = email.split("@", 1)[0].lower()
    if len(local) >= 3 and local in password.lower():
        problems.append("must not contain your email address")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("is too common")
    return problems
