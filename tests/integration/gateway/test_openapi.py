"""GET /api/openapi.json and /api/docs through the gateway; every path in the services' specs has a row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from services.common.settings import load_settings
from services.gateway.routes import ROUTES, template_of

from .conftest import GatewayKit

METHODS = ("get", "put", "post", "delete", "patch")


def backend_spec(path: str) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "svc", "version": "1"},
            "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}}, "/healthz": {}},
            "components": {"schemas": {}}}


def test_the_document_joins_the_gateways_operations_with_every_services(gw: GatewayKit) -> None:
    gw.fakes["roster"].spec = backend_spec("/api/roster/stations")
    gw.fakes["subsidy"].spec = backend_spec("/api/subsidy/claims")
    response = gw.client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/auth/token", "/api/users", "/api/me", "/api/roster/stations", "/api/subsidy/claims"} <= set(doc["paths"])
    assert "/healthz" not in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert doc["paths"]["/api/auth/token"]["post"]["security"] == []


def test_the_document_is_served_while_a_service_is_down(make_gateway: Callable[..., GatewayKit], downed_port: int) -> None:
    gw = make_gateway(subsidy_port=downed_port)
    gw.fakes["roster"].spec = backend_spec("/api/roster/stations")
    doc = gw.client.get("/api/openapi.json").get_json()
    assert "/api/roster/stations" in doc["paths"] and "/api/users" in doc["paths"]
    assert doc["info"]["x-unavailable"] == ["subsidy"]


def test_swagger_ui_is_a_page_that_loads_the_document(gw: GatewayKit) -> None:
    response = gw.client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"/api/openapi.json" in response.data and b"swagger-ui" in response.data


# ---- every path the services document has a row in the route table ----------------------------------

def service_app(name: str, data_dir: Path) -> Flask:
    settings = load_settings(name, {"LEGALDUTY_DATA_DIR": str(data_dir), "LEGALDUTY_LOG_LEVEL": "WARNING"})
    if name == "roster":
        from services.roster.app import create_app
    else:
        from services.subsidy.app import create_app
    return create_app(settings)


@pytest.fixture(scope="module", params=["roster", "subsidy"])
def service_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    name = request.param
    try:
        app = service_app(name, tmp_path_factory.mktemp(name))
    except Exception as exc:  # noqa: BLE001 - a service mid-construction: say so, do not hide it
        pytest.fail(f"the {name} service's app cannot be built: {exc!r}")
    spec = app.test_client().get("/openapi.json").get_json()
    yield name, spec


def test_every_path_in_a_services_spec_has_a_row_in_the_route_table(service_spec: tuple[str, dict]) -> None:
    name, spec = service_spec
    operations = [(method.upper(), path) for path, item in (spec.get("paths") or {}).items()
                  if path.startswith(f"/api/{name}/") for method in METHODS if method in item]
    assert operations, f"the {name} service documents no /api/{name}/ operations"
    rows = {(r.method, template_of(r.path)) for r in ROUTES}
    missing = [f"{m} {p}" for m, p in operations if (m, template_of(p)) not in rows]
    assert not missing, f"add these to services/gateway/routes.py: {missing}"
