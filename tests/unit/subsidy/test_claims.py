from datetime import date
from decimal import Decimal

import pytest

from services.subsidy.domain.claims import (
    Budget,
    BudgetExceeded,
    ClaimStatus,
    MakerChecker,
    NoBudget,
    ReasonRequired,
    WrongState,
    add_to_batch,
    approve,
    approve_against_budget,
    commit,
    mark_paid,
    reject,
    select_budget,
)
from services.subsidy.domain.schemes import Kind

from .builders import claim


def test_a_finance_officer_approves_a_pending_claim() -> None:
    approved = approve(claim(), by_user="finance-wang")
    assert approved.status is ClaimStatus.APPROVED
    assert approved.reviewed_by == "finance-wang"


def test_whoever_submitted_a_claim_never_approves_it() -> None:
    with pytest.raises(MakerChecker, match="submitted by finance-wang"):
        approve(claim(submitted_by="finance-wang"), by_user="finance-wang")


def test_whoever_submitted_a_claim_never_rejects_it() -> None:
    with pytest.raises(MakerChecker):
        reject(claim(submitted_by="finance-wang"), by_user="finance-wang", reason="duplicate")


@pytest.mark.parametrize("status", [ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.PAID])
def test_only_a_pending_claim_can_be_approved_or_rejected(status: ClaimStatus) -> None:
    with pytest.raises(WrongState, match=f"is {status}"):
        approve(claim(status=status), by_user="finance-wang")
    with pytest.raises(WrongState):
        reject(claim(status=status), by_user="finance-wang", reason="no")


def test_a_wrong_state_is_reported_before_maker_checker() -> None:
    with pytest.raises(WrongState):
        approve(claim(status=ClaimStatus.APPROVED, submitted_by="u"), by_user="u")


def test_a_rejection_keeps_its_reason() -> None:
    rejected = reject(claim(), by_user="finance-wang", reason="  no court judgment attached  ")
    assert rejected.status is ClaimStatus.REJECTED
    assert rejected.reject_reason == "no court judgment attached"


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_rejection_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(ReasonRequired) as caught:
        reject(claim(), by_user="finance-wang", reason=reason)
    assert "reason" in caught.value.errors


def test_an_approved_claim_is_paid_and_a_pending_one_is_not() -> None:
    paid = mark_paid(approve(claim(), by_user="finance-wang"))
    assert paid.status is ClaimStatus.PAID
    with pytest.raises(WrongState):
        mark_paid(claim())
    with pytest.raises(WrongState):
        mark_paid(paid)


def test_a_claim_is_in_at_most_one_batch() -> None:
    batched = add_to_batch(claim(status=ClaimStatus.APPROVED), batch_id="B1")
    assert batched.batch_id == "B1"
    assert add_to_batch(batched, batch_id="B1") == batched
    with pytest.raises(WrongState, match="already in batch B1"):
        add_to_batch(batched, batch_id="B2")
    with pytest.raises(WrongState):
        add_to_batch(claim(), batch_id="B1")


def test_transitions_leave_the_original_claim_untouched() -> None:
    original = claim()
    approve(original, by_user="finance-wang")
    assert original.status is ClaimStatus.PENDING


def test_a_claim_amount_must_be_whole_fen_and_not_negative() -> None:
    with pytest.raises(ValueError, match="non-negative Decimal amount with at most two places"):
        claim(amount="-1.00")
    with pytest.raises(ValueError, match="non-negative Decimal amount with at most two places"):
        claim(amount="1.005")


# --- budgets ----------------------------------------------------------------------------------


def _budget(
    region: str | None = "654000", amount: str = "1000.00", committed: str = "0.00", **kw: object
) -> Budget:
    return Budget(
        region_code=region,
        kind=kw.get("kind", Kind.LEGAL_AID_CASE),  # type: ignore[arg-type]
        year=kw.get("year", 2026),  # type: ignore[arg-type]
        amount=Decimal(amount),
        committed=Decimal(committed),
        id=kw.get("id"),  # type: ignore[arg-type]
    )


def test_a_budget_shows_what_remains() -> None:
    assert _budget(amount="1000.00", committed="250.50").remaining == Decimal("749.50")


def test_committing_an_approval_adds_to_the_budget() -> None:
    budget = commit(_budget(amount="1000.00", committed="400.00"), Decimal("600.00"))
    assert budget.committed == Decimal("1000.00")
    assert budget.remaining == Decimal("0.00")


def test_an_approval_that_would_overspend_the_budget_is_refused() -> None:
    budget = _budget(amount="1000.00", committed="400.00")
    with pytest.raises(BudgetExceeded) as caught:
        commit(budget, Decimal("600.01"))
    assert "600.00 remaining of 1000.00" in str(caught.value)


def test_a_budget_is_exhausted_after_exactly_as_many_approvals_as_it_fits() -> None:
    budget = _budget(amount="1000.00")
    approved = 0
    for _ in range(15):
        try:
            budget = commit(budget, Decimal("100.00"))
            approved += 1
        except BudgetExceeded:
            pass
    assert approved == 10
    assert budget.committed == budget.amount


def test_the_most_specific_covering_budget_is_chosen() -> None:
    ili = _budget("654000", id="ili")
    county = _budget("654021", id="county")
    xinjiang = _budget("650000", id="xj")
    other_kind = _budget("654021", id="duty", kind=Kind.STATION_DUTY)
    last_year = _budget("654021", id="2025", year=2025)
    budgets = [xinjiang, other_kind, ili, last_year, county]
    assert select_budget(budgets, region_code="654021", kind="legal_aid_case", year=2026) is county
    assert select_budget(budgets, region_code="654023", kind="legal_aid_case", year=2026) is ili
    assert select_budget(budgets, region_code="650102", kind="legal_aid_case", year=2026) is xinjiang
    assert select_budget(budgets, region_code="110101", kind="legal_aid_case", year=2026) is None


def test_approving_against_budgets_commits_the_claim_amount_to_the_right_one() -> None:
    approved, budget = approve_against_budget(
        claim(amount="300.00"), [_budget("654000", id="ili")], by_user="finance-wang"
    )
    assert approved.status is ClaimStatus.APPROVED
    assert (budget.id, budget.committed) == ("ili", Decimal("300.00"))


def test_approving_with_no_budget_for_the_year_is_refused() -> None:
    with pytest.raises(NoBudget, match="no 2027 legal_aid_case budget covers region 654021"):
        approve_against_budget(claim(service_date=date(2027, 1, 5)), [_budget()], by_user="finance-wang")


def test_approving_beyond_the_budget_is_refused() -> None:
    with pytest.raises(BudgetExceeded):
        approve_against_budget(claim(amount="300.00"), [_budget(amount="299.99")], by_user="finance-wang")
