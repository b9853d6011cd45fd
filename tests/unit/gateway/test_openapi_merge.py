"""One document for the whole API, from the gateway's spec and the services' specs."""

from __future__ import annotations

import itertools
from typing import Any

from services.gateway.openapi import PROBLEM, SpecCache, merge


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def op(ref: str | None = None, errors: bool = True) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "ok"}}
    if ref:
        responses["200"]["content"] = {"application/json": {"schema": {"$ref": ref}}}
    if errors:
        responses["default"] = {"$ref": "#/components/responses/DEFAULT_ERROR"}
    return {"responses": responses}


GATEWAY = spec(
    {
        "/api/auth/token": {"post": {**op(), "x-public": True, "security": []}},
        "/api/me": {"get": op("#/components/schemas/Lawyer")},
    },
    {"Lawyer": {"type": "object", "properties": {"name": {"type": "string"}}}},
)
GATEWAY["components"]["responses"] = {"DEFAULT_ERROR": {"description": "Default error response"}}
ROSTER = spec(
    {"/api/roster/lawyers/{id}": {"get": op("#/components/schemas/Lawyer")}, "/healthz": {"get": op()}},
    {"Lawyer": {"type": "object", "properties": {"license_no": {"type": "string"}}}},
)
SUBSIDY = spec(
    {"/api/subsidy/claims": {"get": op("#/components/schemas/Claim")}},
    {"Claim": {"type": "object"}, "Lawyer": GATEWAY["components"]["schemas"]["Lawyer"]},
)


def test_the_document_has_the_gateways_and_every_services_api_paths() -> None:
    doc = merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    assert set(doc["paths"]) == {
        "/api/auth/token",
        "/api/me",
        "/api/roster/lawyers/{id}",
        "/api/subsidy/claims",
    }
    assert "x-unavailable" not in doc["info"]


def test_a_component_that_collides_with_a_different_one_is_renamed_and_its_references_follow() -> None:
    doc = merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    schemas = doc["components"]["schemas"]
    assert schemas["Lawyer"] == GATEWAY["components"]["schemas"]["Lawyer"]
    assert schemas["RosterLawyer"] == ROSTER["components"]["schemas"]["Lawyer"]
    ref = doc["paths"]["/api/roster/lawyers/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ref["schema"]["$ref"] == "#/components/schemas/RosterLawyer"
    assert "SubsidyLawyer" not in schemas  # identical definitions are shared


def test_every_operation_but_login_needs_a_bearer_token() -> None:
    doc = merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/api/auth/token"]["post"]["security"] == []
    assert "security" not in doc["paths"]["/api/me"]["get"]


def test_errors_are_documented_as_problem_json_with_what_the_gateway_adds() -> None:
    doc = merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    forwarded = doc["paths"]["/api/roster/lawyers/{id}"]["get"]["responses"]
    for code in ("default", "401", "403", "502", "503", "504"):
        assert list(forwarded[code]["content"]) == [PROBLEM], code
    own = doc["paths"]["/api/me"]["get"]["responses"]
    assert "401" in own
    assert "503" not in own
    assert "401" not in doc["paths"]["/api/auth/token"]["post"]["responses"]
    assert doc["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_a_service_that_is_down_leaves_the_rest_of_the_document() -> None:
    doc = merge(GATEWAY, {"roster": None, "subsidy": SUBSIDY})
    assert "/api/subsidy/claims" in doc["paths"]
    assert "/api/roster/lawyers/{id}" not in doc["paths"]
    assert doc["info"]["x-unavailable"] == ["roster"]


def test_merging_changes_none_of_its_inputs() -> None:
    before = repr((GATEWAY, ROSTER))
    merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    merge(GATEWAY, {"roster": ROSTER, "subsidy": SUBSIDY})
    assert repr((GATEWAY, ROSTER)) == before


def test_the_spec_cache_asks_a_service_again_only_after_a_while_and_keeps_the_last_good_copy() -> None:
    answers = itertools.chain([{"v": 1}], itertools.repeat(RuntimeError("down")))
    calls = []

    def fetch(backend: str) -> dict[str, Any]:
        calls.append(backend)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = SpecCache(fetch, ttl=60)
    assert cache.get("roster") == {"v": 1}
    assert cache.get("roster") == {"v": 1}
    assert calls == ["roster"]
    stale = SpecCache(fetch, ttl=0, retry=0)
    assert stale.get("roster") is None  # down from the start: nothing to serve
    cache.ttl = 0
    cache._entries["roster"] = (0.0, {"v": 1})
    assert cache.get("roster") == {"v": 1}  # down now: the last good copy
