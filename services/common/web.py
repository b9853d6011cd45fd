"""The part every service's Flask app shares: request ids, identity, health, metrics, errors, docs."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from flask_smorest import Api
from sqlalchemy import Engine, MetaData, text
from sqlalchemy.orm import Session, sessionmaker

from services.common.auth import IDENTITY_HEADER, authorise_request, roles_of, verify_identity
from services.common.connections import connect, connection_for
from services.common.db import make_engine, make_read_session_factory, make_session_factory, messaging_of
from services.common.http import Problem, problem_response, register_error_handlers
from services.common.logs import configure_logging
from services.common.metrics import LATENCY, REQUESTS, ScrapeTimeCollector, render
from services.common.queues import queue_depths
from services.common.relay import backlog
from services.common.settings import Settings
from services.common.topology import TOPOLOGY, Topology

log = logging.getLogger(__name__)

PUBLIC_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")
MAX_BODY = 10 * 1024 * 1024


@dataclass
class Runtime:
    """What a running service holds: settings, its engine and its one sessionmaker."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    metadata: MetaData
    read_factory: sessionmaker[Session]


def runtime(app: Flask | None = None) -> Runtime:
    from flask import current_app

    return (app or current_app).extensions["legalduty"]


def create_service_app(
    settings: Settings,
    *,
    metadata: MetaData,
    title: str,
    blueprints: Iterable[Blueprint] = (),
    public_paths: Iterable[str] = (),
    authenticate: Callable[[Flask], None] | None = None,
    engine: Engine | None = None,
) -> tuple[Flask, Api]:
    """A Flask app with the shared behaviour; the caller registers its blueprints on the returned Api."""
    configure_logging(settings.service, "web", settings.log_level)
    app = Flask(f"legalduty.{settings.service}")
    app.config.update(
        API_TITLE=title,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # fields in the order the schemas give
    engine = engine or make_engine(settings.database_url)
    app.extensions["legalduty"] = Runtime(
        settings,
        engine,
        make_session_factory(engine, metadata),
        metadata,
        make_read_session_factory(engine, metadata),
    )
    api = Api(app)
    register_error_handlers(app)
    open_paths = tuple(PUBLIC_PATHS) + tuple(public_paths)

    @app.before_request
    def _start() -> Response | None:
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.started = time.perf_counter()
        if _needs_no_identity(app, open_paths, from_gateway=authenticate is None):
            return None
        if authenticate is not None:
            authenticate(app)
            return None
        token = request.headers.get(IDENTITY_HEADER)
        if not token:
            return problem_response(401, "authentication required (call through the gateway)")
        try:
            g.identity = verify_identity(token, secret=settings.internal_secret, audience=settings.service)
        except Problem as exc:
            return problem_response(401, exc.detail)
        return None

    app.before_request(authorise_request)  # roles before validation: after the identity, before any parsing

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(settings.service, request.method, endpoint, str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            LATENCY.labels(settings.service, request.method, endpoint).observe(time.perf_counter() - started)
        return response

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok", "service": settings.service})

    @app.get("/readyz")
    def readyz() -> Response:
        checks = readiness(runtime(app))
        ok = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if ok else "unavailable", "service": settings.service, "checks": checks}
        response = jsonify(body)
        response.status_code = 200 if ok else 503
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        collector = ScrapeTimeCollector(settings.service, lambda: scrape_values(runtime(app)))
        payload, content_type = render(collector)
        return Response(payload, content_type=content_type)

    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return app, api


def _needs_no_identity(app: Flask, open_paths: tuple[str, ...], *, from_gateway: bool) -> bool:
    """Health, metrics and documents; and in a service behind the gateway, a view declared `@public`, which
    authenticates the request itself (a calendar feed by its secret address)."""
    if request.path in open_paths or any(request.path.startswith(p + "/") for p in open_paths):
        return True
    view = app.view_functions.get(request.endpoint) if from_gateway and request.endpoint is not None else None
    return view is not None and roles_of(view) == frozenset()


def readiness(rt: Runtime) -> dict[str, str]:
    """Is the database reachable, and the broker?"""
    checks: dict[str, str] = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"unreachable: {type(exc).__name__}"
    broker = connection_for(rt.settings.data_dir, rt.settings.broker_url)
    try:
        connect(broker, retries=0)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"unreachable: {type(exc).__name__}"
    finally:
        broker.release()
    return checks


def scrape_values(rt: Runtime) -> dict[str, Any]:
    """What the scrape reads, and whether each part could be read (`up`): a part that cannot be read is
    left out, never reported as zero (an outbox backlog of 0 while the database is down would say all is
    well)."""
    values: dict[str, Any] = {"up": {"database": False, "broker": False}}
    try:
        with rt.session_factory() as session:
            values["outbox_backlog"], values["outbox_unroutable"] = backlog(
                session, messaging_of(rt.session_factory).outbox
            )
            session.rollback()
        values["up"]["database"] = True
    except Exception:  # noqa: BLE001 - database down: the gauge says so, the others still report
        pass
    conn = connection_for(rt.settings.data_dir, rt.settings.broker_url)
    try:
        mine = [q for q in TOPOLOGY.queues if q.name.startswith(rt.settings.service + ".")]
        values["queues"], values["dead_letters"] = queue_depths(conn, Topology(queues=tuple(mine)))
        values["up"]["broker"] = True
    except Exception:  # noqa: BLE001 - broker down: report what the database knows
        pass
    finally:
        conn.release()
    return values
