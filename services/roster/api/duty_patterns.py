"""Duty patterns: when a station is staffed."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import require_roles
from services.roster.api.etags import if_match, with_etag
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import PatternIn, PatternOut, PatternPage, PatternPatch, PatternQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import duty_patterns as use_cases

blp = Blueprint("roster-duty-patterns", __name__, url_prefix="/api/roster", description="Duty patterns")


@blp.route("/duty-patterns", methods=["POST"])
@blp.arguments(PatternIn)
@blp.response(201, PatternOut)
@problems(blp, 403, 422)
@require_roles(*STAFF)
def create_pattern(body: dict[str, Any]) -> Any:
    """Say when a station is staffed: days on China's working-day calendar, or an RRULE."""
    with unit_of_work() as uow:
        pattern = use_cases.create_pattern(uow=uow, data=body)
        uow.commit()
    return with_etag(pattern, 201)


@blp.route("/duty-patterns", methods=["GET"])
@blp.arguments(PatternQuery, location="query")
@blp.response(200, PatternPage)
@problems(blp, 403)
@require_roles(*STAFF)
def list_patterns(query: dict[str, Any]) -> Any:
    """Duty patterns, optionally of one station."""
    with read_session() as session:
        return use_cases.list_patterns(session=session, **query)


@blp.route("/duty-patterns/<pattern_id>", methods=["GET"])
@blp.response(200, PatternOut)
@problems(blp, 403, 404)
@require_roles(*STAFF)
def get_pattern(pattern_id: str) -> Any:
    """One duty pattern."""
    with read_session() as session:
        return with_etag(use_cases.get_pattern(session=session, pattern_id=pattern_id))


@blp.route("/duty-patterns/<pattern_id>", methods=["PATCH"])
@blp.arguments(PatternPatch)
@blp.response(200, PatternOut)
@problems(blp, 403, 404, 412, 422)
@require_roles(*STAFF)
def patch_pattern(body: dict[str, Any], pattern_id: str) -> Any:
    """Change a duty pattern (If-Match protects against lost updates)."""
    with unit_of_work() as uow:
        pattern = use_cases.update_pattern(
            uow=uow, pattern_id=pattern_id, changes=body, expected_version=if_match()
        )
        uow.commit()
    return with_etag(pattern)
