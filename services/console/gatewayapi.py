"""The console's HTTP client of the public API (the gateway's /api), with the user's token.

Nothing here knows a service's internals: paths, bodies and answers are those of docs/api.md, as any
client sees them. Answers other than 2xx become `ApiError` carrying the problem's title, detail and field
errors, for the page to show in the user's words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

MAX_PAGE = 1000
PAGES_AT_ONCE = 4


@dataclass
class ApiError(Exception):
    """A non-2xx answer of the API (status 503 also stands for "could not reach it")."""

    status: int
    title: str = ""
    detail: str = ""
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


@dataclass(frozen=True)
class Download:
    """A file the API answered (an export), passed on to the browser as it came."""

    body: bytes
    content_type: str
    disposition: str | None
    policy: str | None = None  # the API's own Content-Security-Policy for it (the voucher has one)


@dataclass(frozen=True)
class Upload:
    """A file the user chose, sent on as the multipart field `file`."""

    filename: str
    content: bytes
    content_type: str


class Api(Protocol):
    """What the views use; the tests put a fake in its place."""

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any: ...

    def download(self, path: str, *, token: str, params: Mapping[str, Any] | None = None) -> Download: ...

    def upload(
        self,
        path: str,
        *,
        token: str | None,
        file: Upload,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any: ...


class GatewayApi:
    """urllib3 pool to the gateway (thread-safe; one per process)."""

    def __init__(self, base_url: str, *, timeout: float = 65.0):
        self.base_url = base_url.rstrip("/")
        self.http = urllib3.PoolManager(
            num_pools=2,
            maxsize=16,
            timeout=urllib3.Timeout(connect=2.0, read=timeout),
            retries=urllib3.Retry(
                total=1,
                connect=1,
                read=0,
                redirect=0,
                status=0,
                other=0,
                raise_on_redirect=False,
                raise_on_status=False,
            ),
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        file: Upload | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """One request: `body` sent as JSON, or `file` as the multipart field `file`."""
        url = self.base_url + path
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        if query:
            url += "?" + urlencode(query)
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            if file is not None:
                fields = {"file": (file.filename, file.content, file.content_type)}
                return self.http.request(method, url, fields=fields, headers=sent, redirect=False)
            return self.http.request(method, url, body=data, headers=sent, redirect=False)
        except Urllib3Error as exc:
            raise ApiError(
                503,
                "Service unavailable",
                f"the API could not be reached ({type(exc).__name__})",
                retry_after="5",
            ) from exc

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty body); ApiError for anything but 2xx."""
        response = self._request(method, path, token=token, params=params, body=body, headers=headers)
        _raise_for(response)
        return json.loads(response.data) if response.data else None

    def download(self, path: str, *, token: str, params: Mapping[str, Any] | None = None) -> Download:
        response = self._request(
            "GET", path, token=token, params=params, body=None, headers={"Accept": "*/*"}
        )
        _raise_for(response)
        return Download(
            response.data,
            response.headers.get("Content-Type", "application/octet-stream"),
            response.headers.get("Content-Disposition"),
            response.headers.get("Content-Security-Policy"),
        )

    def upload(
        self,
        path: str,
        *,
        token: str | None,
        file: Upload,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST the file as multipart/form-data (field `file`); the answer's JSON, ApiError for anything but 2xx."""
        response = self._request(
            "POST", path, token=token, params=params, body=None, headers=headers, file=file
        )
        _raise_for(response)
        return json.loads(response.data) if response.data else None


def _raise_for(response: urllib3.BaseHTTPResponse) -> None:
    if 200 <= response.status < 300:
        return
    problem: dict[str, Any] = {}
    try:
        loaded = json.loads(response.data or b"{}")
        problem = loaded if isinstance(loaded, dict) else {}
    except ValueError:
        pass
    errors = problem.get("errors") if isinstance(problem.get("errors"), dict) else {}
    raise ApiError(
        response.status,
        str(problem.get("title") or ""),
        str(problem.get("detail") or ""),
        errors or {},
        response.headers.get("Retry-After"),
    )


def all_items(
    api: Api, path: str, *, token: str, params: Mapping[str, Any] | None = None, cap: int = 20_000
) -> list[dict[str, Any]]:
    """Every item of a list (about `cap` at most): the first page says how many there are and how many a
    page holds; the other pages are asked for at once (a county's month is three pages of duties)."""

    def page(offset: int) -> dict[str, Any]:
        return dict(
            api.call("GET", path, token=token, params={**(params or {}), "limit": MAX_PAGE, "offset": offset})
        )

    first = page(0)
    items: list[dict[str, Any]] = list(first.get("items", []))
    total = min(int(first.get("total", 0)), cap)
    if not items or len(items) >= total:
        return items
    step = len(items)  # the API's page size, should it give fewer than asked
    offsets = range(step, total, step)
    with ThreadPoolExecutor(max_workers=min(len(offsets), PAGES_AT_ONCE)) as pool:
        for more in pool.map(page, offsets):
            items.extend(more.get("items", []))
    return items
