"""Monthly payment batches: approved unpaid claims per lawyer, exports for the bank, marking them paid."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from .conftest import Kit, mediation_scheme


@pytest.fixture
def approved(kit: Kit) -> Kit:
    """Three lawyers with approved May claims, one with a June claim, one May claim still pending."""
    kit.add_lawyer("L1", "阿依古丽·买买提")
    kit.add_lawyer("L2", '=HYPERLINK("x")')
    kit.add_lawyer("L3", "王建国")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("100000.00")
    kit.create_budget("100000.00", region_code="653100")
    for lawyer, difficulty, day in (
        ("L1", "ordinary", "2026-05-02"),
        ("L1", "difficult", "2026-05-30"),
        ("L2", "simple", "2026-05-15"),
        ("L3", "difficult", "2026-06-01"),
    ):
        assert (
            kit.approve(
                kit.claim(lawyer, attributes={"difficulty": difficulty}, service_date=day)["id"]
            ).status_code
            == 200
        )
    kit.claim("L3", service_date="2026-05-05")  # pending: not paid yet
    for number, lawyer in enumerate(("L1", "L2", "L3"), start=1):
        kit.give_account(lawyer, f"622202020011223344{number}")
    return kit


def test_a_batch_gathers_the_months_approved_claims_per_lawyer(approved: Kit) -> None:
    response = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    )
    assert response.status_code == 201
    batch = response.json
    assert (batch["total"], batch["claim_count"], batch["status"], batch["month"]) == (
        "700.00",
        3,
        "open",
        "2026-05",
    )
    lines = {line["lawyer_id"]: line for line in batch["lines"]}
    assert set(lines) == {"L1", "L2"}
    assert (lines["L1"]["total"], lines["L1"]["claim_count"], lines["L1"]["lawyer_name"]) == (
        "600.00",
        2,
        "阿依古丽·买买提",
    )
    assert len(lines["L1"]["claims"]) == 2
    shown = approved.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}", headers=approved.headers("admin")
    ).json
    assert shown == batch
    claims = approved.client.get(
        f"/api/subsidy/claims?batch_id={batch['id']}", headers=approved.finance()
    ).json
    assert claims["total"] == 3
    assert {c["batch_id"] for c in claims["items"]} == {batch["id"]}
    listed = approved.client.get(
        "/api/subsidy/payment-batches?month=2026-05", headers=approved.finance()
    ).json
    assert listed["total"] == 1
    assert "lines" not in listed["items"][0]


def test_a_claim_is_in_at_most_one_batch(approved: Kit) -> None:
    first = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    )
    assert first.status_code == 201
    again = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    )
    assert again.status_code == 409
    assert approved.count("payment_batches") == 1


def test_a_batch_for_one_region_takes_only_claims_that_region_covers(approved: Kit) -> None:
    approved.add_lawyer("L4")
    approved.give_account("L4")
    approved.create_scheme(mediation_scheme(region_code="653100", name="Kashgar"))
    elsewhere = approved.claim("L4", region_code="653101")
    assert approved.approve(elsewhere["id"]).status_code == 200
    kashgar = approved.client.post(
        "/api/subsidy/payment-batches",
        json={"month": "2026-05", "region_code": "653100"},
        headers=approved.finance(),
    ).json
    assert [line["claims"] for line in kashgar["lines"]] == [[elsewhere["id"]]]
    ili = approved.client.post(
        "/api/subsidy/payment-batches",
        json={"month": "2026-05", "region_code": "654021"},
        headers=approved.finance(),
    ).json
    assert ili["total"] == "700.00"
    assert ili["region_code"] == "654021"


def test_the_csv_export_opens_with_a_bom_and_adds_up(approved: Kit) -> None:
    batch = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    ).json
    response = approved.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}/export.csv", headers=approved.finance()
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[1].startswith("律师编号")
    assert total[0] == "合计 Total"
    assert sum(Decimal(row[4]) for row in body) == Decimal(total[4]) == Decimal("700.00")
    assert sum(int(row[3]) for row in body) == int(total[3]) == 3
    names = {row[1]: row[2] for row in body}
    assert names["L1"] == "阿依古丽·买买提"
    assert names["L2"].startswith("'=")


def test_the_xlsx_export_is_a_workbook_with_the_same_totals(approved: Kit) -> None:
    batch = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    ).json
    response = approved.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}/export.xlsx", headers=approved.headers("admin")
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    totals = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "合计 Total"]
    assert totals
    assert Decimal(str(totals[0][4])) == Decimal("700.00")
    assert totals[0][3] == 3


def test_marking_a_batch_paid_pays_every_claim_in_it_once(approved: Kit) -> None:
    batch = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=approved.finance()
    ).json
    path = f"/api/subsidy/payment-batches/{batch['id']}/mark-paid"
    assert approved.client.post(path, headers=approved.headers("admin")).status_code == 403
    paid = approved.client.post(path, headers=approved.finance())
    assert paid.status_code == 200
    assert paid.json["status"] == "paid"
    assert paid.json["paid_by"] == "finance-wang"
    claims = approved.client.get(
        f"/api/subsidy/claims?batch_id={batch['id']}", headers=approved.finance()
    ).json["items"]
    assert {c["status"] for c in claims} == {"paid"}
    assert all(c["paid_at"] for c in claims)
    events = approved.events("subsidy.claim.paid")
    assert sorted(e["data"]["claim_id"] for e in events) == sorted(c["id"] for c in claims)
    assert approved.client.post(path, headers=approved.finance()).status_code == 409
    assert len(approved.events("subsidy.claim.paid")) == 3
    # a paid claim is never reviewed again
    assert approved.approve(claims[0]["id"]).status_code == 409


def test_batch_requests_that_make_no_sense_are_refused(approved: Kit) -> None:
    empty = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-08"}, headers=approved.finance()
    )
    assert empty.status_code == 409
    assert "2026-08" in empty.json["detail"]
    bad = approved.client.post(
        "/api/subsidy/payment-batches", json={"month": "May"}, headers=approved.finance()
    )
    assert bad.status_code == 422
    assert "month" in bad.json["errors"]
    for suffix in ("", "/export.csv", "/export.xlsx"):
        assert (
            approved.client.get(
                f"/api/subsidy/payment-batches/nope{suffix}", headers=approved.finance()
            ).status_code
            == 404
        )
    assert (
        approved.client.post(
            "/api/subsidy/payment-batches/nope/mark-paid", headers=approved.finance()
        ).status_code
        == 404
    )
    lawyer = approved.lawyer("L1")
    assert approved.client.get("/api/subsidy/payment-batches", headers=lawyer).status_code == 403
    assert (
        approved.client.post(
            "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=lawyer
        ).status_code
        == 403
    )
    assert approved.count("payment_batches") == 0
