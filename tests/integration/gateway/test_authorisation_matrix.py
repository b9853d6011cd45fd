"""Every role against every row of the route table: allowed rows reach the service as the caller, refused
ones stop at the gateway with 403. Built from the table, so a new row is in the matrix by itself."""

from __future__ import annotations

import pytest

from services.common.auth import ROLES
from services.gateway.routes import ROUTES, Route

from .conftest import GatewayKit


def concrete(path: str) -> str:
    return path.replace("{year}", "2027").replace("{id}", "obj-7")


@pytest.fixture
def callers(gw: GatewayKit) -> dict[str, dict[str, str]]:
    return {role: gw.auth(gw.add_user(role)) for role in ROLES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_each_role_is_let_through_or_refused_as_the_route_table_says(
    gw: GatewayKit, callers: dict[str, dict[str, str]], route: Route
) -> None:
    fake = gw.fakes[route.backend]
    path = concrete(route.path)
    for role in ROLES:
        fake.seen.clear()
        response = gw.client.open(path, method=route.method, headers=callers[role],
                                  json={} if route.method in ("POST", "PUT", "PATCH") else None)
        if role in route.roles:
            assert response.status_code == 200, f"{role} was refused {route.method} {route.path}"
            assert len(fake.seen) == 1 and fake.seen[0].path == path
            assert fake.seen[0].identity is not None and fake.seen[0].identity.role == role
        else:
            assert response.status_code == 403, f"{role} was let through {route.method} {route.path}"
            assert response.content_type == "application/problem+json"
            assert fake.seen == [], f"{role}'s refused request reached the {route.backend} service"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_no_route_is_reachable_without_a_token(gw: GatewayKit, route: Route) -> None:
    response = gw.client.open(concrete(route.path), method=route.method)
    assert response.status_code == 401
    assert gw.fakes[route.backend].seen == []


def test_a_lawyer_is_forwarded_as_themself_so_the_service_can_filter_to_their_own(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-42")
    response = gw.client.get("/api/subsidy/claims/C-1", headers=gw.auth(lawyer))
    identity = response.get_json()["identity"]
    assert identity == {"user_id": lawyer.id, "username": lawyer.username, "role": "lawyer", "lawyer_id": "L-42"}


def test_another_lawyers_object_answered_404_by_the_service_stays_404(gw: GatewayKit) -> None:
    gw.fakes["roster"].answers[("POST", "/api/roster/assignments/A-other/check-in")] = (
        404, {"type": "about:blank", "title": "Not found", "status": 404, "detail": "no such assignment"}, {})
    response = gw.client.post("/api/roster/assignments/A-other/check-in", headers=gw.auth("lawyer"))
    assert response.status_code == 404 and response.get_json()["detail"] == "no such assignment"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/roster/admin/dump"), ("PUT", "/api/subsidy/payroll"), ("GET", "/api/roster"),
     ("GET", "/api/subsidy/claims/C-1/approve/extra"), ("POST", "/api/roster/lawyers/../../subsidy/claims")],
)
def test_a_route_not_in_the_table_is_not_found_and_never_forwarded(gw: GatewayKit, method: str, path: str) -> None:
    response = gw.client.open(path, method=method, headers=gw.auth("admin"))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert gw.fakes["roster"].seen == [] and gw.fakes["subsidy"].seen == []


def test_a_known_path_with_a_method_not_in_the_table_is_405_with_allow(gw: GatewayKit) -> None:
    response = gw.client.delete("/api/roster/lawyers/L-1", headers=gw.auth("scheduler"))
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH"
    assert gw.fakes["roster"].seen == []
