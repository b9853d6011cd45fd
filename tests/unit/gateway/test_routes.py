"""The route table: every contract route is in it, lookups are exact, and lawyers reach only their own."""

from __future__ import annotations

import pytest

from services.gateway.routes import (
    EVERYONE,
    FINANCE,
    ROUTES,
    SCHEDULER,
    Route,
    RouteTable,
    template_of,
)

TABLE = RouteTable()

# docs/api.md, "HTTP API": roster and subsidy: the routes the outside world relies on
CONTRACT_ROUTES = [
    ("POST", "/api/roster/lawyers"), ("GET", "/api/roster/lawyers/{id}"), ("GET", "/api/roster/lawyers"),
    ("PATCH", "/api/roster/lawyers/{id}"), ("POST", "/api/roster/stations"), ("POST", "/api/roster/duty-patterns"),
    ("PUT", "/api/roster/calendar/{year}"), ("GET", "/api/roster/calendar/{year}"), ("POST", "/api/roster/leaves"),
    ("POST", "/api/roster/rosters"), ("POST", "/api/roster/rosters/{id}/generate"),
    ("GET", "/api/roster/rosters/{id}"), ("GET", "/api/roster/rosters/{id}/assignments"),
    ("POST", "/api/roster/rosters/{id}/publish"), ("GET", "/api/roster/me/duties"),
    ("GET", "/api/roster/me/duties.ics"), ("POST", "/api/roster/assignments/{id}/check-in"),
    ("POST", "/api/roster/assignments/{id}/check-out"), ("POST", "/api/roster/swaps"),
    ("POST", "/api/roster/swaps/{id}/accept"), ("POST", "/api/roster/swaps/{id}/approve"),
    ("POST", "/api/subsidy/schemes"), ("POST", "/api/subsidy/claims"), ("GET", "/api/subsidy/claims"),
    ("GET", "/api/subsidy/claims/{id}"), ("POST", "/api/subsidy/claims/{id}/approve"),
    ("POST", "/api/subsidy/claims/{id}/reject"), ("POST", "/api/subsidy/budgets"),
    ("GET", "/api/subsidy/budgets/{id}"), ("POST", "/api/subsidy/payment-batches"),
    ("GET", "/api/subsidy/payment-batches/{id}/export.csv"), ("POST", "/api/subsidy/payment-batches/{id}/mark-paid"),
]

# what a lawyer may reach (docs/api.md: own duties, leave, check-in/out, swaps, own claims; their own
# lawyer record; stations and the calendar). A new lawyer row must be added here on purpose.
LAWYER_ROUTES = {
    ("GET", "/api/roster/me/duties"), ("GET", "/api/roster/me/duties.ics"),
    ("GET", "/api/roster/leaves"), ("POST", "/api/roster/leaves"), ("GET", "/api/roster/leaves/{id}"),
    ("GET", "/api/roster/assignments/{id}"), ("POST", "/api/roster/assignments/{id}/check-in"),
    ("POST", "/api/roster/assignments/{id}/check-out"),
    ("GET", "/api/roster/swaps"), ("POST", "/api/roster/swaps"), ("GET", "/api/roster/swaps/{id}"),
    ("POST", "/api/roster/swaps/{id}/accept"), ("POST", "/api/roster/swaps/{id}/decline"),
    ("GET", "/api/subsidy/claims"), ("POST", "/api/subsidy/claims"), ("GET", "/api/subsidy/claims/{id}"),
    ("GET", "/api/roster/stations"), ("GET", "/api/roster/stations/{id}"), ("GET", "/api/roster/calendar/{year}"),
    ("GET", "/api/roster/lawyers/{id}"),
}


def concrete(path: str) -> str:
    return path.replace("{year}", "2026").replace("{id}", "a1b2c3")


@pytest.mark.parametrize(("method", "path"), CONTRACT_ROUTES)
def test_every_contract_route_has_a_row_in_the_table(method: str, path: str) -> None:
    match = TABLE.match(method, concrete(path))
    assert match.route is not None, f"{method} {path} is not in the route table"
    assert match.route.backend == path.split("/")[2]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_row_is_found_by_a_request_to_its_path(route: Route) -> None:
    assert TABLE.match(route.method, concrete(route.path)).route == route


def test_a_lawyer_reaches_only_the_routes_the_contract_gives_lawyers() -> None:
    reachable = {(r.method, r.path) for r in ROUTES if "lawyer" in r.roles}
    assert reachable == LAWYER_ROUTES


def test_lawyers_never_decide_on_money_nor_make_rosters() -> None:
    for route in ROUTES:
        if route.path.endswith(("/approve", "/publish", "/generate", "/mark-paid", "/reassign")):
            assert "lawyer" not in route.roles, route


def test_only_finance_decides_on_claims_and_pays() -> None:
    for path in ("/api/subsidy/claims/{id}/approve", "/api/subsidy/claims/{id}/reject",
                 "/api/subsidy/payment-batches", "/api/subsidy/payment-batches/{id}/mark-paid"):
        assert TABLE.match("POST", concrete(path)).route.roles == FINANCE  # type: ignore[union-attr]


def test_only_the_scheduler_makes_and_publishes_rosters() -> None:
    for path in ("/api/roster/rosters", "/api/roster/rosters/{id}/generate", "/api/roster/rosters/{id}/publish",
                 "/api/roster/swaps/{id}/approve", "/api/roster/assignments/{id}/reassign"):
        assert TABLE.match("POST", concrete(path)).route.roles == SCHEDULER  # type: ignore[union-attr]


def test_a_path_not_in_the_table_is_not_found() -> None:
    for path in ("/api/roster/secret-admin", "/api/roster/lawyers/1/2/3", "/api/subsidy/claims/1/approve/x",
                 "/api/roster", "/api/roster/", "/api/payroll/anything"):
        match = TABLE.match("GET", path)
        assert match.route is None and match.allowed_methods == (), path


def test_a_known_path_with_another_method_names_the_allowed_methods() -> None:
    match = TABLE.match("DELETE", "/api/roster/lawyers/L-1")
    assert match.route is None
    assert match.allowed_methods == ("GET", "PATCH")


def test_head_is_allowed_where_get_is() -> None:
    assert TABLE.match("HEAD", "/api/roster/me/duties.ics").route is not None


def test_dot_segments_and_empty_segments_never_match_a_template() -> None:
    for path in ("/api/roster/lawyers/..", "/api/roster/lawyers/.", "/api/roster/lawyers//",
                 "/api/roster/assignments/../../subsidy/claims/x/approve/check-in"):
        assert TABLE.match("GET", path).route is None, path
        assert TABLE.match("POST", path).route is None, path


def test_a_literal_row_wins_over_a_template_on_the_same_path() -> None:
    assert TABLE.match("POST", "/api/subsidy/schemes/preview").route.path == "/api/subsidy/schemes/preview"  # type: ignore[union-attr]
    assert TABLE.match("GET", "/api/subsidy/schemes/preview").route.path == "/api/subsidy/schemes/{id}"  # type: ignore[union-attr]


def test_the_export_of_a_roster_is_not_mistaken_for_a_roster() -> None:
    route = TABLE.match("GET", "/api/roster/rosters/R1/export.xlsx").route
    assert route is not None and route.path == "/api/roster/rosters/{id}/export.xlsx"


def test_a_row_for_a_backend_outside_its_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="must live under"):
        RouteTable((Route("GET", "/api/roster/x", EVERYONE, backend="subsidy"),))


def test_a_row_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        RouteTable((Route("GET", "/api/roster/x", EVERYONE), Route("GET", "/api/roster/x", SCHEDULER)))


def test_a_row_with_an_unknown_role_or_none_is_refused() -> None:
    with pytest.raises(ValueError, match="roles"):
        RouteTable((Route("GET", "/api/roster/x", frozenset({"root"})),))
    with pytest.raises(ValueError, match="roles"):
        RouteTable((Route("GET", "/api/roster/x", frozenset()),))


def test_openapi_paths_compare_with_rows_whatever_the_parameter_names() -> None:
    assert template_of("/api/roster/lawyers/{lawyer_id}") == template_of("/api/roster/lawyers/{id}")
