"""The gateway serves the console at / (everything outside /api), passing cookies both ways and nothing that
speaks for an API caller; /api is unchanged."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from services.common.auth import IDENTITY_HEADER
from tests.integration.gateway.conftest import GatewayKit
from tests.integration.gateway.fakes import closed_port


class FakeConsole:
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        app = Flask("fake-console")

        @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
        @app.route("/<path:path>", methods=["GET", "POST"])
        def anything(path: str) -> Response:
            self.seen.append(
                {"path": request.full_path, "headers": dict(request.headers), "body": request.get_data()}
            )
            response = jsonify({"console": True, "path": request.path})
            response.set_cookie("legalduty_console", "s3cret", httponly=True, samesite="Lax")
            return response

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def fake_console() -> Iterator[FakeConsole]:
    console = FakeConsole()
    yield console
    console.server.shutdown()


@pytest.fixture
def gw_with_console(make_gateway: Callable[..., GatewayKit], fake_console: FakeConsole) -> GatewayKit:
    fake_console.seen.clear()
    return make_gateway(LEGALDUTY_CONSOLE_PORT=str(fake_console.port))


def test_a_page_outside_api_reaches_the_console_without_a_token(
    gw_with_console: GatewayKit, fake_console: FakeConsole
) -> None:
    response = gw_with_console.client.get("/scheduler/rosters?lang=en")
    assert response.status_code == 200
    assert response.get_json() == {
        "console": True,
        "path": "/scheduler/rosters",
    }
    assert fake_console.seen[-1]["path"] == "/scheduler/rosters?lang=en"
    assert gw_with_console.client.get("/").get_json()["path"] == "/"


def test_cookies_pass_both_ways_and_nothing_speaks_for_an_api_caller(
    gw_with_console: GatewayKit, fake_console: FakeConsole
) -> None:
    gw_with_console.client.set_cookie("legalduty_console", "abc")
    response = gw_with_console.client.post(
        "/login",
        data={"username": "u"},
        headers={"Authorization": "Bearer x", IDENTITY_HEADER: "forged", "X-Forwarded-For": "6.6.6.6"},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert "legalduty_console=s3cret" in response.headers["Set-Cookie"]
    seen = fake_console.seen[-1]
    assert seen["headers"]["Cookie"] == "legalduty_console=abc"
    assert seen["body"] == b"username=u"
    assert "Authorization" not in seen["headers"]
    assert not any(name.lower() == IDENTITY_HEADER.lower() for name in seen["headers"])
    assert seen["headers"]["X-Forwarded-For"] == "192.0.2.44"


def test_the_api_is_unchanged_beside_the_console(
    gw_with_console: GatewayKit, fake_console: FakeConsole
) -> None:
    unknown = gw_with_console.client.get("/api/no-such-thing")
    assert unknown.status_code in (401, 404)
    assert unknown.mimetype == "application/problem+json"
    assert gw_with_console.client.get("/api/roster/lawyers").status_code == 401
    assert gw_with_console.client.get("/healthz").get_json()["service"] == "gateway"
    assert fake_console.seen == []


def test_a_console_that_is_down_answers_503_with_retry_after(make_gateway: Callable[..., GatewayKit]) -> None:
    kit = make_gateway(LEGALDUTY_CONSOLE_PORT=str(closed_port()))
    response = kit.client.get("/login")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"


def test_the_gateway_throttles_console_log_ins_by_the_address_the_console_vouched_for(
    gw_with_console: GatewayKit,
) -> None:
    from services.common.clientaddr import HEADER, vouch

    gw_with_console.add_user("finance", username="fin")
    secret = gw_with_console.settings.internal_secret

    def attempt(address: str, header: str | None = None) -> int:
        headers = {HEADER: header or vouch(address, secret=secret)}
        return gw_with_console.client.post(
            "/api/auth/token",
            json={"username": f"nobody-{address}", "password": "x"},
            headers=headers,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code

    # the kit allows 6 attempts per client a minute: one browser's failures do not lock out the next browser
    assert [attempt("198.51.100.1") for _ in range(7)][-1] == 429
    assert attempt("198.51.100.2") == 401
    # a header the console did not sign counts as the console's own address
    forged = [attempt("198.51.100.3", header="198.51.100.3 0000") for _ in range(7)]
    assert forged[-1] == 429
