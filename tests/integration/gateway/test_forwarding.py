"""Forwarding: what reaches a service is what the client sent (minus what speaks for the caller), what
comes back is what the service said, and a service that is down or slow gives a quick problem."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from werkzeug.serving import make_server

from services.common.auth import IDENTITY_HEADER

from .conftest import GatewayKit
from .fakes import KeepAliveBackend


@pytest.fixture
def served(gw: GatewayKit) -> Iterator[str]:
    """The gateway on a real port (threaded), for streaming and connection reuse."""
    server = make_server("127.0.0.1", 0, gw.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_request_id_is_made_when_absent_passed_to_the_service_and_returned(gw: GatewayKit) -> None:
    response = gw.client.get("/api/roster/stations", headers=gw.auth("scheduler"))
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) >= 16
    assert gw.fakes["roster"].seen[0].headers["X-Request-Id"] == request_id


def test_the_clients_request_id_is_kept_end_to_end(gw: GatewayKit) -> None:
    headers = {**gw.auth("scheduler"), "X-Request-ID": "trace-2026-11-27.abc"}
    response = gw.client.get("/api/roster/stations", headers=headers)
    assert response.headers["X-Request-ID"] == "trace-2026-11-27.abc"
    assert gw.fakes["roster"].seen[0].headers["X-Request-Id"] == "trace-2026-11-27.abc"


def test_a_request_id_that_is_not_a_plain_token_is_replaced(gw: GatewayKit) -> None:
    headers = {**gw.auth("scheduler"), "X-Request-ID": "x" * 500}
    response = gw.client.get("/api/roster/stations", headers=headers)
    assert response.headers["X-Request-ID"] != "x" * 500
    assert gw.fakes["roster"].seen[0].headers["X-Request-Id"] == response.headers["X-Request-ID"]


def test_the_body_and_query_string_reach_the_service_byte_for_byte(gw: GatewayKit) -> None:
    body = "名称,执业证号\r\n阿依古丽,16540120101234567\r\n".encode("gbk") + bytes(range(256))
    query = "region_code=654021&status=practising&status=intern&name=%E9%98%BF%20b%2Bc&empty="
    response = gw.client.post(
        f"/api/roster/imports/lawyers?{query}",
        data=body,
        headers={**gw.auth("scheduler"), "Content-Type": "text/csv; charset=gbk"},
    )
    assert response.status_code == 200
    seen = gw.fakes["roster"].seen[0]
    assert seen.body == body
    assert seen.query.decode() == query
    assert seen.headers["Content-Type"] == "text/csv; charset=gbk"


def test_the_users_token_never_reaches_a_service_only_the_signed_identity(gw: GatewayKit) -> None:
    user = gw.add_user("finance")
    headers = {**gw.auth(user), IDENTITY_HEADER: "forged-by-the-client", "Cookie": "a=b"}
    response = gw.client.get("/api/subsidy/claims", headers=headers)
    seen = gw.fakes["subsidy"].seen[0]
    assert "Authorization" not in seen.headers
    assert "Cookie" not in seen.headers
    assert seen.headers[IDENTITY_HEADER] != "forged-by-the-client"
    assert response.get_json()["identity"]["user_id"] == user.id


def test_the_identity_is_signed_for_the_service_it_goes_to(gw: GatewayKit) -> None:
    headers = gw.auth("admin")
    gw.client.get("/api/subsidy/claims", headers=headers)
    gw.client.get("/api/roster/stations", headers=headers)
    # each fake verifies with its own audience; an identity for the other service would read as None
    assert gw.fakes["subsidy"].seen[0].identity is not None
    assert gw.fakes["roster"].seen[0].identity is not None


def test_the_services_status_headers_and_body_come_back_without_hop_by_hop_headers(gw: GatewayKit) -> None:
    gw.fakes["roster"].answers[("POST", "/api/roster/lawyers")] = (
        201,
        {"id": "L-1"},
        {"ETag": '"v1"', "Location": "/api/roster/lawyers/L-1", "Keep-Alive": "timeout=5"},
    )
    response = gw.client.post("/api/roster/lawyers", json={"name": "x"}, headers=gw.auth("scheduler"))
    assert response.status_code == 201
    assert response.get_json() == {"id": "L-1"}
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Location"] == "/api/roster/lawyers/L-1"
    assert "Keep-Alive" not in response.headers
    echo = gw.client.get("/api/roster/stations", headers=gw.auth("scheduler"))
    assert echo.headers["X-Backend"] == "roster"
    assert "Proxy-Authenticate" not in echo.headers


def test_a_services_problem_is_passed_on_as_it_is(gw: GatewayKit) -> None:
    problem = {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "rule 2: two duties on one day",
    }
    gw.fakes["roster"].answers[("POST", "/api/roster/swaps/S-1/approve")] = (
        409,
        problem,
        {"Content-Type": "application/problem+json"},
    )
    response = gw.client.post("/api/roster/swaps/S-1/approve", headers=gw.auth("scheduler"))
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.get_json() == problem


def test_a_service_that_is_down_gives_503_problem_quickly(
    make_gateway: Callable[..., GatewayKit], downed_port: int
) -> None:
    gw = make_gateway(roster_port=downed_port)
    headers = gw.auth("scheduler")
    started = time.monotonic()
    response = gw.client.get("/api/roster/stations", headers=headers)
    took = time.monotonic() - started
    assert response.status_code == 503
    assert took < 1.0
    body = response.get_json()
    assert response.content_type == "application/problem+json"
    assert body["status"] == 503
    assert "roster" in body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert response.headers["Retry-After"]
    # the other service is unaffected
    assert gw.client.get("/api/subsidy/claims", headers=gw.auth("finance")).status_code == 200


def test_a_service_that_does_not_answer_in_time_gives_504_not_a_hang(
    make_gateway: Callable[..., GatewayKit],
) -> None:
    gw = make_gateway(read_timeout=0.3)
    gw.fakes["subsidy"].delay = 1.5
    started = time.monotonic()
    response = gw.client.get("/api/subsidy/claims", headers=gw.auth("finance"))
    assert response.status_code == 504
    assert time.monotonic() - started < 1.2
    assert response.content_type == "application/problem+json"


def test_an_export_is_streamed_to_the_client_as_the_service_writes_it(gw: GatewayKit, served: str) -> None:
    fake = gw.fakes["subsidy"]
    with requests.get(
        f"{served}/api/subsidy/payment-batches/B-1/export.csv",
        headers=gw.auth("finance"),
        stream=True,
        timeout=10,
    ) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.headers["Content-Disposition"] == 'attachment; filename="batch.csv"'
        chunks = response.iter_content(chunk_size=None)
        first = next(chunks)
        # the service has not finished the file yet: the first line came through on its own
        assert first == b"lawyer_id,total\r\n"
        assert not fake.release_stream.is_set()
        fake.release_stream.set()
        rest = b"".join(chunks)
    assert rest == b"L-1,120.00\r\n"


def test_connections_to_a_service_are_reused(make_gateway: Callable[..., GatewayKit]) -> None:
    backend = KeepAliveBackend()
    try:
        gw = make_gateway(roster_port=backend.port)
        headers = gw.auth("scheduler")
        for _ in range(20):
            assert gw.client.get("/api/roster/stations", headers=headers).status_code == 200
    finally:
        backend.stop()
    assert len(backend.ports) == 20
    assert len(set(backend.ports)) == 1, "every request opened a new connection"


def test_a_head_request_is_forwarded_where_get_is_allowed(gw: GatewayKit) -> None:
    response = gw.client.head("/api/roster/stations", headers=gw.auth("lawyer"))
    assert response.status_code == 200
    assert gw.fakes["roster"].seen[0].method == "HEAD"
