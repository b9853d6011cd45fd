"""An operation a service declares public (a phone fetching its calendar feed by its secret address) goes
through the gateway with no token, throttled per client address like log-in attempts."""

from __future__ import annotations

from datetime import timedelta

from services.gateway.api.collaborators import collaborators
from services.gateway.domain.throttling import ThrottlePolicy

from .conftest import GatewayKit

FEED = "/api/roster/calendar-feeds/secret-token.ics"


def test_a_phone_fetches_a_calendar_feed_through_the_gateway_with_no_token(gw: GatewayKit) -> None:
    roster = gw.fakes["roster"]
    roster.answers[("GET", FEED)] = (
        200,
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        {"Content-Type": "text/calendar"},
    )
    response = gw.client.get(FEED)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.data.startswith(b"BEGIN:VCALENDAR")
    assert [s.path for s in roster.seen] == [FEED]


def test_the_services_not_found_for_a_revoked_address_reaches_the_phone(gw: GatewayKit) -> None:
    gw.fakes["roster"].answers[("GET", FEED)] = (
        404,
        {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no such calendar"},
        {},
    )
    response = gw.client.get(FEED)
    assert response.status_code == 404
    assert response.get_json()["detail"] == "no such calendar"


def test_public_calls_from_one_address_are_throttled_and_the_throttled_one_is_not_forwarded(
    gw: GatewayKit,
) -> None:
    collaborators(gw.app).throttle = ThrottlePolicy(per_client_public=3, window=timedelta(minutes=1))
    roster = gw.fakes["roster"]
    roster.answers[("GET", FEED)] = (
        200,
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        {"Content-Type": "text/calendar"},
    )
    assert [gw.client.get(FEED).status_code for _ in range(3)] == [200, 200, 200]
    throttled = gw.client.get(FEED)
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 61
    assert "too many requests from this address" in throttled.get_json()["detail"]
    assert len(roster.seen) == 3
    other = gw.client.get(FEED, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another address is counted apart
    assert (
        gw.client.get("/api/roster/stations", headers=gw.auth("scheduler")).status_code == 200
    )  # tokens unaffected


def test_operations_that_are_not_public_still_need_a_token(gw: GatewayKit) -> None:
    for path in ("/api/roster/me/duties.ics", "/api/roster/me/calendar-link"):
        response = gw.client.open(path, method="GET" if path.endswith(".ics") else "POST")
        assert response.status_code == 401
    assert gw.fakes["roster"].seen == []
