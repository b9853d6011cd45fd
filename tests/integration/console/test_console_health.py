"""The console's probes: /healthz (the process answers) and /readyz (the gateway answers it too)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.common.settings import load_settings
from services.console.app import READY_TIMEOUT, create_app
from services.console.gatewayapi import ApiError

from .conftest import ConsoleKit


def test_the_console_is_alive_without_asking_the_gateway(console: ConsoleKit) -> None:
    response = console.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "service": "console"}
    assert not console.api.calls


def test_the_console_is_ready_when_the_gateway_answers(console: ConsoleKit) -> None:
    console.api.answers[("GET", "/healthz")] = {"status": "ok", "service": "gateway"}
    response = console.client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"gateway": "ok"}
    (call,) = console.api.made("GET", "/healthz")
    assert call.token is None


def test_the_console_is_not_ready_when_the_gateway_cannot_be_reached(console: ConsoleKit) -> None:
    console.api.answers[("GET", "/healthz")] = ApiError(
        503, "Service unavailable", "the API could not be reached"
    )
    response = console.client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "could not be reached" in body["checks"]["gateway"]


@pytest.fixture
def console_on(tmp_path: Path) -> Callable[[str], ConsoleKit]:
    """The console with its real HTTP client of the gateway, at the given URL."""

    def make(gateway_url: str) -> ConsoleKit:
        settings = load_settings(
            "console",
            {
                "LEGALDUTY_DATA_DIR": str(tmp_path),
                "LEGALDUTY_LOG_LEVEL": "WARNING",
                "LEGALDUTY_GATEWAY_URL": gateway_url,
            },
        )
        app = create_app(settings)
        return ConsoleKit(app, None, app.test_client())  # type: ignore[arg-type]

    return make


@pytest.fixture
def silent_gateway() -> Iterator[str]:
    """A port that accepts connections and never answers (a gateway that hangs)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_the_console_is_not_ready_within_a_probe_s_time_when_the_gateway_hangs(
    console_on: Callable[[str], ConsoleKit], silent_gateway: str
) -> None:
    kit = console_on(silent_gateway)
    started = time.monotonic()
    response = kit.client.get("/readyz")
    took = time.monotonic() - started
    assert response.status_code == 503
    assert READY_TIMEOUT <= took < 4, f"the probe waits 4 s; readiness took {took:.1f} s"


def test_the_console_is_not_ready_when_nothing_listens_at_the_gateway_address(
    console_on: Callable[[str], ConsoleKit],
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    response = console_on(f"http://127.0.0.1:{port}").client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
