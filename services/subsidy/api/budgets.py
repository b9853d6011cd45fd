"""/api/subsidy/budgets: each region's yearly budget per programme (finance keeps them)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import BudgetAmendment, BudgetIn, BudgetOut, BudgetPage, BudgetQuery
from services.subsidy.service import budgets

blp = Blueprint(
    "budgets",
    __name__,
    url_prefix="/api/subsidy/budgets",
    description="Yearly budgets per region and programme",
)


@blp.route("", methods=["POST"])
@blp.arguments(BudgetIn)
@blp.response(201, BudgetOut)
@problems(blp, 400, 403, 409, 422)
@require_roles("finance")
def create_budget(body: dict[str, Any]) -> Any:
    """Add a region's budget for a programme and year (one per region, kind and year)."""
    with unit_of_work() as uow:
        budget = budgets.create_budget(uow, **body, actor=current_identity().user_id)
        uow.commit()
    return budget


@blp.route("", methods=["GET"])
@blp.arguments(BudgetQuery, location="query")
@blp.response(200, BudgetPage)
@problems(blp, 403, 422)
@require_roles("finance", "admin")
def list_budgets(query: dict[str, Any]) -> Any:
    """Budgets with what is committed and what remains."""
    with unit_of_work() as uow:
        return budgets.list_budgets(uow, **query)


@blp.route("/<budget_id>", methods=["GET"])
@blp.response(200, BudgetOut)
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def get_budget(budget_id: str) -> Any:
    """One budget: amount, committed, remaining."""
    with unit_of_work() as uow:
        return budgets.get_budget(uow, budget_id=budget_id)


@blp.route("/<budget_id>", methods=["PATCH"])
@blp.arguments(BudgetAmendment)
@blp.response(200, BudgetOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("finance")
def amend_budget(body: dict[str, Any], budget_id: str) -> Any:
    """Raise or cut a budget (追加/调减预算), never below what is committed; the reason goes to the audit trail."""
    with unit_of_work() as uow:
        budget = budgets.amend_budget(uow, budget_id=budget_id, actor=current_identity().user_id, **body)
        uow.commit()
    return budget
