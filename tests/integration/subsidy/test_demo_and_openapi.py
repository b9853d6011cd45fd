"""The demo prefecture's rate tables and budgets on an empty database, and the OpenAPI document the gateway
merges."""

from __future__ import annotations

from pathlib import Path

from services.common.settings import load_settings
from services.subsidy.demo import load_demo

from .conftest import Kit, duty

CONTRACT = {
    ("post", "/api/subsidy/schemes"),
    ("get", "/api/subsidy/schemes"),
    ("get", "/api/subsidy/schemes/{scheme_id}"),
    ("post", "/api/subsidy/schemes/preview"),
    ("post", "/api/subsidy/claims"),
    ("get", "/api/subsidy/claims"),
    ("get", "/api/subsidy/claims/{claim_id}"),
    ("post", "/api/subsidy/claims/{claim_id}/approve"),
    ("post", "/api/subsidy/claims/{claim_id}/reject"),
    ("post", "/api/subsidy/budgets"),
    ("get", "/api/subsidy/budgets"),
    ("get", "/api/subsidy/budgets/{budget_id}"),
    ("post", "/api/subsidy/payment-batches"),
    ("get", "/api/subsidy/payment-batches/{batch_id}"),
    ("get", "/api/subsidy/payment-batches/{batch_id}/export.csv"),
    ("get", "/api/subsidy/payment-batches/{batch_id}/export.xlsx"),
    ("post", "/api/subsidy/payment-batches/{batch_id}/mark-paid"),
    ("get", "/api/subsidy/audit/verify"),
    ("get", "/api/subsidy/payment-batches/{batch_id}/bank-file"),
    ("get", "/api/subsidy/profiles"),
    ("put", "/api/subsidy/lawyers/{lawyer_id}/bank-account"),
    ("get", "/api/subsidy/lawyers/{lawyer_id}/bank-account"),
    ("post", "/api/subsidy/estimates"),
}


def _settings(kit: Kit, **env: str):
    return load_settings(
        "subsidy", {"LEGALDUTY_DATA_DIR": str(kit.settings.data_dir), "SUBSIDY_DATABASE_URL": kit.url, **env}
    )


def test_an_empty_database_gets_the_demo_standards_and_budgets_once(kit: Kit) -> None:
    load_demo(_settings(kit))
    load_demo(_settings(kit))
    schemes = kit.client.get("/api/subsidy/schemes", headers=kit.finance()).json
    budgets = kit.client.get("/api/subsidy/budgets", headers=kit.finance()).json
    assert schemes["total"] == 4
    assert budgets["total"] == 6
    assert {s["kind"] for s in schemes["items"]} == {"mediation_case", "legal_aid_case", "station_duty"}
    assert all(s["document_no"] for s in schemes["items"])
    assert kit.client.get("/api/subsidy/audit/verify", headers=kit.finance()).json == {
        "ok": True,
        "records": 10,
        "first_bad": None,
        "detail": "the audit chain is intact",
    }
    # the demo standards price real work: a holiday full day at a township station
    kit.deliver("subsidy.on_duty_completed", "roster.duty.completed", duty("A1", "L1", holiday=True))
    claim = kit.client.get("/api/subsidy/claims", headers=kit.finance()).json["items"][0]
    assert claim["amount"] == "225.00"
    assert claim["document_no"] == "伊州司发〔2025〕18号"


def test_no_demo_data_when_it_is_switched_off(sqlite_kit: Kit) -> None:
    load_demo(_settings(sqlite_kit, LEGALDUTY_DEMO="0"))
    assert sqlite_kit.count("schemes") == 0
    assert sqlite_kit.count("budgets") == 0


def test_a_database_in_use_gets_no_demo_data(sqlite_kit: Kit) -> None:
    sqlite_kit.create_budget("1.00")
    load_demo(_settings(sqlite_kit))
    assert sqlite_kit.count("schemes") == 0
    assert sqlite_kit.count("budgets") == 1


def test_the_openapi_document_lists_every_contract_operation_with_problem_errors(sqlite_kit: Kit) -> None:
    response = sqlite_kit.client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json
    operations = {
        (m, p) for p, item in spec["paths"].items() for m in item if m in ("get", "post", "put", "patch")
    }
    assert operations >= CONTRACT
    assert all(p.startswith("/api/subsidy/") for p in spec["paths"])
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch"):
                continue  # "parameters" of the path
            for code, answer in operation["responses"].items():
                if code.startswith(("4", "5")) or code == "default":
                    ref = answer.get("$ref", "").rsplit("/", 1)[-1]
                    content = answer.get("content") or spec["components"]["responses"][ref]["content"]
                    assert list(content) == ["application/problem+json"], (method, path, code)
    claim_in = spec["components"]["schemas"]["ClaimIn"]
    assert claim_in["additionalProperties"] is False
    assert set(claim_in["required"]) == {"kind", "lawyer_id", "region_code", "case_no", "service_date"}
    csv = spec["paths"]["/api/subsidy/payment-batches/{batch_id}/export.csv"]["get"]["responses"]["200"]
    assert list(csv["content"]) == ["text/csv"]


def test_the_migrations_and_the_models_agree(sqlite_kit: Kit) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.subsidy.adapters.orm import metadata

    with sqlite_kit.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert (Path(__file__).resolve().parents[3] / "services/subsidy/migrations/versions").is_dir()


def test_every_operation_refuses_a_call_without_the_gateways_identity(sqlite_kit: Kit) -> None:
    spec = sqlite_kit.client.get("/openapi.json").json
    for path, item in spec["paths"].items():
        concrete = (
            path.replace("{scheme_id}", "x")
            .replace("{claim_id}", "x")
            .replace("{budget_id}", "x")
            .replace("{batch_id}", "x")
        )
        for method in ("get", "post"):
            if method in item:
                response = getattr(sqlite_kit.client, method)(concrete, json={})
                assert response.status_code == 401, (method, path)
                assert response.content_type == "application/problem+json"
    forged = sqlite_kit.headers("finance")
    forged["X-Legalduty-Identity"] = forged["X-Legalduty-Identity"][:-4] + "AAAA"
    assert sqlite_kit.client.get("/api/subsidy/claims", headers=forged).status_code == 401


def test_a_lawyer_reaches_no_finance_operation(sqlite_kit: Kit) -> None:
    lawyer = sqlite_kit.lawyer("L1")
    for method, path in (
        ("get", "/api/subsidy/audit/verify"),
        ("get", "/api/subsidy/audit"),
        ("get", "/api/subsidy/budgets/x"),
        ("get", "/api/subsidy/schemes/x"),
        ("get", "/api/subsidy/payment-batches/x/export.csv"),
        ("post", "/api/subsidy/payment-batches/x/mark-paid"),
        ("post", "/api/subsidy/claims/x/reject"),
    ):
        response = getattr(sqlite_kit.client, method)(path, json={"reason": "r"}, headers=lawyer)
        assert response.status_code == 403, (method, path)
