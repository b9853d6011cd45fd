"""/api/subsidy/estimates: what planned duties would cost in station-duty subsidies (nothing is stored)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import EstimateIn, EstimateOut
from services.subsidy.service import estimates

blp = Blueprint(
    "estimates",
    __name__,
    url_prefix="/api/subsidy/estimates",
    description="The cost of planned duties, by region, beside the budgets",
)


@blp.route("", methods=["POST"])
@blp.arguments(EstimateIn)
@blp.response(200, EstimateOut)
@problems(blp, 400, 403, 422)
@require_roles("scheduler", "finance")
def estimate(body: dict[str, Any]) -> Any:
    """Price planned duties through the station-duty schemes, per region and year, with each budget's remainder."""
    with unit_of_work() as uow:
        return estimates.estimate_duties(uow, duties=body["duties"])
