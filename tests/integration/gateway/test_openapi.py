"""GET /api/openapi.json and /api/docs through the gateway; the document names who may call each operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import GatewayKit

METHODS = ("get", "put", "post", "delete", "patch")


def backend_spec(path: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "svc", "version": "1"},
        "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}}, "/healthz": {}},
        "components": {"schemas": {}},
    }


def test_the_document_joins_the_gateways_operations_with_every_services(gw: GatewayKit) -> None:
    gw.fakes["roster"].spec = backend_spec("/api/roster/stations")
    gw.fakes["subsidy"].spec = backend_spec("/api/subsidy/claims")
    response = gw.client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/auth/token", "/api/users", "/api/me", "/api/roster/stations", "/api/subsidy/claims"} <= set(
        doc["paths"]
    )
    assert "/healthz" not in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert doc["paths"]["/api/auth/token"]["post"]["security"] == []


def test_the_document_is_served_while_a_service_is_down(
    make_gateway: Callable[..., GatewayKit], downed_port: int
) -> None:
    gw = make_gateway(subsidy_port=downed_port)
    gw.fakes["roster"].spec = backend_spec("/api/roster/stations")
    doc = gw.client.get("/api/openapi.json").get_json()
    assert "/api/roster/stations" in doc["paths"]
    assert "/api/users" in doc["paths"]
    assert doc["info"]["x-unavailable"] == ["subsidy"]


def test_swagger_ui_is_a_page_that_loads_the_document(gw: GatewayKit) -> None:
    response = gw.client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"/api/openapi.json" in response.data
    assert b"swagger-ui" in response.data


# ---- the document says who may call each operation (the services' declarations, as the table uses them) --


def test_every_operation_of_the_document_names_the_roles_that_may_call_it(gw: GatewayKit) -> None:
    doc = gw.client.get("/api/openapi.json").get_json()
    operations = {
        (method, path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }
    assert ("post", "/api/roster/lawyers") in operations
    assert ("post", "/api/subsidy/claims") in operations
    undeclared = [key for key, op in operations.items() if not op.get("x-roles") and not op.get("x-public")]
    assert not undeclared, undeclared
    assert operations[("post", "/api/subsidy/claims")]["x-roles"] == ["finance", "lawyer"]
    assert operations[("post", "/api/auth/token")]["x-public"] is True
