"""A stand-in roster or subsidy service on a real port: records what reaches it and answers as told."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from services.common.auth import IDENTITY_HEADER, verify_identity
from services.common.http import Problem, problem_response

logging.getLogger("werkzeug").setLevel(logging.WARNING)


@dataclass
class Seen:
    method: str
    path: str
    query: bytes
    headers: dict[str, str]
    body: bytes
    identity: Any
    remote_port: int


@dataclass
class FakeBackend:
    """Answers every path: `answers[(method, path)] = (status, json, headers)`, else an echo of the request."""

    name: str
    secret: str
    default_spec: dict[str, Any] | None = None  # what /openapi.json answers after reset(); None: 404
    spec: dict[str, Any] | None = None
    answers: dict[tuple[str, str], tuple[int, Any, dict[str, str]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    delay: float = 0.0
    release_stream: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.spec = self.default_spec
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.answers.clear()
        self.seen.clear()
        self.delay = 0.0
        self.spec = self.default_spec
        self.release_stream = threading.Event()

    def stop(self) -> None:
        self.server.shutdown()

    def _make_app(self) -> Flask:
        app = Flask(f"fake-{self.name}")

        @app.route("/openapi.json")
        def spec() -> Response:
            if self.spec is None:
                return problem_response(404, "no spec")
            return jsonify(self.spec)

        @app.route(
            "/", defaults={"path": ""}, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        )
        @app.route("/<path:path>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        def anything(path: str) -> Response:
            token = request.headers.get(IDENTITY_HEADER)
            identity = None
            if token:
                try:
                    identity = verify_identity(token, secret=self.secret, audience=self.name)
                except Problem:
                    identity = None
            self.seen.append(
                Seen(
                    method=request.method,
                    path=request.path,
                    query=request.query_string,
                    headers=dict(request.headers),
                    body=request.get_data(),
                    identity=identity,
                    remote_port=int(request.environ.get("REMOTE_PORT") or 0),
                )
            )
            if self.delay:
                time.sleep(self.delay)
            answer = self.answers.get((request.method, request.path))
            if identity is None and answer is None:  # a told answer stands for a public operation's own check
                return problem_response(401, "authentication required (call through the gateway)")
            if request.path.endswith("/export.csv"):
                return Response(
                    self._stream(),
                    mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="batch.csv"'},
                )
            if answer is not None:
                status, body, headers = answer
                response = jsonify(body) if not isinstance(body, bytes) else Response(body)
                response.status_code = status
                response.headers.update(headers)
                return response
            response = jsonify(
                {
                    "backend": self.name,
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "identity": vars(identity) if identity else None,
                }
            )
            response.headers["Proxy-Authenticate"] = "Basic"  # hop-by-hop: must not reach the client
            response.headers["X-Backend"] = self.name
            response.headers["X-Request-ID"] = request.headers.get("X-Request-ID", "")
            return response

        return app

    def _stream(self):
        yield b"lawyer_id,total\r\n"
        self.release_stream.wait(10)
        yield b"L-1,120.00\r\n"


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


KEEP_ALIVE_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "roster", "version": "1"},
    "paths": {"/api/roster/stations": {"get": {"x-roles": ["scheduler"]}}},
}


class KeepAliveBackend:
    """A bare HTTP/1.1 server that keeps connections open (as gunicorn does; werkzeug's always closes them)
    and notes the client port of every request."""

    def __init__(self) -> None:
        ports = self.ports = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1  # headers and body in one write, flushed after each request

            def do_GET(self) -> None:
                if self.path == "/openapi.json":  # the document the gateway's route table is built from
                    body = json.dumps(KEEP_ALIVE_SPEC).encode()
                else:
                    ports.append(self.client_address[1])
                    body = b'{"items": [], "total": 0}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
