"""/api/subsidy/schemes: rate tables as data (finance writes, finance and admin read)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import (
    PreviewIn,
    PreviewOut,
    SchemeClose,
    SchemeIn,
    SchemeOut,
    SchemePage,
    SchemeQuery,
)
from services.subsidy.service import schemes

blp = Blueprint(
    "schemes",
    __name__,
    url_prefix="/api/subsidy/schemes",
    description="Subsidy standards: effective-dated rate tables",
)


@blp.route("", methods=["POST"])
@blp.arguments(SchemeIn)
@blp.response(201, SchemeOut)
@problems(blp, 400, 403, 409, 422)
@require_roles("finance")
def create_scheme(body: dict[str, Any]) -> Any:
    """Add a standard (a new one from a new date; overlapping one of its kind and region: 409)."""
    with unit_of_work() as uow:
        scheme = schemes.create_scheme(uow, body=body, actor=current_identity().user_id)
        uow.commit()
    return scheme


@blp.route("", methods=["GET"])
@blp.arguments(SchemeQuery, location="query")
@blp.response(200, SchemePage)
@problems(blp, 403, 422)
@require_roles("finance", "admin")
def list_schemes(query: dict[str, Any]) -> Any:
    """Standards by kind and start date (newest first)."""
    with unit_of_work() as uow:
        return schemes.list_schemes(uow, **query)


@blp.route("/preview", methods=["POST"])
@blp.arguments(PreviewIn)
@blp.response(200, PreviewOut)
@problems(blp, 400, 403, 422)
@require_roles("finance")
def preview_scheme(body: dict[str, Any]) -> Any:
    """What past claims would be paid under a draft standard (nothing is saved)."""
    with unit_of_work() as uow:
        return schemes.preview_scheme(
            uow,
            body=body["scheme"],
            service_from=body["service_from"],
            service_to=body["service_to"],
            statuses=body["statuses"],
            lawyer_id=body["lawyer_id"],
            claim_ids=body["claim_ids"],
            limit=body["limit"],
        )


@blp.route("/<scheme_id>", methods=["GET"])
@blp.response(200, SchemeOut)
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def get_scheme(scheme_id: str) -> Any:
    """One standard, with how many claims it priced."""
    with unit_of_work() as uow:
        return schemes.get_scheme(uow, scheme_id=scheme_id)


@blp.route("/<scheme_id>/close", methods=["POST"])
@blp.arguments(SchemeClose)
@blp.response(200, SchemeOut)
@problems(blp, 400, 403, 404, 409, 422)
@require_roles("finance")
def close_scheme(body: dict[str, Any], scheme_id: str) -> Any:
    """End a standard on a date so the next one can start (never before a claim it priced)."""
    with unit_of_work() as uow:
        scheme = schemes.close_scheme(
            uow, scheme_id=scheme_id, effective_to=body["effective_to"], actor=current_identity().user_id
        )
        uow.commit()
    return scheme
