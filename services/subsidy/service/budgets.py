"""Yearly budgets per region and programme: what approvals commit against."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from services.common.paging import page, where_given
from services.subsidy.adapters.orm import BudgetRow, budgets_table
from services.subsidy.domain.claims import Budget
from services.subsidy.domain.regions import regions_covering
from services.subsidy.domain.schemes import Kind
from services.subsidy.service import audit
from services.subsidy.service.budget_watch import announce_thresholds
from services.subsidy.service.claims import insert_new, plausible_id
from services.subsidy.service.errors import Conflict, Invalid, NotFound
from services.subsidy.service.unit_of_work import Unit

ALL = "*"


def budget_view(row: BudgetRow) -> dict[str, Any]:
    amount, committed = Decimal(row.amount), Decimal(row.committed)
    return {
        "id": row.id,
        "region_code": row.region_code,
        "kind": row.kind,
        "year": row.year,
        "amount": amount,
        "committed": committed,
        "remaining": Budget(
            region_code=row.region_code,
            kind=Kind(row.kind),
            year=row.year,
            amount=amount,
            committed=committed,
        ).remaining,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def create_budget(
    unit: Unit, *, region_code: str | None, kind: str, year: int, amount: Decimal, actor: str
) -> dict[str, Any]:
    """Add a region's budget for a programme and year; 409 when that one exists."""
    try:
        budget = Budget(region_code=region_code, kind=Kind(kind), year=year, amount=amount)
    except ValueError as exc:
        raise Invalid(str(exc), {"_schema": [str(exc)]}) from None
    audit.begin(unit)
    now = datetime.now(UTC)
    values = {
        "id": str(uuid.uuid4()),
        "region_code": budget.region_code,
        "scope": budget.region_code or ALL,
        "kind": str(budget.kind),
        "year": budget.year,
        "amount": budget.amount,
        "committed": budget.committed,
        "created_by": actor,
        "created_at": now,
        "updated_at": now,
        "announced_threshold": 0,
    }
    if not insert_new(unit, budgets_table, values):
        raise Conflict(f"the {year} {kind} budget of region {region_code or 'all'} already exists")
    row = unit.session.get_one(BudgetRow, values["id"])
    view = budget_view(row)
    audit.record(
        unit,
        actor=actor,
        action="budget.created",
        entity="budget",
        entity_id=row.id,
        after={k: view[k] for k in ("region_code", "kind", "year", "amount", "committed")},
    )
    return view


def get_budget(unit: Unit, *, budget_id: str) -> dict[str, Any]:
    row = unit.session.get(BudgetRow, budget_id) if plausible_id(budget_id) else None
    if row is None:
        raise NotFound(f"no budget {budget_id}")
    return budget_view(row)


def list_budgets(
    unit: Unit,
    *,
    kind: str | None = None,
    year: int | None = None,
    region_code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Budgets by year (newest first), kind and region; `region_code` lists those covering it."""
    statement = where_given(select(BudgetRow), (BudgetRow.kind, kind), (BudgetRow.year, year))
    if region_code is not None:
        statement = statement.where(
            or_(BudgetRow.region_code.is_(None), BudgetRow.region_code.in_(regions_covering(region_code)))
        )
    return page(
        unit.session,
        statement,
        order_by=(BudgetRow.year.desc(), BudgetRow.kind, BudgetRow.scope),
        limit=limit,
        offset=offset,
        view=budget_view,
    )


def amend_budget(unit: Unit, *, budget_id: str, amount: Decimal, reason: str, actor: str) -> dict[str, Any]:
    """Raise or cut a budget (追加/调减预算), never below what approvals already committed; audited."""
    audit.begin(unit)
    row = unit.session.get(BudgetRow, budget_id, with_for_update=True) if plausible_id(budget_id) else None
    if row is None:
        raise NotFound(f"no budget {budget_id}")
    if not reason.strip():
        raise Invalid("say why the budget changes", {"reason": ["must not be blank"]})
    before = budget_view(row)
    committed = Decimal(row.committed)
    if amount < committed:
        raise Conflict(
            f"{committed} is already committed against this budget; the amount cannot go below that"
        )
    row.amount = amount
    row.updated_at = datetime.now(UTC)
    announce_thresholds(unit, row)  # a cut may reach a threshold; a raise re-arms those left behind
    unit.session.flush()
    after = budget_view(row)
    audit.record(
        unit,
        actor=actor,
        action="budget.amended",
        entity="budget",
        entity_id=row.id,
        before={"amount": before["amount"]},
        after={"amount": after["amount"]},
        reason=reason,
    )
    return after
