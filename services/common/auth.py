"""The identity the gateway signs for the services, and who may call what.

The services do not trust the network: every request but health, metrics and docs must carry
`X-Legalduty-Identity`, a short-lived JWT signed by the gateway with the internal secret and addressed to
the service (aud). A request straight to a service without it gets 401.

Who may call an operation is declared once, on its view, with `@require_roles(...)` (or `@public` for the
gateway's log-in and a service's operation that authenticates the request itself: the roster's calendar
feed, whose secret address is its credential). The declaration is
- recorded on the view (`roles_of(view)`), where `authorise_request`, a `before_request` hook of every app,
  refuses (403) a caller whose role is not in it before anything parses the body or the query: a refused
  caller learns nothing about the schema;
- published in the service's OpenAPI document as `x-roles: [...]` on the operation (`x-public: true` and
  `security: []` for a public one), from which the gateway builds its route table.
Ownership (a lawyer's own object) is checked by the view itself, after validation.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar, cast

import jwt
from flask import current_app, g, request
from flask_smorest import Blueprint

from services.common.http import Problem

IDENTITY_HEADER = "X-Legalduty-Identity"
ISSUER = "legalduty-gateway"
ALGORITHM = "HS256"
ROLES = ("admin", "scheduler", "finance", "lawyer")
ROLES_EXTENSION = "x-roles"  # OpenAPI operation extension: the roles that may call it
PUBLIC_EXTENSION = "x-public"  # OpenAPI operation extension: no identity needed
_ROLES_ATTR = "__legalduty_roles__"

log = logging.getLogger(__name__)


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
    claims = {
        **asdict(identity),
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
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
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "user_id", "role"]},
        )
    except jwt.PyJWTError as exc:
        raise Problem(401, f"invalid service identity: {exc}") from exc
    if claims["role"] not in ROLES:
        raise Problem(401, "invalid service identity: unknown role")
    identity = Identity(
        user_id=str(claims["user_id"]),
        username=str(claims.get("username") or ""),
        role=claims["role"],
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
    """Declare the roles that may call a view: enforced before validation, published as `x-roles`.

    Put it innermost (just above `def`), below flask-smorest's decorators; the view also refuses by itself
    when it is called in an app without `authorise_request`."""
    allowed = frozenset(roles)
    if not allowed or not allowed <= set(ROLES):
        raise ValueError(f"require_roles takes some of {ROLES}, not {roles!r}")
    ordered = [role for role in ROLES if role in allowed]

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if identity.role not in allowed:
                raise Problem(403, f"the {identity.role} role may not do this")
            return view(*args, **kwargs)

        return cast(F, _declare(wrapper, allowed, {ROLES_EXTENSION: ordered}))

    return decorate


def public(view: F) -> F:
    """Declare a view that needs no identity (the gateway's log-in; a calendar feed at its secret address);
    published as `x-public: true`, from which the gateway makes a public row (no token, no identity)."""
    return cast(F, _declare(view, frozenset(), {PUBLIC_EXTENSION: True, "security": []}))


def _declare(view: Callable[..., Any], roles: frozenset[str], doc: dict[str, Any]) -> Callable[..., Any]:
    documented: Callable[..., Any] = Blueprint.doc(**doc)(view)  # flask-smorest's way to add to its document
    setattr(documented, _ROLES_ATTR, roles)
    return documented


def roles_of(view: Callable[..., Any] | None) -> frozenset[str] | None:
    """The roles a view declares (empty: public), or None when it declares none."""
    return getattr(view, _ROLES_ATTR, None)


def authorise_request() -> None:
    """`before_request` hook, after the identity is known: refuse (403) a role the view does not declare.

    Runs before flask-smorest parses anything, so a refused caller gets 403 whatever its body or query.
    A request with no identity is one to a public path (health, docs, log-in) and passes; so does one that
    matched no route (Flask answers 404 or 405). A view that declares no roles refuses everyone."""
    identity = getattr(g, "identity", None)
    if identity is None or request.endpoint is None:
        return
    roles = roles_of(current_app.view_functions.get(request.endpoint))
    if roles is None:
        log.error("a view declares no roles: refused", extra={"endpoint": request.endpoint})
        raise Problem(403, "this operation declares no roles")
    if roles and identity.role not in roles:
        raise Problem(403, f"the {identity.role} role may not {request.method} {request.path}")
