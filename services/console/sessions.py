"""The console's session: an encrypted, HttpOnly cookie that expires when left idle.

Flask's own session cookie is signed but readable; the console's holds the user's API token, so it is
encrypted (Fernet: AES-CBC + HMAC) and carries its own timestamp: a cookie older than the idle limit is
refused as if it were forged, and every answer re-issues it, so only idleness expires it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


def session_key(secret: str) -> bytes:
    """The Fernet key derived from the deployment's signing secret (never the secret itself)."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"legalduty-console-session\0" + secret.encode()).digest())


class EncryptedSerializer:
    """What Flask's cookie session asks of a serializer: dumps, and loads that raises BadSignature."""

    def __init__(self, key: bytes, idle_seconds: int):
        self.fernet = Fernet(key)
        self.idle_seconds = idle_seconds

    def dumps(self, value: dict[str, Any]) -> str:
        return self.fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()

    def loads(self, token: str | bytes, max_age: int | None = None) -> dict[str, Any]:
        try:
            raw = self.fernet.decrypt(
                token if isinstance(token, bytes) else token.encode(), ttl=self.idle_seconds
            )
        except (InvalidToken, TypeError, ValueError) as exc:
            raise BadSignature("the session cookie is not ours, or has been idle too long") from exc
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise BadSignature("the session cookie holds no session")
        return value


class EncryptedCookieSessions(SecureCookieSessionInterface):
    """Flask's cookie session, encrypted; `Secure` when the request came over HTTPS."""

    def __init__(self, key: bytes, idle_seconds: int):
        self.serializer_ = EncryptedSerializer(key, idle_seconds)

    def get_signing_serializer(self, app: Flask) -> EncryptedSerializer:  # type: ignore[override]
        return self.serializer_

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure
