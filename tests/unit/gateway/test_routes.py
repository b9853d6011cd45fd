"""Who may call what, declared once: the views' roles, the services' documents and the gateway's table agree.

The table is built from the real services' OpenAPI documents, as the gateway builds it at run time.
Both directions are checked for every app: every operation it serves has a row (with roles), and every row
is an operation it serves.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.common.auth import ROLES, public, require_roles, roles_of
from services.gateway.openapi import SpecCache
from services.gateway.routes import (
    Route,
    RouteIndex,
    RoutesUnknown,
    RouteTable,
    routes_from_spec,
    template_of,
)
from tests.operations import SERVICES, app_of, concrete, documented, roles_documented, served, spec_of

FINANCE = frozenset({"finance"})
SCHEDULER = frozenset({"scheduler"})
EVERYONE = frozenset(ROLES)


def table() -> RouteTable:
    return RouteTable(spec_of)


TABLE = table()

# docs/api.md, "HTTP API": roster and subsidy: the routes the outside world relies on
CONTRACT_ROUTES = [
    ("POST", "/api/roster/lawyers"),
    ("GET", "/api/roster/lawyers/{id}"),
    ("GET", "/api/roster/lawyers"),
    ("PATCH", "/api/roster/lawyers/{id}"),
    ("POST", "/api/roster/stations"),
    ("POST", "/api/roster/duty-patterns"),
    ("PUT", "/api/roster/calendar/{year}"),
    ("GET", "/api/roster/calendar/{year}"),
    ("POST", "/api/roster/leaves"),
    ("POST", "/api/roster/rosters"),
    ("POST", "/api/roster/rosters/{id}/generate"),
    ("GET", "/api/roster/rosters/{id}"),
    ("GET", "/api/roster/rosters/{id}/assignments"),
    ("POST", "/api/roster/rosters/{id}/publish"),
    ("GET", "/api/roster/me/duties"),
    ("GET", "/api/roster/me/duties.ics"),
    ("POST", "/api/roster/assignments/{id}/check-in"),
    ("POST", "/api/roster/assignments/{id}/check-out"),
    ("POST", "/api/roster/swaps"),
    ("POST", "/api/roster/swaps/{id}/accept"),
    ("POST", "/api/roster/swaps/{id}/approve"),
    ("POST", "/api/roster/me/calendar-link"),
    ("DELETE", "/api/roster/me/calendar-link"),
    ("POST", "/api/roster/rosters/{id}/replan"),
    ("GET", "/api/roster/assignments/{id}/substitutes"),
    ("POST", "/api/subsidy/schemes"),
    ("POST", "/api/subsidy/claims"),
    ("GET", "/api/subsidy/claims"),
    ("GET", "/api/subsidy/claims/{id}"),
    ("POST", "/api/subsidy/claims/{id}/approve"),
    ("POST", "/api/subsidy/claims/{id}/reject"),
    ("POST", "/api/subsidy/budgets"),
    ("GET", "/api/subsidy/budgets/{id}"),
    ("POST", "/api/subsidy/payment-batches"),
    ("GET", "/api/subsidy/payment-batches/{id}/export.csv"),
    ("POST", "/api/subsidy/payment-batches/{id}/mark-paid"),
    ("POST", "/api/subsidy/claims/{id}/grade"),
    ("PATCH", "/api/subsidy/claims/{id}"),
    ("POST", "/api/subsidy/claims/imports"),
    ("GET", "/api/subsidy/claims/imports/template.xlsx"),
    ("POST", "/api/subsidy/claims/approvals"),
]

# what a lawyer may reach (docs/api.md: own duties, leave, check-in/out, swaps, own claims; their own
# lawyer record; stations and the calendar). A new lawyer operation must be added here on purpose.
LAWYER_ROUTES = {
    ("GET", "/api/roster/me/duties"),
    ("GET", "/api/roster/me/duties.ics"),
    ("GET", "/api/roster/leaves"),
    ("POST", "/api/roster/leaves"),
    ("POST", "/api/roster/assignments/{}/check-in"),
    ("POST", "/api/roster/assignments/{}/check-out"),
    ("GET", "/api/roster/swaps"),
    ("POST", "/api/roster/swaps"),
    ("POST", "/api/roster/swaps/{}/accept"),
    ("POST", "/api/roster/swaps/{}/decline"),
    ("GET", "/api/subsidy/claims"),
    ("POST", "/api/subsidy/claims"),
    ("GET", "/api/subsidy/claims/{}"),
    ("PATCH", "/api/subsidy/claims/{}"),  # a lawyer completes their own claim's file (documents)
    ("GET", "/api/roster/stations"),
    ("GET", "/api/roster/stations/{}"),
    ("GET", "/api/roster/calendar/{}"),
    ("GET", "/api/roster/lawyers/{}"),
    ("GET", "/api/subsidy/lawyers/{}/bank-account"),
    ("PUT", "/api/subsidy/lawyers/{}/bank-account"),
    ("POST", "/api/roster/me/calendar-link"),
    ("DELETE", "/api/roster/me/calendar-link"),
    ("GET", "/api/roster/languages"),
}
# what anyone may reach with no token: only the calendar feed, whose secret address is its credential
PUBLIC_ROUTES = {("GET", "/api/roster/calendar-feeds/{}.ics")}


def role_of(route: Route | None) -> frozenset[str]:
    assert route is not None
    return route.roles


# ---- both directions, for every app ------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_a_service_serves_has_a_row_with_the_roles_its_view_declares(service: str) -> None:
    app = app_of(service)
    rows = {(r.method, template_of(r.path)): r for r in TABLE.index(service).routes}
    missing, differ = [], []
    for (method, path), endpoint in served(app).items():
        row = rows.get((method, path))
        declared = roles_of(app.view_functions[endpoint])
        if row is None:
            missing.append(f"{method} {path}")
        elif declared is None or row.roles != declared or row.public != (declared == frozenset()):
            differ.append(
                f"{method} {path}: view {sorted(declared or ())}, table {sorted(row.roles)}"
                f"{' (public)' if row.public else ''}"
            )
    assert not missing, (
        f"served by {service} but not in the gateway's table (declare @require_roles): {missing}"
    )
    assert not differ, differ


@pytest.mark.parametrize("service", SERVICES)
def test_every_row_of_the_table_is_an_operation_its_service_serves(service: str) -> None:
    serves = served(app_of(service))
    rows = TABLE.index(service).routes
    assert rows
    not_served = [f"{r.method} {r.path}" for r in rows if (r.method, template_of(r.path)) not in serves]
    assert not not_served, f"rows no {service} view serves: {not_served}"
    assert all(r.backend == service for r in rows)


def test_every_operation_of_the_gateway_itself_declares_its_roles_in_the_view_and_the_document() -> None:
    app = app_of("gateway")
    serves, docs = served(app), documented(spec_of("gateway"))
    assert set(serves) == set(docs), "the gateway serves what its document lists, and only that"
    for key, endpoint in serves.items():
        declared = roles_of(app.view_functions[endpoint])
        assert declared is not None, f"{key}: the view declares no roles"
        path, operation = docs[key]
        if declared:
            assert roles_documented(operation) == declared, key
        else:
            assert operation.get("x-public") is True, key
            assert operation.get("security") == [], key
    public_ones = sorted(k for k, e in serves.items() if roles_of(app.view_functions[e]) == frozenset())
    assert public_ones == [("POST", "/api/auth/token")]


def test_the_gateways_forwarding_view_leaves_who_may_pass_to_the_table() -> None:
    app = app_of("gateway")
    forwarding = [e for e in app.view_functions if e.startswith("forward.")]
    assert forwarding
    assert all(roles_of(app.view_functions[e]) == frozenset() for e in forwarding)


# ---- what the contract says about roles ---------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), CONTRACT_ROUTES)
def test_every_contract_route_has_a_row_in_the_table(method: str, path: str) -> None:
    match = TABLE.match(method, concrete(path))
    assert match.route is not None, f"{method} {path} is not in the route table"
    assert match.route.backend == path.split("/")[2]


def test_every_row_is_found_by_a_request_to_its_path() -> None:
    for route in TABLE.routes():
        assert TABLE.match(route.method, concrete(route.path)).route == route


def test_a_lawyer_reaches_only_the_routes_the_contract_gives_lawyers() -> None:
    reachable = {(r.method, template_of(r.path)) for r in TABLE.routes() if "lawyer" in r.roles}
    assert reachable == LAWYER_ROUTES


def test_only_the_calendar_feed_is_reached_without_a_token() -> None:
    public_rows = {(r.method, template_of(r.path)) for r in TABLE.routes() if r.public}
    assert public_rows == PUBLIC_ROUTES
    assert all(not r.roles for r in TABLE.routes() if r.public)
    assert all(r.roles for r in TABLE.routes() if not r.public)


def test_an_operation_both_public_and_with_roles_is_not_trusted() -> None:
    spec = {"paths": {"/api/roster/x": {"get": {"x-public": True, "x-roles": ["lawyer"]}}}}
    with pytest.raises(ValueError, match="public and x-roles"):
        routes_from_spec("roster", spec)


def test_a_row_is_either_public_or_for_some_roles() -> None:
    with pytest.raises(ValueError, match="none: public"):
        RouteIndex((Route("GET", "/api/roster/x", SCHEDULER, public=True),))
    with pytest.raises(ValueError, match="none: public"):
        RouteIndex((Route("GET", "/api/roster/x", frozenset()),))
    assert (
        RouteIndex((Route("GET", "/api/roster/x", frozenset(), public=True),))
        .match("GET", "/api/roster/x")
        .route
        is not None
    )


def test_lawyers_never_decide_on_money_nor_make_rosters() -> None:
    for route in TABLE.routes():
        if route.path.endswith(
            ("/approve", "/publish", "/generate", "/mark-paid", "/reassign", "/replan", "/substitutes")
        ):
            assert "lawyer" not in route.roles, route


def test_only_finance_decides_on_claims_and_pays() -> None:
    for path in (
        "/api/subsidy/claims/{id}/approve",
        "/api/subsidy/claims/{id}/reject",
        "/api/subsidy/claims/{id}/grade",
        "/api/subsidy/claims/imports",
        "/api/subsidy/claims/approvals",
        "/api/subsidy/payment-batches",
        "/api/subsidy/payment-batches/{id}/mark-paid",
    ):
        assert role_of(TABLE.match("POST", concrete(path)).route) == FINANCE


def test_only_finance_downloads_bank_files_and_only_finance_and_schedulers_ask_for_estimates() -> None:
    assert (
        role_of(TABLE.match("GET", concrete("/api/subsidy/payment-batches/{id}/bank-file")).route) == FINANCE
    )
    assert role_of(TABLE.match("POST", "/api/subsidy/estimates").route) == frozenset({"finance", "scheduler"})
    assert role_of(TABLE.match("GET", concrete("/api/subsidy/lawyers/{id}/bank-account")).route) == frozenset(
        {"finance", "lawyer"}
    )


def test_only_the_scheduler_makes_and_publishes_rosters() -> None:
    for path in (
        "/api/roster/rosters",
        "/api/roster/rosters/{id}/generate",
        "/api/roster/rosters/{id}/publish",
        "/api/roster/swaps/{id}/approve",
        "/api/roster/assignments/{id}/reassign",
        "/api/roster/rosters/{id}/replan",
    ):
        assert role_of(TABLE.match("POST", concrete(path)).route) == SCHEDULER
    assert (
        role_of(TABLE.match("GET", concrete("/api/roster/assignments/{id}/substitutes")).route) == SCHEDULER
    )


def test_swaps_are_asked_by_lawyers_and_declined_by_a_party_or_the_scheduler() -> None:
    assert role_of(TABLE.match("POST", "/api/roster/swaps").route) == {"lawyer"}
    assert role_of(TABLE.match("POST", "/api/roster/swaps/S-1/decline").route) == {"lawyer", "scheduler"}


def test_case_claims_are_submitted_by_lawyers_and_finance_never_the_administrator() -> None:
    assert role_of(TABLE.match("POST", "/api/subsidy/claims").route) == {"lawyer", "finance"}


# ---- looking a request up -----------------------------------------------------------------------------


def test_a_path_not_in_the_table_is_not_found() -> None:
    for path in (
        "/api/roster/secret-admin",
        "/api/roster/lawyers/1/2/3",
        "/api/subsidy/claims/1/approve/x",
        "/api/roster",
        "/api/roster/",
        "/api/payroll/anything",
        "/api/roster/leaves/L-1",
        "/api/roster/assignments/A-1",
        "/api/roster/swaps/S-1",
    ):
        match = TABLE.match("GET", path)
        assert match.route is None, path
        assert match.allowed_methods == (), path


def test_a_known_path_with_another_method_names_the_allowed_methods() -> None:
    match = TABLE.match("DELETE", "/api/roster/lawyers/L-1")
    assert match.route is None
    assert match.allowed_methods == ("GET", "PATCH")


def test_head_is_allowed_where_get_is() -> None:
    assert TABLE.match("HEAD", "/api/roster/me/duties.ics").route is not None


def test_dot_segments_and_empty_segments_never_match_a_template() -> None:
    for path in (
        "/api/roster/lawyers/..",
        "/api/roster/lawyers/.",
        "/api/roster/lawyers//",
        "/api/roster/assignments/../../subsidy/claims/x/approve/check-in",
    ):
        assert TABLE.match("GET", path).route is None, path
        assert TABLE.match("POST", path).route is None, path


def test_a_literal_row_wins_over_a_template_on_the_same_path() -> None:
    assert TABLE.match("POST", "/api/subsidy/schemes/preview").route.path == "/api/subsidy/schemes/preview"  # type: ignore[union-attr]
    assert TABLE.match("GET", "/api/subsidy/schemes/preview").route.path == "/api/subsidy/schemes/{scheme_id}"  # type: ignore[union-attr]


def test_the_export_of_a_roster_is_not_mistaken_for_a_roster() -> None:
    route = TABLE.match("GET", "/api/roster/rosters/R1/export.xlsx").route
    assert route is not None
    assert route.path == "/api/roster/rosters/{roster_id}/export.xlsx"


# ---- building the table from a document ---------------------------------------------------------------


def document(paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "roster", "version": "1"}, "paths": paths}


def test_a_row_is_made_for_each_operation_with_roles_and_none_for_health_or_an_undeclared_one() -> None:
    rows = routes_from_spec(
        "roster",
        document(
            {
                "/api/roster/things/{thing_id}": {
                    "get": {"x-roles": ["scheduler", "lawyer"]},
                    "patch": {"x-roles": ["scheduler"]},
                    "parameters": [],
                },
                "/api/roster/undeclared": {"post": {"responses": {}}},
                "/healthz": {"get": {"x-roles": ["admin"]}},
            }
        ),
    )
    assert {(r.method, r.path, r.roles) for r in rows} == {
        ("GET", "/api/roster/things/{thing_id}", frozenset({"scheduler", "lawyer"})),
        ("PATCH", "/api/roster/things/{thing_id}", SCHEDULER),
    }


def test_a_document_naming_a_role_that_does_not_exist_is_not_trusted() -> None:
    with pytest.raises(ValueError, match="x-roles"):
        routes_from_spec("roster", document({"/api/roster/x": {"get": {"x-roles": ["root"]}}}))
    with pytest.raises(ValueError, match="x-roles"):
        routes_from_spec("roster", document({"/api/roster/x": {"get": {"x-roles": []}}}))


def test_a_backend_whose_document_is_not_known_has_unknown_routes_until_it_is() -> None:
    specs: dict[str, dict[str, Any] | None] = {"roster": None, "subsidy": None}
    live = RouteTable(specs.get)
    with pytest.raises(RoutesUnknown) as caught:
        live.match("GET", "/api/roster/things")
    assert caught.value.backend == "roster"
    specs["roster"] = document({"/api/roster/things": {"get": {"x-roles": ["scheduler"]}}})
    assert role_of(live.match("GET", "/api/roster/things").route) == SCHEDULER
    assert live.match("GET", "/api/roster/other").route is None
    assert live.match("GET", "/api/payroll/things").route is None  # not a backend: no document needed


def test_the_table_follows_a_new_document_of_its_service() -> None:
    specs: dict[str, dict[str, Any] | None] = {
        "roster": document({"/api/roster/things": {"get": {"x-roles": ["scheduler"]}}})
    }
    live = RouteTable(specs.get)
    assert live.match("POST", "/api/roster/things").allowed_methods == ("GET",)
    specs["roster"] = document(
        {"/api/roster/things": {"get": {"x-roles": ["scheduler"]}, "post": {"x-roles": ["admin"]}}}
    )
    assert role_of(live.match("POST", "/api/roster/things").route) == {"admin"}


def test_a_document_that_cannot_be_trusted_leaves_its_routes_unknown() -> None:
    live = RouteTable({"roster": document({"/api/roster/x": {"get": {"x-roles": ["root"]}}})}.get)
    with pytest.raises(RoutesUnknown):
        live.match("GET", "/api/roster/x")


def test_a_row_for_a_backend_outside_its_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="must live under"):
        RouteIndex((Route("GET", "/api/roster/x", EVERYONE, backend="subsidy"),))


def test_a_row_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        RouteIndex(
            (Route("GET", "/api/roster/x/{a}", EVERYONE), Route("GET", "/api/roster/x/{b}", SCHEDULER))
        )


def test_a_row_with_an_unknown_role_or_none_is_refused() -> None:
    with pytest.raises(ValueError, match="roles"):
        RouteIndex((Route("GET", "/api/roster/x", frozenset({"root"})),))
    with pytest.raises(ValueError, match="roles"):
        RouteIndex((Route("GET", "/api/roster/x", frozenset()),))


def test_openapi_paths_compare_whatever_the_parameter_names() -> None:
    assert template_of("/api/roster/lawyers/{lawyer_id}") == template_of("/api/roster/lawyers/{id}")


# ---- the declaration itself ---------------------------------------------------------------------------


def test_a_declaration_names_roles_that_exist() -> None:
    with pytest.raises(ValueError, match="require_roles"):
        require_roles("root")
    with pytest.raises(ValueError, match="require_roles"):
        require_roles()


def test_a_declared_view_carries_its_roles_and_their_document() -> None:
    @require_roles("finance", "admin")
    def view() -> str:
        return "ok"

    @public
    def login() -> str:
        return "ok"

    assert roles_of(view) == {"finance", "admin"}
    assert view._apidoc["manual_doc"] == {"x-roles": ["admin", "finance"]}  # type: ignore[attr-defined]
    assert roles_of(login) == frozenset()
    assert login._apidoc["manual_doc"] == {"x-public": True, "security": []}  # type: ignore[attr-defined]
    assert roles_of(lambda: None) is None


# ---- the documents the table is built from ------------------------------------------------------------


def test_a_document_never_had_is_asked_for_again_on_the_next_call_and_a_known_one_kept_while_down() -> None:
    answers: list[Any] = [RuntimeError("down"), RuntimeError("down"), {"v": 1}, RuntimeError("down")]
    calls: list[str] = []

    def fetch(backend: str) -> dict[str, Any]:
        calls.append(backend)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    cache = SpecCache(fetch, ttl=0, retry=60)
    assert cache.get("roster") is None
    assert cache.get("roster") is None
    assert cache.get("roster") == {"v": 1}
    assert calls == ["roster"] * 3, "a document never had is asked for on every call until it comes"
    assert cache.get("roster") == {"v": 1}
    assert cache.get("roster") == {"v": 1}
    assert len(calls) == 4, "after a failed refresh the service is asked again only after `retry` seconds"
