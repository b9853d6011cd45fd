"""Lists from the roster and subsidy services, asked as the caller (so each service filters to the
caller's own objects), as the sections of /api/me. An HTTP client: it reads the services' statuses, and a
service that does not answer, or answers anything but a list, makes its section unavailable."""

from __future__ import annotations

from typing import Any

from services.common.auth import Identity
from services.gateway.domain.my_page import available, unavailable
from services.gateway.proxy import Backends, BackendUnavailable

SECTION_TIMEOUT = 5.0


class BackendPages:
    """`section(backend, path, params)`: one page of a service's list as a section of the caller's page."""

    def __init__(
        self,
        backends: Backends,
        *,
        identity: Identity,
        request_id: str | None,
        timeout: float = SECTION_TIMEOUT,
    ) -> None:
        self.backends = backends
        self.identity = identity
        self.request_id = request_id
        self.timeout = timeout

    def section(self, backend: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            status, body = self.backends.get_json(
                backend,
                path,
                identity=self.identity,
                params=params,
                timeout=self.timeout,
                request_id=self.request_id,
            )
        except BackendUnavailable as exc:
            return unavailable(exc.detail)
        if status != 200 or not isinstance(body, dict):
            detail = body.get("detail") if isinstance(body, dict) else None
            return unavailable(f"the {backend} service answered {status}: {detail or 'no detail'}")
        items = body.get("items")
        if not isinstance(items, list):
            return unavailable(f"the {backend} service sent an unexpected answer")
        return available(items, int(body.get("total", len(items))))
