"""Swaps: a lawyer asks another to take a duty; the other accepts or declines; a scheduler approves."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import DeclineIn, SwapIn, SwapOut, SwapPage, SwapQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import swaps as sw

blp = Blueprint("roster-swaps", __name__, url_prefix="/api/roster", description="Swaps")


@blp.route("/swaps", methods=["POST"])
@blp.arguments(SwapIn)
@blp.response(201, SwapOut)
@problems(blp, 403, 404, 409, 422)
@require_roles("lawyer")  # the scheduler moves a duty with reassign
def request_swap(body: dict[str, Any]) -> Any:
    """Ask another lawyer to take one of my duties."""
    with unit_of_work() as uow:
        swap = sw.request_swap(uow=uow, identity=current_identity(), **body)
        uow.commit()
    return swap, 201


@blp.route("/swaps", methods=["GET"])
@blp.arguments(SwapQuery, location="query")
@blp.response(200, SwapPage)
@problems(blp, 403)
@require_roles("lawyer", *STAFF)
def list_swaps(query: dict[str, Any]) -> Any:
    """Swaps (a lawyer sees those asked by or of them)."""
    with read_session() as session:
        return sw.list_swaps(session=session, identity=current_identity(), **query)


@blp.route("/swaps/<swap_id>/accept", methods=["POST"])
@blp.response(200, SwapOut)
@problems(blp, 403, 404, 409)
@require_roles("lawyer")
def accept_swap(swap_id: str) -> Any:
    """I agree to take the duty."""
    with unit_of_work() as uow:
        swap = sw.accept_swap(uow=uow, swap_id=swap_id, identity=current_identity())
        uow.commit()
    return swap


@blp.route("/swaps/<swap_id>/decline", methods=["POST"])
@blp.arguments(DeclineIn)
@blp.response(200, SwapOut)
@problems(blp, 403, 404, 409)
@require_roles("lawyer", "scheduler")  # declining is the scheduler's decision like approving
def decline_swap(body: dict[str, Any], swap_id: str) -> Any:
    """Say no to a swap (or withdraw my own request)."""
    with unit_of_work() as uow:
        swap = sw.decline_swap(uow=uow, swap_id=swap_id, identity=current_identity(), reason=body["reason"])
        uow.commit()
    return swap


@blp.route("/swaps/<swap_id>/approve", methods=["POST"])
@blp.response(200, SwapOut)
@problems(blp, 403, 404, 409)
@require_roles("scheduler")
def approve_swap(swap_id: str) -> Any:
    """Approve an accepted swap (re-checked against every rule; 409 names the one it would break)."""
    with unit_of_work() as uow:
        swap = sw.approve_swap(uow=uow, swap_id=swap_id, identity=current_identity())
        uow.commit()
    return swap
