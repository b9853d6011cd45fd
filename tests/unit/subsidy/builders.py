"""Small builders for subsidy domain tests: schemes and claims with sensible defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.subsidy.domain.claims import Claim, ClaimStatus
from services.subsidy.domain.schemes import Adjustment, Kind, Rate, Scheme


def rate(amount: str, **when: Any) -> Rate:
    """A rate paying `amount` when every keyword matches."""
    return Rate(when=when, amount=Decimal(amount))


def scheme(
    *rates: Rate,
    id: str = "S1",
    kind: Kind = Kind.LEGAL_AID_CASE,
    region_code: str | None = "654000",
    effective_from: date = date(2025, 1, 1),
    effective_to: date | None = None,
    adjustments: tuple[Adjustment, ...] = (),
    monthly_cap_per_lawyer: str | None = None,
    max_amount: str | None = None,
    document_no: str | None = "伊州司发〔2025〕12号",
) -> Scheme:
    """A scheme with the given rates and defaults for everything else."""
    return Scheme(
        id=id,
        kind=kind,
        name=f"scheme {id}",
        region_code=region_code,
        effective_from=effective_from,
        effective_to=effective_to,
        rates=rates or (rate("100.00"),),
        adjustments=adjustments,
        monthly_cap_per_lawyer=None if monthly_cap_per_lawyer is None else Decimal(monthly_cap_per_lawyer),
        max_amount=None if max_amount is None else Decimal(max_amount),
        document_no=document_no,
    )


def claim(
    id: str = "C1",
    *,
    lawyer_id: str = "L1",
    amount: str = "100.00",
    status: ClaimStatus = ClaimStatus.PENDING,
    region_code: str = "654021",
    service_date: date = date(2026, 5, 12),
    kind: Kind = Kind.LEGAL_AID_CASE,
    submitted_by: str = "lawyer-li",
    batch_id: str | None = None,
) -> Claim:
    """A claim with defaults: a pending legal-aid claim in Yining County, May 2026."""
    return Claim(
        id=id,
        kind=kind,
        lawyer_id=lawyer_id,
        region_code=region_code,
        service_date=service_date,
        amount=Decimal(amount),
        submitted_by=submitted_by,
        status=status,
        batch_id=batch_id,
    )
