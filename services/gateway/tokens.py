"""Users' access tokens: HS256 JWTs the gateway issues at login and verifies on every request.

Verification trusts nothing in the token's header: the algorithm is pinned (so `alg: none` and RS256/HS256
confusion fail), every claim must be there, and the signature, expiry, not-before, issuer and audience are
all checked. Whether the token is still good for its user (not disabled, same password and role) is the
caller's second step: the `ver` claim against the user's `token_version`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from services.common.auth import ROLES
from services.common.http import Problem

ALGORITHM = "HS256"
ISSUER = "legalduty"
AUDIENCE = "legalduty-api"
TOKEN_TTL = 3600
LEEWAY = 5  # seconds of clock skew tolerated on exp/nbf/iat
MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ("sub", "role", "ver", "exp", "iat", "nbf", "iss", "aud", "jti")
CHALLENGE = 'Bearer realm="legalduty"'


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    role: str
    lawyer_id: str | None
    version: int
    jti: str
    expires_at: int


def issue_token(
    *,
    user_id: str,
    role: str,
    lawyer_id: str | None,
    version: int,
    secret: str,
    ttl: int = TOKEN_TTL,
    now: float | None = None,
) -> str:
    """A signed access token for a user."""
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": user_id,
        "role": role,
        "lawyer_id": lawyer_id,
        "ver": version,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def unauthorized(detail: str, *, error: str = "invalid_token") -> Problem:
    """A 401 problem with the Bearer challenge (RFC 6750)."""
    challenge = CHALLENGE if error == "" else f'{CHALLENGE}, error="{error}"'
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or a 401 problem."""
    if not authorization:
        raise unauthorized("authentication required: send Authorization: Bearer <token>", error="")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("the Authorization header must be 'Bearer <token>'", error="invalid_request")
    return token


class VerifiedTokens:
    """Tokens already verified by this process, until they expire: a token is verified once, not per request.

    Only a full verification puts a token here, keyed by its exact text, so a changed token is a miss; a hit
    is checked against the clock again. Revocation is not the cache's business: callers check `ver`
    against the user's row on every request."""

    def __init__(self, secret: str, size: int = 10_000):
        self.secret = secret
        self.size = size
        self._claims: dict[str, TokenClaims] = {}

    def verify(self, token: str) -> TokenClaims:
        claims = self._claims.get(token)
        if claims is not None:
            if claims.expires_at > time.time() - LEEWAY:
                return claims
            self._claims.pop(token, None)
        claims = verify_token(token, secret=self.secret)
        if len(self._claims) >= self.size:
            self._claims.clear()
        self._claims[token] = claims
        return claims


def verify_token(token: str, *, secret: str) -> TokenClaims:
    """The claims of a valid token; a 401 problem for anything else (forged, expired, wrong audience...)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise unauthorized("invalid token")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": list(REQUIRED_CLAIMS), "verify_signature": True, "strict_aud": True},
        )
    except jwt.ExpiredSignatureError as exc:
        raise unauthorized("the token has expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise unauthorized(f"invalid token: {exc}") from exc
    if "lawyer_id" not in claims:
        raise unauthorized("invalid token: the lawyer_id claim is missing")
    sub, role, ver, lawyer_id = claims["sub"], claims["role"], claims["ver"], claims["lawyer_id"]
    if not isinstance(sub, str) or role not in ROLES or not isinstance(ver, int) or isinstance(ver, bool):
        raise unauthorized("invalid token: malformed claims")
    if lawyer_id is not None and not isinstance(lawyer_id, str):
        raise unauthorized("invalid token: malformed claims")
    return TokenClaims(
        user_id=sub,
        role=role,
        lawyer_id=lawyer_id,
        version=ver,
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )
