"""Estimates: what planned duties would cost in station-duty subsidies, by region, beside the budgets (read only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.subsidy.adapters.orm import BudgetRow
from services.subsidy.domain.claims import Budget
from services.subsidy.domain.estimates import KIND, PlannedDuty, estimate
from services.subsidy.domain.money import ZERO
from services.subsidy.domain.schemes import Kind
from services.subsidy.service.errors import Invalid
from services.subsidy.service.pricing import schemes_of
from services.subsidy.service.unit_of_work import Unit

# a prefecture's month is a few thousand duties; a larger list is refused before it is read (a 422 naming it)
MAX_DUTIES = 20_000


def estimate_duties(unit: Unit, *, duties: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`{total, by_region: [{region_code, year, total, budget_remaining, duties, unpriced}]}`; stores nothing."""
    if len(duties) > MAX_DUTIES:
        raise Invalid(
            f"at most {MAX_DUTIES} duties in one estimate, not {len(duties)}",
            {"duties": [f"at most {MAX_DUTIES} duties in one estimate, not {len(duties)}"]},
        )
    planned = [
        PlannedDuty(
            region_code=d["region_code"],
            station_level=d["station_level"],
            date=d["date"],
            start_time=d["start_time"],
            end_time=d["end_time"],
            holiday=d.get("holiday"),
        )
        for d in duties
    ]
    years = sorted({d.date.year for d in planned})
    rows: list[BudgetRow] = (
        list(
            unit.session.execute(
                select(BudgetRow).where(BudgetRow.kind == KIND.value, BudgetRow.year.in_(years))
            ).scalars()
        )
        if years
        else []
    )
    budgets = [
        Budget(
            region_code=b.region_code,
            kind=Kind(b.kind),
            year=b.year,
            amount=Decimal(b.amount),
            committed=Decimal(b.committed),
            id=b.id,
        )
        for b in rows
    ]
    by_region = estimate(planned, schemes_of(unit, KIND.value), budgets)
    return {
        "total": sum((r.total for r in by_region), ZERO),
        "by_region": [
            {
                "region_code": r.region_code,
                "year": r.year,
                "total": r.total,
                "budget_remaining": r.budget_remaining,
                "duties": r.duties,
                "unpriced": r.unpriced,
            }
            for r in by_region
        ],
    }
