"""What a password must be, and how it is kept: argon2id hashes (argon2-cffi), never the password."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.gateway.domain.errors import Invalid

MIN_PASSWORD, MAX_PASSWORD = 8, 256

_hasher = PasswordHasher()


def check_password(password: str, field: str = "password") -> None:
    """8 to 256 characters (long passphrases welcome; the limit keeps hashing cheap to refuse)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            f"{field}: must be {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            errors={field: [f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"]},
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash() -> str:
    """Verified against when the username is unknown, so that both cases take the same time."""
    return _hasher.hash(secrets.token_hex(16))


def generate_password() -> str:
    return secrets.token_urlsafe(18)
