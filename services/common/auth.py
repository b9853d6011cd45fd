"""The identity the gateway signs for the services, and the role checks the services make with it.

The services do not trust the network: every request but health, metrics and docs must carry
`X-Legalduty-Identity`, a short-lived JWT signed by the gateway with the internal secret and addressed to
the service (aud). A request straight to a service without it gets 401.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import jwt
from flask import g

from services.common.http import Problem

IDENTITY_HEADER = "X-Legalduty-Identity"
ISSUER = "legalduty-gateway"
ALGORITHM = "HS256"
ROLES = ("admin", "scheduler", "finance", "lawyer")


@dataclass(frozen=True)
class Identity:
    user_id: str
    username: str
    role: str
    lawyer_id: str | None = None

    @property
    def is_lawyer(self) -> bool:
        return self.role == "lawyer"


def sign_identity(identity: Identity, *, secret: str, audience: str, ttl: int = 60) -> str:
    """Sign an identity for one service (what the gateway does per request)."""
    now = int(time.time())
    claims = {**asdict(identity), "iss": ISSUER, "aud": audience, "iat": now, "exp": now + ttl,
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_VERIFIED: dict[tuple[str, str, str], tuple[Identity, int]] = {}
VERIFIED_CACHE_SIZE = 10_000


def verify_identity(token: str, *, secret: str, audience: str) -> Identity:
    """Verify a gateway-signed identity; raises Problem(401) when it is not one.

    The gateway reuses one signature per caller for a few seconds, so a token already verified by this
    process is remembered, keyed by its exact text, secret and audience, until it expires (checked again on
    every hit): the signature is checked once per token, not once per request."""
    key = (token, secret, audience)
    known = _VERIFIED.get(key)
    if known is not None and known[1] > time.time():
        return known[0]
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=audience, issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "user_id", "role"]},
        )
    except jwt.PyJWTError as exc:
        raise Problem(401, f"invalid service identity: {exc}") from exc
    if claims["role"] not in ROLES:
        raise Problem(401, "invalid service identity: unknown role")
    identity = Identity(
        user_id=str(claims["user_id"]), username=str(claims.get("username") or ""), role=claims["role"],
        lawyer_id=claims.get("lawyer_id"),
    )
    if len(_VERIFIED) >= VERIFIED_CACHE_SIZE:
        _VERIFIED.clear()
    _VERIFIED[key] = (identity, int(claims["exp"]))
    return identity


def current_identity() -> Identity:
    identity = getattr(g, "identity", None)
    if identity is None:
        raise Problem(401, "authentication required")
    return identity


F = TypeVar("F", bound=Callable[..., Any])


def require_roles(*roles: str) -> Callable[[F], F]:
    """Refuse (403) callers whose role is not one of `roles`."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if identity.role not in roles:
                raise Problem(403, f"the {identity.role} role may not do this")
            return view(*args, **kwargs)

        wrapper.__legalduty_roles__ = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
