"""After a budget changes (an approval commits against it, an amendment raises or cuts it): announce the
thresholds its commitments newly reach as `subsidy.budget.threshold_reached`, in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from services.subsidy.adapters.orm import BudgetRow
from services.subsidy.domain.budget_watch import watch
from services.subsidy.service.unit_of_work import Unit


def announce_thresholds(unit: Unit, row: BudgetRow) -> list[int]:
    """Emit one event per threshold newly reached, remember the highest; returns the thresholds announced."""
    amount, committed = Decimal(row.amount), Decimal(row.committed)
    announced, new = watch(amount=amount, committed=committed, announced=row.announced_threshold or 0)
    row.announced_threshold = announced
    for threshold in new:
        unit.emit(
            "subsidy.budget.threshold_reached",
            {
                "budget_id": row.id,
                "region_code": row.region_code,
                "kind": row.kind,
                "year": row.year,
                "amount": amount,
                "committed": committed,
                "threshold": threshold,
            },
        )
    return new
