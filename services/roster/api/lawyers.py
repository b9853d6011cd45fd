"""Lawyers: register, read, change."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.etags import if_match, with_etag
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import LawyerIn, LawyerOut, LawyerPage, LawyerPatch, LawyerQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import lawyers as use_cases

blp = Blueprint("roster-lawyers", __name__, url_prefix="/api/roster", description="Lawyers")


@blp.route("/lawyers", methods=["POST"])
@blp.arguments(LawyerIn)
@blp.response(201, LawyerOut)
@problems(blp, 403, 409, 422)
@require_roles(*STAFF)
def create_lawyer(body: dict[str, Any]) -> Any:
    """Register a lawyer (scheduler)."""
    with unit_of_work() as uow:
        lawyer = use_cases.create_lawyer(uow=uow, data=body)
        uow.commit()
    return with_etag(lawyer, 201)


@blp.route("/lawyers", methods=["GET"])
@blp.arguments(LawyerQuery, location="query")
@blp.response(200, LawyerPage)
@problems(blp, 403)
@require_roles(*STAFF)
def list_lawyers(query: dict[str, Any]) -> Any:
    """Lawyers, filtered by region, status, language or name."""
    with read_session() as session:
        return use_cases.list_lawyers(session=session, **query)


@blp.route("/lawyers/<lawyer_id>", methods=["GET"])
@blp.response(200, LawyerOut)
@problems(blp, 403, 404)
@require_roles(*STAFF, "lawyer")
def get_lawyer(lawyer_id: str) -> Any:
    """One lawyer (a lawyer sees only themself)."""
    with read_session() as session:
        return with_etag(
            use_cases.get_lawyer(session=session, lawyer_id=lawyer_id, identity=current_identity())
        )


@blp.route("/lawyers/<lawyer_id>", methods=["PATCH"])
@blp.arguments(LawyerPatch)
@blp.response(200, LawyerOut)
@problems(blp, 403, 404, 409, 412, 422)
@require_roles(*STAFF)
def patch_lawyer(body: dict[str, Any], lawyer_id: str) -> Any:
    """Change a lawyer; send If-Match with the ETag you read to avoid overwriting someone else's change."""
    with unit_of_work() as uow:
        lawyer = use_cases.update_lawyer(
            uow=uow, lawyer_id=lawyer_id, changes=body, expected_version=if_match()
        )
        uow.commit()
    return with_etag(lawyer)
