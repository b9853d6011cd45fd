"""Everything outside /api (and the gateway's own health and metrics) is the web console: forwarded to
the console's process with the browser's cookies, and its answer relayed with its Set-Cookie.

The console authenticates people itself (its session holds their API token) and calls /api like any
client; here no token is checked and no identity is signed, so a console request gains nothing at /api.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from urllib.parse import quote

import urllib3
from flask import Blueprint, Flask, Response, current_app, g, request

from services.common.auth import IDENTITY_HEADER
from services.common.http import Problem
from services.gateway.proxy import HOP_BY_HOP, PATH_SAFE, Backends, BackendUnavailable

log = logging.getLogger(__name__)

EXTENSION = "gateway_console"
BACKEND = "console"
API_PREFIX = "/api"
# what the browser sends that the console must not believe, or that the gateway sets itself
REQUEST_DROP = HOP_BY_HOP | {
    "host",
    "content-length",
    "authorization",
    IDENTITY_HEADER.lower(),
    "x-request-id",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
}
RESPONSE_DROP = HOP_BY_HOP | {"x-request-id", "server", "date"}
CHUNK = 64 * 1024
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

bp = Blueprint("console", __name__)


def is_console_path(path: str) -> bool:
    return not (path == API_PREFIX or path.startswith(API_PREFIX + "/"))


def without_console(authenticate: Callable[[Flask], None]) -> Callable[[Flask], None]:
    """The gateway's token check for /api only: the console's pages carry no token."""

    def check(app: Flask) -> None:
        if is_console_path(request.path):
            return
        authenticate(app)

    return check


def install(app: Flask, console_url: str, *, internal_secret: str) -> None:
    app.extensions[EXTENSION] = Backends({BACKEND: console_url}, internal_secret=internal_secret)
    app.register_blueprint(bp)


def forward_to_console(rest: str = "") -> Response:
    if not is_console_path(request.path):
        raise Problem(404, f"no such endpoint: {request.path}")
    backends: Backends = current_app.extensions[EXTENSION]
    target = _quote(request.path)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    connection_listed = {
        t.strip().lower() for t in request.headers.get("Connection", "").split(",") if t.strip()
    }
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in REQUEST_DROP and name.lower() not in connection_listed
    }
    headers["X-Request-ID"] = g.request_id
    headers["X-Forwarded-For"] = request.remote_addr or ""
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Host"] = request.host
    body = request.get_data(cache=False) if request.method not in ("GET", "HEAD") else None
    try:
        upstream = backends.call(BACKEND, request.method, target, headers=headers, body=body or None)
    except BackendUnavailable as exc:
        log.warning("console unavailable", extra={"status": exc.status, "request_id": g.get("request_id")})
        return Response(
            "The console is not available just now; try again shortly.\n控制台暂不可用,请稍后再试。\n",
            status=exc.status,
            content_type="text/plain; charset=utf-8",
            headers={
                "Content-Security-Policy": "default-src 'none'",
                **({"Retry-After": "5"} if exc.status == 503 else {}),
            },
        )
    upstream_listed = {t.strip().lower() for t in upstream.headers.get("Connection", "").split(",")}
    out = [
        (name, value)
        for name, value in upstream.headers.items()
        if name.lower() not in RESPONSE_DROP and name.lower() not in upstream_listed
    ]
    response = Response(_relay(upstream), status=upstream.status, headers=out, direct_passthrough=True)
    if "Content-Type" not in upstream.headers:
        response.headers.pop("Content-Type", None)
    return response


def _quote(path: str) -> str:
    return quote(path, safe=PATH_SAFE)


def _relay(upstream: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    complete = False
    try:
        yield from upstream.stream(CHUNK, decode_content=False)
        complete = True
    finally:
        if not complete:
            upstream.close()
        upstream.release_conn()


for _rule in ("/", "/<path:rest>"):
    bp.add_url_rule(
        _rule,
        endpoint=f"console_{_rule.count('<')}",
        view_func=forward_to_console,
        methods=METHODS,
        provide_automatic_options=False,
    )
