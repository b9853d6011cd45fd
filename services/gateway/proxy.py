"""Forwarding requests to the roster and subsidy services.

One urllib3 connection pool per backend per worker process (keep-alive, thread-safe), connect and read
timeouts, at most one quick retry of a connection that could not be made. What goes to a backend: the
method, the path as authorised, the query string and body byte for byte, the client's headers minus
hop-by-hop ones and minus anything that could speak for the caller (Authorization, cookies, a client-made
identity header), plus `X-Request-ID` and the identity the gateway signs for this request. What comes back:
status, headers minus hop-by-hop ones, and the body, streamed when it is large or of unknown length.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import urllib3
from flask import Response, g, request
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3Error

from services.common.auth import IDENTITY_HEADER, Identity, sign_identity
from services.common.http import Problem

log = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "proxy-connection",
    }
)
# never passed on to a backend: they would speak for the caller, or are the gateway's to set
REQUEST_DROP = HOP_BY_HOP | {
    "host",
    "authorization",
    "cookie",
    "content-length",
    IDENTITY_HEADER.lower(),
    "x-request-id",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
}
RESPONSE_DROP = HOP_BY_HOP | {"x-request-id", "server", "date", "set-cookie"}
BUFFER_LIMIT = 256 * 1024  # responses up to this size (with a Content-Length) are read whole
CHUNK = 64 * 1024
PATH_SAFE = "/:@!$&'()*+,;=-._~"
IDENTITY_TTL = 60
IDENTITY_REUSE = 20.0
SIGNED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Timeouts:
    connect: float = 2.0
    read: float = 60.0  # roster generation may answer synchronously


class BackendUnavailable(Exception):
    def __init__(self, backend: str, status: int, detail: str):
        super().__init__(detail)
        self.backend = backend
        self.status = status
        self.detail = detail

    def problem(self) -> Problem:
        title = {503: "Service unavailable", 504: "Gateway timeout", 502: "Bad gateway"}[self.status]
        headers = {"Retry-After": "5"} if self.status == 503 else None
        return Problem(self.status, self.detail, title=title, headers=headers, backend=self.backend)


class Backends:
    """The gateway's HTTP clients to its backends, one pool each, made lazily in each worker process."""

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        internal_secret: str,
        timeouts: Timeouts | None = None,
        pool_size: int = 16,
    ):
        self.urls = dict(urls)
        self.internal_secret = internal_secret
        self.timeouts = timeouts or Timeouts()
        self.pool_size = pool_size
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._signed: dict[tuple[Identity, str], tuple[str, float]] = {}

    def pool(self, backend: str) -> urllib3.HTTPConnectionPool:
        if self._pid != os.getpid():  # forked after use: never share sockets with the parent
            self._pools, self._pid = {}, os.getpid()
        pool = self._pools.get(backend)
        if pool is None:
            with self._lock:
                pool = self._pools.get(backend)
                if pool is None:
                    parts = urlsplit(self.urls[backend])
                    pool = urllib3.HTTPConnectionPool(
                        parts.hostname or "127.0.0.1",
                        parts.port,
                        maxsize=self.pool_size,
                        block=False,
                        timeout=urllib3.Timeout(connect=self.timeouts.connect, read=self.timeouts.read),
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
                    self._pools[backend] = pool
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools = {}

    def identity_header(self, identity: Identity, backend: str) -> str:
        """The identity signed for `backend` (valid 60 s; the same signature is reused for up to 20 s).

        Reuse only saves the signing: the caller's token and user row were checked on this request, and the
        identity is derived from that user row, so a revoked or changed user never gets a reused one."""
        key = (identity, backend)
        now = time.monotonic()
        cached = self._signed.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        token = sign_identity(identity, secret=self.internal_secret, audience=backend, ttl=IDENTITY_TTL)
        if len(self._signed) >= SIGNED_CACHE_SIZE:
            self._signed.clear()
        self._signed[key] = (token, now + IDENTITY_REUSE)
        return token

    def call(
        self,
        backend: str,
        method: str,
        path_and_query: str,
        *,
        headers: dict[str, str],
        body: bytes | None,
        timeout: float | None = None,
        stream: bool = True,
    ) -> urllib3.BaseHTTPResponse:
        """One request to a backend; BackendUnavailable when it cannot be reached or does not answer."""
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = urllib3.Timeout(connect=min(timeout, self.timeouts.connect), read=timeout)
        try:
            return self.pool(backend).urlopen(
                method,
                path_and_query,
                body=body,
                headers=headers,
                preload_content=not stream,
                decode_content=False,
                redirect=False,
                assert_same_host=False,
                **kwargs,
            )
        except MaxRetryError as exc:
            raise _unavailable(backend, exc.reason) from exc
        except Urllib3Error as exc:
            raise _unavailable(backend, exc) from exc

    def get_json(
        self,
        backend: str,
        path: str,
        *,
        identity: Identity | None,
        params: Mapping[str, str] | None = None,
        timeout: float = 5.0,
        request_id: str | None = None,
    ) -> tuple[int, Any]:
        """GET a backend's JSON (for the gateway's own use: /api/me, the OpenAPI document)."""
        query = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in (params or {}).items())
        headers = {"Accept": "application/json"}
        if request_id:
            headers["X-Request-ID"] = request_id
        if identity is not None:
            headers[IDENTITY_HEADER] = self.identity_header(identity, backend)
        response = self.call(
            backend,
            "GET",
            path + (f"?{query}" if query else ""),
            headers=headers,
            body=None,
            timeout=timeout,
            stream=False,
        )
        try:
            return response.status, json.loads(response.data or b"null")
        except ValueError as exc:
            raise BackendUnavailable(
                backend, 502, f"the {backend} service sent a body that is not JSON"
            ) from exc


