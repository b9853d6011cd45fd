"""Approvals at the same moment never overspend a budget: 50 requests at once, each its own request and
session, against a budget that holds 10 of them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from .conftest import Kit, mediation_scheme

CLAIMS, FITS = 50, 10


def test_fifty_concurrent_approvals_against_a_budget_for_ten_approve_exactly_ten(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    budget = kit.create_budget(f"{FITS * 200}.00")
    claims = [kit.claim("L1", attributes={"difficulty": "ordinary"})["id"] for _ in range(CLAIMS)]
    start = threading.Barrier(CLAIMS)

    def approve(claim_id: str) -> int:
        client = kit.app.test_client()
        headers = kit.finance("finance-li")
        start.wait()
        return client.post(f"/api/subsidy/claims/{claim_id}/approve", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=CLAIMS) as pool:
        statuses = list(pool.map(approve, claims))

    assert sorted(statuses) == [200] * FITS + [409] * (CLAIMS - FITS)
    shown = kit.client.get(f"/api/subsidy/budgets/{budget['id']}", headers=kit.finance()).json
    assert Decimal(shown["committed"]) == FITS * Decimal("200.00")
    assert shown["remaining"] == "0.00"
    approved = kit.client.get("/api/subsidy/claims?status=approved", headers=kit.finance()).json
    assert approved["total"] == FITS
    assert len(kit.events("subsidy.claim.approved")) == FITS
    assert kit.client.get("/api/subsidy/audit/verify", headers=kit.finance()).json["ok"] is True


def test_one_claim_approved_by_two_officers_at_once_is_approved_and_committed_once(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    budget = kit.create_budget("10000.00")
    claim = kit.claim("L1")["id"]
    start = threading.Barrier(8)

    def approve(n: int) -> int:
        client = kit.app.test_client()
        headers = kit.finance(f"finance-{n}")
        start.wait()
        return client.post(f"/api/subsidy/claims/{claim}/approve", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(approve, range(8)))
    assert sorted(statuses) == [200] + [409] * 7
    shown = kit.client.get(f"/api/subsidy/budgets/{budget['id']}", headers=kit.finance()).json
    assert shown["committed"] == "200.00"
