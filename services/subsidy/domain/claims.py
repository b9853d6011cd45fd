"""Claims and budgets: the review (审核/审批) state machine, maker-checker, the case file (一案一卷) and its
grade (案件质量评估), and spending against a yearly budget.

A claim of a scheme that lists `required_documents` or `requires_grade` is approved in this order: its file
is complete, then it is graded, then its amount fits the budget; each refusal names the step that is missing.
Grading does not price: the caller prices the claim again with `grade` among its attributes (so what a grade
is worth is data in the scheme's rates and adjustments) and `graded_breakdown` adds the grade step.

Objects are immutable; every transition returns a new object and the caller stores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .errors import DomainError
from .money import CENT, ZERO, format_money
from .regions import covers, specificity, validate_region
from .schemes import GRADES, KINDS, Kind
from .schemes.validation import document_list_errors


class ClaimStatus(StrEnum):
    """Where a claim is in review: pending -> approved | rejected; approved -> paid."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


class WrongState(DomainError):
    """The claim is not in the state the action needs (a 409)."""

    def __init__(self, *, claim_id: str, status: str, action: str, needs: str) -> None:
        self.claim_id, self.status, self.action = claim_id, str(status), action
        super().__init__(f"claim {claim_id} is {status}; only a {needs} claim can be {action}")


class MakerChecker(DomainError):
    """Whoever submitted a claim never approves or rejects it (a 409/403 for the service to choose)."""

    def __init__(self, *, claim_id: str, user: str) -> None:
        self.claim_id, self.user = claim_id, user
        super().__init__(f"claim {claim_id} was submitted by {user}; another finance officer must review it")


class ReasonRequired(DomainError):
    """A rejection must say why (a 422 on `reason`)."""

    errors = {"reason": ["a rejection needs a reason the lawyer can read"]}

    def __init__(self) -> None:
        super().__init__("a rejection needs a reason the lawyer can read")


class DocumentsMissing(DomainError):
    """The claim's file lacks documents its scheme requires (a 409 naming them)."""

    def __init__(self, *, claim_id: str, missing: list[str]) -> None:
        self.claim_id, self.missing = claim_id, list(missing)
        super().__init__(
            f"claim {claim_id} cannot be approved: its file is incomplete (一案一卷), missing "
            f"{', '.join(missing)}; add them while it is pending, then grade and approve it"
        )


class NotGraded(DomainError):
    """The claim's scheme pays only graded files and it has no grade yet (a 409)."""

    def __init__(self, *, claim_id: str) -> None:
        self.claim_id = claim_id
        super().__init__(
            f"claim {claim_id} cannot be approved: its scheme pays only graded files (案件质量评估) and it "
            "is not graded yet; grade it, then approve it"
        )


class GradeInvalid(DomainError):
    """A grade outside excellent | good | pass | fail (a 422 on `grade`)."""

    def __init__(self, value: object) -> None:
        self.errors = {"grade": [f"must be one of {', '.join(GRADES)}"]}
        super().__init__(f"{value!r} is not a grade; use one of {', '.join(GRADES)}")


class DocumentsInvalid(DomainError):
    """A claim's document list that is not a list of names (a 422 on `documents`)."""

    def __init__(self, messages: list[str]) -> None:
        self.errors = {"documents": list(messages)}
        super().__init__("documents: " + "; ".join(messages))


class BudgetExceeded(DomainError):
    """Approving the amount would overspend the budget (a 409)."""

    def __init__(self, *, budget: Budget, amount: Decimal) -> None:
        self.budget, self.amount = budget, amount
        region = budget.region_code or "all regions"
        super().__init__(
            f"approving {format_money(amount)} would overspend the {budget.year} {budget.kind} budget of "
            f"{region}: {format_money(budget.remaining)} remaining of {format_money(budget.amount)}"
        )


class NoBudget(DomainError):
    """No budget covers the claim's region, kind and year (a 409)."""

    def __init__(self, *, region_code: str, kind: str, year: int) -> None:
        self.region_code, self.kind, self.year = region_code, str(kind), year
        super().__init__(f"no {year} {kind} budget covers region {region_code}")


def _check_money(name: str, value: object) -> None:
    """Raise ValueError unless value is a non-negative Decimal with two places at most."""
    if not (
        isinstance(value, Decimal) and value.is_finite() and value >= 0 and value == value.quantize(CENT)
    ):
        raise ValueError(
            f"{name} must be a non-negative Decimal amount with at most two places, not {value!r}"
        )


@dataclass(frozen=True)
class Claim:
    """One request for payment: a mediated case, a legal-aid case, or a completed station duty."""

    id: str
    kind: Kind
    lawyer_id: str
    region_code: str
    service_date: date
    amount: Decimal
    submitted_by: str
    status: ClaimStatus = ClaimStatus.PENDING
    case_no: str | None = None
    scheme_id: str | None = None
    reviewed_by: str | None = None
    reject_reason: str | None = None
    batch_id: str | None = None
    documents: tuple[str, ...] = ()
    grade: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}, not {self.kind!r}")
        if self.status not in set(ClaimStatus):
            raise ValueError(f"status {self.status!r} is not a claim status")
        validate_region(self.region_code)
        _check_money("amount", self.amount)
        if not self.submitted_by:
            raise ValueError("a claim records who submitted it")


def _reviewer(claim: Claim, *, by_user: str, action: str) -> None:
    """Refuse a blank reviewer, a claim that is not pending, and the claim's own submitter."""
    if not by_user:
        raise ValueError("the reviewing user is required")
    if claim.status != ClaimStatus.PENDING:
        raise WrongState(claim_id=claim.id, status=claim.status, action=action, needs="pending")
    if by_user == claim.submitted_by:
        raise MakerChecker(claim_id=claim.id, user=by_user)


GRADE_NAMES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


@dataclass(frozen=True)
class FileRequirements:
    """What a scheme asks of a claim's file before it is paid: documents (一案一卷) and a grade (案件质量评估)."""

    required_documents: tuple[str, ...] = ()
    requires_grade: bool = False


NOTHING_REQUIRED = FileRequirements()


def normalise_documents(documents: object) -> tuple[str, ...]:
    """A claim's document names, trimmed, blanks dropped; DocumentsInvalid when it is not a list of names."""
    if not isinstance(documents, list | tuple):
        raise DocumentsInvalid(["must be a list of document names"])
    names = [d.strip() if isinstance(d, str) else d for d in documents]
    names = [d for d in names if d != ""]
    problems = document_list_errors(names)
    if problems:
        raise DocumentsInvalid(problems)
    return tuple(names)


def missing_documents(required: Iterable[str], documents: Iterable[str]) -> list[str]:
    """The required documents the file lacks, in the scheme's order (names compare trimmed, ignoring case)."""
    held = {d.strip().casefold() for d in documents}
    return [name for name in required if name.strip().casefold() not in held]


def check_file(claim: Claim, requirements: FileRequirements) -> None:
    """Refuse a claim whose file is incomplete (DocumentsMissing), then one not graded (NotGraded)."""
    missing = missing_documents(requirements.required_documents, claim.documents)
    if missing:
        raise DocumentsMissing(claim_id=claim.id, missing=missing)
    if requirements.requires_grade and claim.grade is None:
        raise NotGraded(claim_id=claim.id)


def approve(claim: Claim, *, by_user: str, requirements: FileRequirements = NOTHING_REQUIRED) -> Claim:
    """Approve a pending claim whose file is complete and graded where its scheme asks; never by its submitter."""
    _reviewer(claim, by_user=by_user, action="approved")
    check_file(claim, requirements)
    return replace(claim, status=ClaimStatus.APPROVED, reviewed_by=by_user)


def grade(claim: Claim, *, grade: str, by_user: str) -> Claim:
    """Grade a pending claim's file (a re-grade replaces the grade); never by whoever submitted it.

    The caller prices the claim again with the grade among its attributes."""
    if grade not in GRADES:
        raise GradeInvalid(grade)
    _reviewer(claim, by_user=by_user, action="graded")
    return replace(claim, grade=grade)


def attach_documents(claim: Claim, *, documents: object) -> Claim:
    """Replace a pending claim's document list (what its file now holds)."""
    names = normalise_documents(documents)
    if claim.status != ClaimStatus.PENDING:
        raise WrongState(claim_id=claim.id, status=claim.status, action="given documents", needs="pending")
    return replace(claim, documents=names)


