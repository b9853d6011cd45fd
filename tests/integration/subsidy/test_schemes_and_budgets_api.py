"""Schemes (rate tables as data) and budgets through the API."""

from __future__ import annotations

from .conftest import Kit, legal_aid_scheme, mediation_scheme, station_duty_scheme


def test_finance_adds_a_standard_and_anyone_on_the_finance_side_reads_it(kit: Kit) -> None:
    created = kit.client.post("/api/subsidy/schemes", json=legal_aid_scheme(), headers=kit.finance())
    assert created.status_code == 201
    scheme = created.json
    assert scheme["rates"][0] == {
        "when": {"case_type": "criminal", "stage": "first_instance"},
        "amount": "2000.00",
    }
    assert scheme["adjustments"][0] == {
        "when": {"remote_area": True},
        "multiply": "1.20",
        "label": "remote area",
    }
    assert (scheme["max_amount"], scheme["monthly_cap_per_lawyer"]) == ("3000.00", None)
    for role in ("finance", "admin"):
        shown = kit.client.get(f"/api/subsidy/schemes/{scheme['id']}", headers=kit.headers(role))
        assert shown.status_code == 200
        assert shown.json["claims"] == 0
        assert shown.json["name"] == scheme["name"]
    assert kit.client.get("/api/subsidy/schemes/nope", headers=kit.finance()).status_code == 404
    [record] = kit.client.get("/api/subsidy/audit?entity=scheme", headers=kit.finance()).json["items"]
    assert (record["action"], record["entity_id"], record["actor"]) == (
        "scheme.created",
        scheme["id"],
        "finance-wang",
    )


def test_only_finance_writes_standards_and_lawyers_do_not_read_them(kit: Kit) -> None:
    for role in ("admin", "scheduler", "lawyer"):
        assert (
            kit.client.post(
                "/api/subsidy/schemes", json=mediation_scheme(), headers=kit.headers(role, lawyer_id="L1")
            ).status_code
            == 403
        )
    assert (
        kit.client.get("/api/subsidy/schemes", headers=kit.headers("lawyer", lawyer_id="L1")).status_code
        == 403
    )
    assert kit.client.get("/api/subsidy/schemes").status_code == 401
    assert kit.count("schemes") == 0


def test_two_rates_that_could_tie_are_refused_at_creation(kit: Kit) -> None:
    body = legal_aid_scheme(
        rates=[
            {"when": {"case_type": "criminal"}, "amount": "1000.00"},
            {"when": {"stage": "appeal"}, "amount": "1200.00"},
        ]
    )
    response = kit.client.post("/api/subsidy/schemes", json=body, headers=kit.finance())
    assert response.status_code == 422
    assert "rates[0]" in response.json["errors"]["rates"][0]
    assert "case_type=criminal" in response.json["errors"]["rates"][0]
    assert kit.count("schemes") == 0
    assert kit.count("audit_records") == 0


def test_a_malformed_standard_names_each_bad_field(kit: Kit) -> None:
    body = mediation_scheme(
        rates=[{"when": {"difficulty": "dificult"}, "amount": "1.005"}],
        adjustments=[{"when": {}, "multiply": "1,2"}],
        effective_to="2025-01-01",
        colour="red",
    )
    response = kit.client.post("/api/subsidy/schemes", json=body, headers=kit.finance())
    assert response.status_code == 422
    assert {"rates.0.amount", "adjustments.0.multiply", "colour"} <= set(response.json["errors"])
    # fields that parse but break the domain's rules are named the same way
    body = mediation_scheme(
        rates=[{"when": {"difficulty": "dificult"}, "amount": "100.00"}],
        adjustments=[{"when": {}}],
        effective_to="2025-01-01",
    )
    response = kit.client.post("/api/subsidy/schemes", json=body, headers=kit.finance())
    assert response.status_code == 422
    assert {"rates.0.when", "adjustments.0", "effective_to"} <= set(response.json["errors"])


def test_an_overlapping_standard_of_the_same_kind_and_region_is_a_conflict(kit: Kit) -> None:
    first = kit.create_scheme(mediation_scheme(effective_to="2026-12-31"))
    overlapping = kit.client.post(
        "/api/subsidy/schemes", json=mediation_scheme(effective_from="2026-12-01"), headers=kit.finance()
    )
    assert overlapping.status_code == 409
    assert first["id"] in overlapping.json["detail"]
    # another region, another kind, or the day after: all fine
    kit.create_scheme(mediation_scheme(region_code="654021"))
    kit.create_scheme(station_duty_scheme())
    kit.create_scheme(mediation_scheme(effective_from="2027-01-01"))
    listed = kit.client.get("/api/subsidy/schemes?kind=mediation_case", headers=kit.finance()).json
    assert listed["total"] == 3
    in_force = kit.client.get(
        "/api/subsidy/schemes?kind=mediation_case&in_force_on=2027-03-01&region_code=654023",
        headers=kit.finance(),
    ).json
    assert [s["effective_from"] for s in in_force["items"]] == ["2027-01-01"]


def test_closing_a_standard_only_moves_its_end_earlier(kit: Kit) -> None:
    scheme = kit.create_scheme(mediation_scheme(effective_to="2026-12-31"))
    path = f"/api/subsidy/schemes/{scheme['id']}/close"
    assert (
        kit.client.post(path, json={"effective_to": "2027-06-30"}, headers=kit.finance()).status_code == 409
    )
    assert (
        kit.client.post(path, json={"effective_to": "2025-06-30"}, headers=kit.finance()).status_code == 422
    )
    assert (
        kit.client.post(path, json={"effective_to": "2026-06-30"}, headers=kit.headers("admin")).status_code
        == 403
    )
    assert (
        kit.client.post(
            "/api/subsidy/schemes/nope/close", json={"effective_to": "2026-06-30"}, headers=kit.finance()
        ).status_code
        == 404
    )
    closed = kit.client.post(path, json={"effective_to": "2026-06-30"}, headers=kit.finance())
    assert closed.status_code == 200
    assert closed.json["effective_to"] == "2026-06-30"
    assert (
        kit.client.get("/api/subsidy/audit?entity=scheme", headers=kit.finance()).json["items"][0]["action"]
        == "scheme.closed"
    )


