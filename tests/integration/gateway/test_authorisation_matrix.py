"""Every role against every operation: allowed ones reach the service as the caller, refused ones are 403
before their body or query is looked at, through the gateway and straight at each service.

Built from the real services' documents (the gateway's table comes from them) and the gateway's own, so a
new operation is in the matrix by itself. A refused caller always sends an invalid body and query: the
answer must be 403, never 422 (a refused caller learns nothing about the schema).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.common.auth import IDENTITY_HEADER, ROLES, Identity, sign_identity
from services.common.settings import DEV_INTERNAL_SECRET, load_settings
from services.gateway.api.collaborators import collaborators as state_of
from services.gateway.routes import Route, routes_from_spec
from tests.operations import (
    INVALID_BODY,
    INVALID_QUERY,
    SERVICES,
    app_of,
    concrete,
    documented,
    roles_documented,
    spec_of,
)

from .conftest import GatewayKit

WRITES = ("POST", "PUT", "PATCH")
ALL_ROWS: list[Route] = [row for name in SERVICES for row in routes_from_spec(name, spec_of(name))]
ROWS = [row for row in ALL_ROWS if not row.public]
# operations a service declares public (the calendar feed at its secret address): no token, no identity
PUBLIC_ROWS = [row for row in ALL_ROWS if row.public]
# the gateway's own operations that some role may not call: (method, path, roles)
GATEWAY_OWN = sorted(
    (method, path, roles_documented(operation))
    for (method, _), (path, operation) in documented(spec_of("gateway")).items()
    if operation.get("x-roles") and roles_documented(operation) != frozenset(ROLES)
)
# every (service, method, path, roles) a service serves, for the calls straight at it
SERVICE_OPS = sorted(
    (name, method, path, roles_documented(operation))
    for name in SERVICES
    for (method, _), (path, operation) in documented(spec_of(name)).items()
    if not operation.get("x-public")
)


def refused(roles: frozenset[str]) -> list[str]:
    return [role for role in ROLES if role not in roles]


def send_invalid(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> Any:
    """The request with a query and (for writes) a body that no schema of the API accepts."""
    return client.open(
        f"{concrete(path)}?{INVALID_QUERY}",
        method=method,
        headers=headers,
        json=INVALID_BODY if method in WRITES else None,
    )


def assert_refused(response: Any, who: str) -> None:
    assert response.status_code == 403, (
        f"{who}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    )
    assert response.content_type == "application/problem+json"
    assert "errors" not in response.get_json(), f"{who}: a refused caller was told about the schema"


@pytest.fixture
def callers(gw: GatewayKit) -> dict[str, dict[str, str]]:
    return {role: gw.auth(gw.add_user(role)) for role in ROLES}


# ---- through the gateway ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_each_role_is_let_through_or_refused_as_the_service_declares(
    gw: GatewayKit, callers: dict[str, dict[str, str]], route: Route
) -> None:
    fake = gw.fakes[route.backend]
    path = concrete(route.path)
    for role in ROLES:
        fake.seen.clear()
        if role in route.roles:
            response = gw.client.open(
                path, method=route.method, headers=callers[role], json={} if route.method in WRITES else None
            )
            assert response.status_code == 200, f"{role} was refused {route.method} {route.path}"
            assert len(fake.seen) == 1
            assert fake.seen[0].path == path
            assert fake.seen[0].identity is not None
            assert fake.seen[0].identity.role == role
        else:
            response = send_invalid(gw.client, route.method, route.path, callers[role])
            assert_refused(response, f"{role} {route.method} {route.path} through the gateway")
            assert fake.seen == [], f"{role}'s refused request reached the {route.backend} service"


@pytest.mark.parametrize(
    ("method", "path", "roles"), GATEWAY_OWN, ids=lambda v: str(v) if isinstance(v, str) else ""
)
def test_a_refused_role_gets_403_from_the_gateways_own_operations_whatever_it_sends(
    gw: GatewayKit, callers: dict[str, dict[str, str]], method: str, path: str, roles: frozenset[str]
) -> None:
    assert refused(roles)
    for role in refused(roles):
        assert_refused(send_invalid(gw.client, method, path, callers[role]), f"{role} {method} {path}")


def test_a_lawyer_posting_a_malformed_user_is_refused_not_told_the_schema(
    gw: GatewayKit, callers: dict[str, dict[str, str]]
) -> None:
    response = gw.client.post(
        "/api/users", headers=callers["lawyer"], data="{not json", content_type="application/json"
    )
    assert_refused(response, "lawyer POST /api/users")
    # the control: the administrator sending the same gets the validation answer, so the 403 is the role's
    assert gw.client.post("/api/users", headers=callers["admin"], json=INVALID_BODY).status_code == 422


def test_the_only_public_operation_is_the_calendar_feed() -> None:
    assert [(r.method, r.path) for r in PUBLIC_ROWS] == [("GET", "/api/roster/calendar-feeds/{token}.ics")]


@pytest.mark.parametrize("route", ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_no_route_is_reachable_without_a_token(gw: GatewayKit, route: Route) -> None:
    response = gw.client.open(concrete(route.path), method=route.method)
    assert response.status_code == 401
    assert gw.fakes[route.backend].seen == []


@pytest.mark.parametrize("route", PUBLIC_ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_a_public_operation_is_forwarded_with_no_identity_whoever_calls(
    gw: GatewayKit, callers: dict[str, dict[str, str]], route: Route
) -> None:
    fake = gw.fakes[route.backend]
    fake.answers[(route.method, concrete(route.path))] = (
        200,
        b"BEGIN:VCALENDAR",
        {"Content-Type": "text/calendar"},
    )
    for headers in [{}, {"Authorization": "Bearer not-a-token"}, *callers.values()]:
        fake.seen.clear()
        response = gw.client.open(concrete(route.path), method=route.method, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert len(fake.seen) == 1
        assert fake.seen[0].identity is None  # the service authenticates it by itself (the feed's token)
        assert "authorization" not in {name.lower() for name in fake.seen[0].headers}


def test_a_lawyer_is_forwarded_as_themself_so_the_service_can_filter_to_their_own(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-42")
    response = gw.client.get("/api/subsidy/claims/C-1", headers=gw.auth(lawyer))
    identity = response.get_json()["identity"]
    assert identity == {
        "user_id": lawyer.id,
        "username": lawyer.username,
        "role": "lawyer",
        "lawyer_id": "L-42",
    }


def test_another_lawyers_object_answered_404_by_the_service_stays_404(gw: GatewayKit) -> None:
    gw.fakes["roster"].answers[("POST", "/api/roster/assignments/A-other/check-in")] = (
        404,
        {"type": "about:blank", "title": "Not found", "status": 404, "detail": "no such assignment"},
        {},
    )
    response = gw.client.post("/api/roster/assignments/A-other/check-in", headers=gw.auth("lawyer"))
    assert response.status_code == 404
    assert response.get_json()["detail"] == "no such assignment"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/roster/admin/dump"),
        ("PUT", "/api/subsidy/payroll"),
        ("GET", "/api/roster"),
        ("GET", "/api/subsidy/claims/C-1/approve/extra"),
        ("POST", "/api/roster/lawyers/../../subsidy/claims"),
        ("GET", "/api/roster/leaves/L-1"),
        ("GET", "/api/roster/assignments/A-1"),
        ("GET", "/api/roster/swaps/S-1"),
    ],
)
def test_an_operation_no_service_documents_is_not_found_and_never_forwarded(
    gw: GatewayKit, method: str, path: str
) -> None:
    response = gw.client.open(path, method=method, headers=gw.auth("admin"))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert gw.fakes["roster"].seen == []
    assert gw.fakes["subsidy"].seen == []


def test_a_known_path_with_a_method_no_service_documents_is_405_with_allow(gw: GatewayKit) -> None:
    response = gw.client.delete("/api/roster/lawyers/L-1", headers=gw.auth("scheduler"))
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH"
    assert gw.fakes["roster"].seen == []


def test_while_a_services_document_is_not_known_its_routes_are_503_and_asked_again_next_time(
    gw: GatewayKit,
) -> None:
    roster = gw.fakes["roster"]
    roster.spec = None  # the service answers, but not (yet) with its document
    response = gw.client.get("/api/roster/stations", headers=gw.auth("scheduler"))
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["backend"] == "roster"
    assert roster.seen == [], "nothing is forwarded on a guess"
    assert (
        gw.client.get("/api/subsidy/claims", headers=gw.auth("finance")).status_code == 200
    )  # the other is known
    roster.spec = roster.default_spec
    assert gw.client.get("/api/roster/stations", headers=gw.auth("scheduler")).status_code == 200


def test_the_last_known_document_keeps_the_routes_while_its_service_stops_publishing_it(
    make_gateway: Any,
) -> None:
    gw = make_gateway()
    state_of(gw.app).specs.ttl, state_of(gw.app).specs.retry = 0.0, 60.0
    assert gw.client.get("/api/roster/stations", headers=gw.auth("scheduler")).status_code == 200
    gw.fakes["roster"].spec = None
    assert gw.client.get("/api/roster/stations", headers=gw.auth("scheduler")).status_code == 200
    assert gw.client.get("/api/roster/stations", headers=gw.auth("finance")).status_code == 403


# ---- straight at each service, with a signed identity (as the gateway sends it) -----------------------


def identity_headers(service: str, role: str) -> dict[str, str]:
    identity = Identity(
        user_id=f"{role}-1", username=role, role=role, lawyer_id="L-1" if role == "lawyer" else None
    )
    return {IDENTITY_HEADER: sign_identity(identity, secret=DEV_INTERNAL_SECRET, audience=service)}


@pytest.mark.parametrize(
    ("service", "method", "path", "roles"), SERVICE_OPS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_service_refuses_a_role_it_does_not_declare_before_validating_anything(
    service: str, method: str, path: str, roles: frozenset[str]
) -> None:
    assert roles, f"{service} documents {method} {path} without x-roles"
    client = app_of(service).test_client()
    for role in refused(roles):
        assert_refused(
            send_invalid(client, method, path, identity_headers(service, role)),
            f"{role} {method} {path} at {service}",
        )


# the operations that take a JSON body: an allowed caller sending the invalid one is told what is wrong
VALIDATED = [
    (name, method, path, roles)
    for name in SERVICES
    for (method, _), (path, operation) in documented(spec_of(name)).items()
    if "application/json" in ((operation.get("requestBody") or {}).get("content") or {})
    for roles in [roles_documented(operation)]
]


@pytest.mark.parametrize(
    ("service", "method", "path", "roles"), VALIDATED, ids=lambda v: v if isinstance(v, str) else ""
)
def test_an_allowed_role_sending_the_same_invalid_body_is_told_what_is_wrong(
    service: str, method: str, path: str, roles: frozenset[str]
) -> None:
    """The control for the test above: the body refused callers send is invalid, so 403 is the role's doing."""
    client = app_of(service).test_client()
    role = sorted(roles)[0]
    response = send_invalid(client, method, path, identity_headers(service, role))
    assert response.status_code == 422, f"{role} {method} {path}: {response.get_data(as_text=True)[:300]}"
    assert response.get_json()["errors"]


def test_a_view_that_declares_no_roles_is_refused_to_everyone(tmp_path: Path) -> None:
    from services.subsidy.app import create_app

    app = create_app(
        load_settings("subsidy", {"LEGALDUTY_DATA_DIR": str(tmp_path), "LEGALDUTY_LOG_LEVEL": "ERROR"})
    )
    app.add_url_rule("/api/subsidy/forgotten", "forgotten", lambda: "the view ran")
    client = app.test_client()
    for role in ROLES:
        assert_refused(client.get("/api/subsidy/forgotten", headers=identity_headers("subsidy", role)), role)
    assert client.get("/api/subsidy/forgotten").status_code == 401
