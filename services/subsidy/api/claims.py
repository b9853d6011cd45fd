"""/api/subsidy/claims: lawyers submit and follow their own case claims; finance reviews every claim."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import (
    ApprovalsIn,
    ApprovalsOut,
    ClaimChange,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimQuery,
    GradeIn,
    RejectIn,
)
from services.subsidy.service import bulk_approval, claims
from services.subsidy.service.errors import Forbidden

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/subsidy/claims",
    description="Claims: cases submitted by lawyers or staff, station duties from the roster",
)


def _own() -> str | None:
    """The lawyer a lawyer user is limited to (None for staff)."""
    identity = current_identity()
    if not identity.is_lawyer:
        return None
    if not identity.lawyer_id:
        raise Forbidden("this lawyer user is linked to no roster lawyer")
    return identity.lawyer_id


@blp.route("", methods=["POST"])
@blp.arguments(ClaimIn)
@blp.response(201, ClaimOut)
@problems(blp, 400, 403, 409, 422)
@require_roles("lawyer", "finance")  # finance writes; a lawyer submits their own case claims
def submit_claim(body: dict[str, Any]) -> Any:
    """Submit a case claim (a lawyer for themself, staff for anyone); priced at once, pending review."""
    own = _own()
    if own is not None and body["lawyer_id"] != own:
        raise Forbidden("a lawyer submits claims for themself only")
    with unit_of_work() as uow:
        claim = claims.submit_claim(uow, **body, submitted_by=current_identity().user_id)
        uow.commit()
    return claim


@blp.route("", methods=["GET"])
@blp.arguments(ClaimQuery, location="query")
@blp.response(200, ClaimPage)
@problems(blp, 403, 422)
@require_roles("lawyer", "finance", "admin")
def list_claims(query: dict[str, Any]) -> Any:
    """Claims filtered (status, lawyer, kind, month, region, batch, amount band) and sorted over the whole
    list (default: by service date, newest first); a lawyer sees their own."""
    with unit_of_work() as uow:
        return claims.list_claims(uow, **query, own_lawyer_id=_own())


@blp.route("/<claim_id>", methods=["GET"])
@blp.response(200, ClaimOut)
@problems(blp, 403, 404)
@require_roles("lawyer", "finance", "admin")
def get_claim(claim_id: str) -> Any:
    """One claim with the breakdown of its amount (another lawyer's: 404)."""
    with unit_of_work() as uow:
        return claims.get_claim(uow, claim_id=claim_id, own_lawyer_id=_own())


@blp.route("/<claim_id>", methods=["PATCH"])
@blp.arguments(ClaimChange)
@blp.response(200, ClaimOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("lawyer", "finance")  # a lawyer completes their own claim's file
def update_claim(body: dict[str, Any], claim_id: str) -> Any:
    """Replace a pending claim's documents (一案一卷), audited; 409 once it is reviewed."""
    with unit_of_work() as uow:
        claim = claims.update_documents(
            uow,
            claim_id=claim_id,
            documents=body["documents"],
            actor=current_identity().user_id,
            own_lawyer_id=_own(),
        )
        uow.commit()
    return claim


@blp.route("/<claim_id>/grade", methods=["POST"])
@blp.arguments(GradeIn)
@blp.response(200, ClaimOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("finance")
def grade_claim(body: dict[str, Any], claim_id: str) -> Any:
    """Grade a pending claim's file (案件质量评估) and price it again with the grade (never by its submitter;
    409 once approved or rejected)."""
    with unit_of_work() as uow:
        claim = claims.grade_claim(
            uow,
            claim_id=claim_id,
            grade_given=body["grade"],
            note=body["note"],
            by_user=current_identity().user_id,
        )
        uow.commit()
    return claim


@blp.route("/<claim_id>/approve", methods=["POST"])
@blp.response(200, ClaimOut)
@problems(blp, 403, 404, 409)
@require_roles("finance")
def approve_claim(claim_id: str) -> Any:
    """Approve a pending claim against its budget (never by its submitter). 409 names the missing step: the
    file's documents, then its grade (where the scheme asks), then the budget."""
    with unit_of_work() as uow:
        claim = claims.approve_claim(uow, claim_id=claim_id, by_user=current_identity().user_id)
        uow.commit()
    return claim


@blp.route("/approvals", methods=["POST"])
@blp.arguments(ApprovalsIn)
@blp.response(200, ApprovalsOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("finance")
def approve_claims(body: dict[str, Any]) -> Any:
    """Approve many pending claims at once (the console's bulk approval), all or none: the same rules as one by
    one (never one's own, complete and graded files, the budgets), each claim audited and announced."""
    with unit_of_work() as uow:
        result = bulk_approval.approve_claims_in_bulk(
            uow, claim_ids=body["claim_ids"], by_user=current_identity().user_id
        )
        uow.commit()
    return result


@blp.route("/<claim_id>/reject", methods=["POST"])
@blp.arguments(RejectIn)
@blp.response(200, ClaimOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("finance")
def reject_claim(body: dict[str, Any], claim_id: str) -> Any:
    """Reject a pending claim with a reason the lawyer reads (never by its submitter)."""
    with unit_of_work() as uow:
        claim = claims.reject_claim(
            uow, claim_id=claim_id, by_user=current_identity().user_id, reason=body["reason"]
        )
        uow.commit()
    return claim
