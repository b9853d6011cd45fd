"""The roster service asked directly, for a lawyer the gateway's directory has not heard of yet.

An internal call on the gateway's pooled client (`proxy.Backends`) with an identity the gateway signs for
itself (`GATEWAY`, with the internal secret, addressed to the roster): GET /api/roster/lawyers/{id}. This
is an HTTP client, so it reads the roster's statuses: 200 is the lawyer, 404 is no such lawyer, and anything
else (no answer, a timeout, a 5xx, a refused identity) is `Unavailable`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from services.common.auth import Identity
from services.gateway.domain.errors import Unavailable
from services.gateway.proxy import Backends, BackendUnavailable

GATEWAY = Identity(user_id="gateway", username="gateway", role="admin")
LOOKUP_TIMEOUT = 3.0


class RosterLawyers:
    """`lawyer(id)`: the roster's lawyer (its contract fields), or None when the roster has none."""

    def __init__(self, backends: Backends, *, timeout: float = LOOKUP_TIMEOUT) -> None:
        self.backends = backends
        self.timeout = timeout

    def lawyer(self, lawyer_id: str) -> dict[str, Any] | None:
        path = f"/api/roster/lawyers/{quote(lawyer_id, safe='')}"
        try:
            status, body = self.backends.get_json("roster", path, identity=GATEWAY, timeout=self.timeout)
        except BackendUnavailable as exc:
            raise Unavailable(
                f"cannot check the lawyer with the roster: {exc.detail}", service="roster"
            ) from exc
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict) or body.get("id") != lawyer_id:
            raise Unavailable(
                f"cannot check the lawyer with the roster: it answered {status}", service="roster"
            )
        return body
