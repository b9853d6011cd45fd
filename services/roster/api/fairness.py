"""Fairness: the burden ledger of published rosters, per lawyer of a region over some months."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import require_roles
from services.roster.api.problems import problems
from services.roster.api.schemas import FairnessOut, FairnessQuery
from services.roster.api.sessions import read_session
from services.roster.service import fairness as use_cases

blp = Blueprint("roster-fairness", __name__, url_prefix="/api/roster", description="Fairness")


@blp.route("/fairness", methods=["GET"])
@blp.arguments(FairnessQuery, location="query")
@blp.response(200, FairnessOut)
@problems(blp, 403, 422)
@require_roles("scheduler")
def fairness(query: dict[str, Any]) -> Any:
    """Each lawyer's published duties, rest-day-or-holiday duties and burden over the months, and the balance."""
    with read_session() as session:
        return use_cases.fairness_report(session=session, **query)
