"""create_app for the gateway: users and tokens, the route table, forwarding, the API's documents."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from services.common.db import read_only
from services.common.settings import Settings, check_production_secrets, load_settings
from services.common.web import create_service_app, runtime
from services.gateway.adapters.orm import metadata
from services.gateway.adapters.roster import RosterLawyers
from services.gateway.api import auth, console, docs, errors, forward, me, users
from services.gateway.api.authentication import authenticate
from services.gateway.api.collaborators import EXTENSION, Collaborators
from services.gateway.domain.throttling import ThrottlePolicy
from services.gateway.openapi import SpecCache
from services.gateway.proxy import Backends, Timeouts
from services.gateway.routes import BACKENDS, RouteTable
from services.gateway.service.directory import DirectoryThenRoster
from services.gateway.tokens import TOKEN_TTL, VerifiedTokens

PUBLIC_PATHS = ("/api/auth/token", "/api/openapi.json", "/api/docs")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


class RequestIdGuard:
    """WSGI middleware: an incoming X-Request-ID that is not a short plain token is replaced by a new one
    (it ends up in logs, headers and events' correlation ids)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = environ.get("HTTP_X_REQUEST_ID")
        if given is not None and not REQUEST_ID.match(given):
            environ["HTTP_X_REQUEST_ID"] = uuid.uuid4().hex
        return self.wsgi_app(environ, start_response)


def create_app(
    settings: Settings | None = None,
    *,
    throttle: ThrottlePolicy | None = None,
    timeouts: Timeouts | None = None,
    token_ttl: int = TOKEN_TTL,
    spec_ttl: float = 30.0,
) -> Flask:
    """The gateway's app; refuses (SettingsError) to start in production without strong secrets."""
    settings = settings or load_settings("gateway")
    check_production_secrets(settings)
    app, api = create_service_app(
        settings,
        metadata=metadata,
        title="legalduty API",
        public_paths=PUBLIC_PATHS,
        authenticate=console.without_console(authenticate),
    )
    errors.register(app, api)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in (auth.blp, users.blp, me.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(forward.bp)
    app.register_blueprint(docs.bp)
    console.install(app, settings.service_url("console"), internal_secret=settings.internal_secret)
    rt = runtime(app)
    backends = Backends(
        {name: settings.service_url(name) for name in BACKENDS},
        internal_secret=settings.internal_secret,
        timeouts=timeouts,
    )

    def fetch_spec(backend: str) -> dict[str, Any]:
        status, body = backends.get_json(backend, "/openapi.json", identity=None, timeout=2.0)
        if status != 200 or not isinstance(body, dict):
            raise ValueError(f"{backend} answered {status}")
        return body

    reader = read_only(rt.engine)
    specs = SpecCache(fetch_spec, ttl=spec_ttl)
    app.extensions[EXTENSION] = Collaborators(
        settings=settings,
        reader=reader,
        backends=backends,
        routes=RouteTable(specs.get),
        specs=specs,
        throttle=throttle or ThrottlePolicy(),
        token_ttl=token_ttl,
        tokens=VerifiedTokens(settings.jwt_secret),
        lawyers=DirectoryThenRoster(reader, RosterLawyers(backends)),
    )
    app.extensions["gateway_api"] = api
    app.wsgi_app = RequestIdGuard(app.wsgi_app)  # type: ignore[method-assign]
    return app