def _unavailable(backend: str, reason: BaseException | None) -> BackendUnavailable:
    if isinstance(reason, ReadTimeoutError):
        return BackendUnavailable(backend, 504, f"the {backend} service did not answer in time")
    if isinstance(reason, (NewConnectionError, ConnectTimeoutError, ConnectionError, OSError)):
        return BackendUnavailable(backend, 503, f"the {backend} service is unavailable; try again shortly")
    return BackendUnavailable(backend, 502, f"the {backend} service broke off the answer")


def forwarded_headers(identity: Identity | None, backends: Backends, backend: str) -> dict[str, str]:
    """The incoming request's headers as they go to the backend (no identity for a public operation)."""
    connection_listed = {
        token.strip().lower() for token in request.headers.get("Connection", "").split(",") if token.strip()
    }
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in REQUEST_DROP and name.lower() not in connection_listed
    }
    headers["X-Request-ID"] = g.request_id
    if identity is not None:
        headers[IDENTITY_HEADER] = backends.identity_header(identity, backend)
    client = request.remote_addr or ""
    prior = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{prior}, {client}" if prior else client
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Host"] = request.host
    return headers


def forward(backends: Backends, backend: str, identity: Identity | None) -> Response:
    """Send the current request to `backend` and relay its answer."""
    target = quote(request.path, safe=PATH_SAFE)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    body = request.get_data(cache=False) if request.method not in ("GET", "HEAD") else None
    upstream = backends.call(
        backend,
        request.method,
        target,
        headers=forwarded_headers(identity, backends, backend),
        body=body or None,
    )
    connection_listed = {t.strip().lower() for t in upstream.headers.get("Connection", "").split(",")}
    headers = [
        (name, value)
        for name, value in upstream.headers.items()
        if name.lower() not in RESPONSE_DROP and name.lower() not in connection_listed
    ]
    length = upstream.headers.get("Content-Length")
    if request.method == "HEAD" or (length is not None and length.isdigit() and int(length) <= BUFFER_LIMIT):
        try:
            data = upstream.read(decode_content=False)
        except Urllib3Error as exc:
            upstream.close()
            raise _unavailable(backend, exc).problem() from exc
        finally:
            upstream.release_conn()
        response = Response(data, status=upstream.status, headers=headers)
        if request.method == "HEAD" and length is not None:
            response.headers["Content-Length"] = length
    else:
        response = Response(
            _relay(upstream), status=upstream.status, headers=headers, direct_passthrough=True
        )
    if "Content-Type" not in upstream.headers:
        response.headers.pop("Content-Type", None)  # werkzeug's default would be a lie
    return response


def _relay(upstream: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    complete = False
    try:
        yield from upstream.stream(CHUNK, decode_content=False)
        complete = True
    finally:
        if not complete:  # the client went away or the backend broke off: this socket is done for
            upstream.close()
        upstream.release_conn()