def test_a_draft_standard_is_previewed_against_past_claims_without_saving_anything(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.add_lawyer("L2")
    kit.create_scheme(mediation_scheme())
    kit.claim("L1", attributes={"difficulty": "ordinary"}, service_date="2026-05-03")  # 200
    kit.claim("L1", attributes={"difficulty": "difficult", "agreement": True})  # 600
    kit.claim("L2", attributes={"difficulty": "simple"}, service_date="2026-06-02")  # 100
    before = (kit.count("schemes"), kit.count("claims"), kit.count("audit_records"), kit.outbox_size())
    draft = mediation_scheme(
        name="draft raise",
        effective_from="2027-01-01",
        monthly_cap_per_lawyer="700.00",
        rates=[
            {"when": {"difficulty": "ordinary"}, "amount": "250.00"},
            {"when": {"difficulty": "difficult"}, "amount": "500.00"},
        ],
    )
    response = kit.client.post("/api/subsidy/schemes/preview", json={"scheme": draft}, headers=kit.finance())
    assert response.status_code == 200
    preview = response.json
    assert (preview["claims"], preview["priced"], preview["unpriced"]) == (3, 2, 1)
    # 250, then 750 capped to what the month leaves under 700 (450); the simple case has no rate any more
    assert (preview["current_total"], preview["draft_total"], preview["difference"]) == (
        "900.00",
        "700.00",
        "-200.00",
    )
    by_amount = {i["current_amount"]: i for i in preview["items"]}
    assert by_amount["600.00"]["draft_amount"] == "450.00"
    assert by_amount["100.00"]["draft_amount"] is None
    assert "difficulty=simple" in by_amount["100.00"]["note"]
    assert (
        kit.count("schemes"),
        kit.count("claims"),
        kit.count("audit_records"),
        kit.outbox_size(),
    ) == before
    narrowed = kit.client.post(
        "/api/subsidy/schemes/preview",
        headers=kit.finance(),
        json={"scheme": draft, "service_from": "2026-06-01", "statuses": ["pending"], "limit": 0},
    )
    assert narrowed.json["claims"] == 1
    assert narrowed.json["items"] == []
    bad = kit.client.post(
        "/api/subsidy/schemes/preview", headers=kit.finance(), json={"scheme": {**draft, "rates": []}}
    )
    assert bad.status_code == 422
    assert (
        kit.client.post(
            "/api/subsidy/schemes/preview", json={"scheme": draft}, headers=kit.headers("admin")
        ).status_code
        == 403
    )


def test_finance_adds_budgets_and_sees_amount_committed_and_remaining(kit: Kit) -> None:
    created = kit.client.post(
        "/api/subsidy/budgets",
        headers=kit.finance(),
        json={"region_code": "654000", "kind": "legal_aid_case", "year": 2026, "amount": "1500000.00"},
    )
    assert created.status_code == 201
    assert {k: created.json[k] for k in ("amount", "committed", "remaining", "region_code")} == {
        "amount": "1500000.00",
        "committed": "0.00",
        "remaining": "1500000.00",
        "region_code": "654000",
    }
    everywhere = kit.create_budget("1.00", kind="legal_aid_case", region_code=None)
    again = kit.client.post(
        "/api/subsidy/budgets",
        headers=kit.finance(),
        json={"region_code": "654000", "kind": "legal_aid_case", "year": 2026, "amount": "1.00"},
    )
    assert again.status_code == 409
    assert (
        kit.client.post(
            "/api/subsidy/budgets",
            headers=kit.finance(),
            json={"region_code": None, "kind": "legal_aid_case", "year": 2026, "amount": "2.00"},
        ).status_code
        == 409
    )
    assert (
        kit.client.get(f"/api/subsidy/budgets/{everywhere['id']}", headers=kit.headers("admin")).status_code
        == 200
    )
    assert kit.client.get("/api/subsidy/budgets/nope", headers=kit.finance()).status_code == 404
    listed = kit.client.get("/api/subsidy/budgets?region_code=654021", headers=kit.finance()).json
    assert listed["total"] == 2
    assert kit.client.get("/api/subsidy/budgets?year=2025", headers=kit.finance()).json["total"] == 0


def test_budget_fields_and_roles_are_checked(kit: Kit) -> None:
    bad = kit.client.post(
        "/api/subsidy/budgets",
        headers=kit.finance(),
        json={"region_code": "6540", "kind": "parking", "year": "2026", "amount": 100},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"region_code", "kind", "year", "amount"}
    body = {"region_code": "654000", "kind": "legal_aid_case", "year": 2026, "amount": "1.00"}
    assert kit.client.post("/api/subsidy/budgets", json=body, headers=kit.headers("admin")).status_code == 403
    assert (
        kit.client.get("/api/subsidy/budgets", headers=kit.headers("lawyer", lawyer_id="L1")).status_code
        == 403
    )
    assert (
        kit.client.post(
            "/api/subsidy/budgets", data="{", headers={**kit.finance(), "Content-Type": "application/json"}
        ).status_code
        == 400
    )