def graded_breakdown(breakdown: list[dict[str, Any]], *, grade: str, amount: Decimal) -> list[dict[str, Any]]:
    """A graded claim's breakdown: how the scheme priced it with the grade, then the grade step itself."""
    step = {
        "step": f"quality grade {GRADE_NAMES[grade]} ({grade}): priced with grade={grade}",
        "amount": amount,
        "rule": "grade",
        "grade": grade,
    }
    return [*breakdown, step]


def submission_errors(*, attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """What a claim may not say about itself when submitted: its grade comes from grading."""
    if attributes.get("grade") is not None:
        return {
            "attributes.grade": ["the grade is given by finance when grading the file, not at submission"]
        }
    return {}


def reject(claim: Claim, *, by_user: str, reason: str) -> Claim:
    """Reject a pending claim with a non-blank reason; never by whoever submitted it."""
    _reviewer(claim, by_user=by_user, action="rejected")
    if not isinstance(reason, str) or not reason.strip():
        raise ReasonRequired()
    return replace(claim, status=ClaimStatus.REJECTED, reviewed_by=by_user, reject_reason=reason.strip())


def add_to_batch(claim: Claim, *, batch_id: str) -> Claim:
    """Put an approved claim into a payment batch; a claim is in at most one batch."""
    if claim.status != ClaimStatus.APPROVED:
        raise WrongState(
            claim_id=claim.id, status=claim.status, action="put in a payment batch", needs="approved"
        )
    if claim.batch_id is not None and claim.batch_id != batch_id:
        raise WrongState(
            claim_id=claim.id,
            status=f"already in batch {claim.batch_id}",
            action="batched again",
            needs="unbatched",
        )
    return replace(claim, batch_id=batch_id)


def mark_paid(claim: Claim) -> Claim:
    """Record that an approved claim was paid."""
    if claim.status != ClaimStatus.APPROVED:
        raise WrongState(claim_id=claim.id, status=claim.status, action="marked paid", needs="approved")
    return replace(claim, status=ClaimStatus.PAID)


@dataclass(frozen=True)
class Budget:
    """A region's yearly budget for one programme, and how much approvals have committed."""

    region_code: str | None
    kind: Kind
    year: int
    amount: Decimal
    committed: Decimal = ZERO
    id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}, not {self.kind!r}")
        if self.region_code is not None:
            validate_region(self.region_code)
        if isinstance(self.year, bool) or not isinstance(self.year, int) or not 2000 <= self.year <= 2200:
            raise ValueError(f"year {self.year!r} is not a plausible budget year")
        _check_money("amount", self.amount)
        _check_money("committed", self.committed)

    @property
    def remaining(self) -> Decimal:
        """What approvals may still commit (never below zero)."""
        return max(self.amount - self.committed, ZERO)


def select_budget(budgets: Iterable[Budget], *, region_code: str, kind: str, year: int) -> Budget | None:
    """The most specific budget of that kind and year whose region covers the claim's (None when there is none)."""
    validate_region(region_code)
    best: Budget | None = None
    for budget in budgets:
        if budget.kind != kind or budget.year != year or not covers(budget.region_code, region_code):
            continue
        if best is None or specificity(budget.region_code) > specificity(best.region_code):
            best = budget
    return best


def commit(budget: Budget, amount: Decimal) -> Budget:
    """Commit an approved amount against the budget, refusing to overspend it."""
    _check_money("amount", amount)
    if amount > budget.remaining:
        raise BudgetExceeded(budget=budget, amount=amount)
    return replace(budget, committed=budget.committed + amount)


def approve_against_budget(
    claim: Claim,
    budgets: Iterable[Budget],
    *,
    by_user: str,
    requirements: FileRequirements = NOTHING_REQUIRED,
) -> tuple[Claim, Budget]:
    """Approve a claim (file complete, graded) and commit its amount to the most specific covering budget;
    NoBudget or BudgetExceeded otherwise."""
    approved = approve(claim, by_user=by_user, requirements=requirements)
    year = claim.service_date.year
    budget = select_budget(budgets, region_code=claim.region_code, kind=claim.kind, year=year)
    if budget is None:
        raise NoBudget(region_code=claim.region_code, kind=claim.kind, year=year)
    return approved, commit(budget, claim.amount)
