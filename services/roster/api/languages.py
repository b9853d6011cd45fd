"""Languages: ISO 639 codes with their English and Chinese names, for pickers and spreadsheets."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import ROLES, require_roles
from services.roster.api.problems import problems
from services.roster.api.schemas import LanguagePage, LanguageQuery
from services.roster.api.sessions import read_session
from services.roster.service.languages import list_languages

blp = Blueprint("roster-languages", __name__, url_prefix="/api/roster", description="Languages (ISO 639)")


@blp.route("/languages", methods=["GET"])
@blp.arguments(LanguageQuery, location="query")
@blp.response(200, LanguagePage)
@problems(blp, 422)
@require_roles(*ROLES)
def get_languages(query: dict[str, Any]) -> Any:
    """The languages in use and the region's, or (q) those whose code or English or Chinese name matches."""
    with read_session() as session:
        return list_languages(session=session, q=query.get("q"), limit=query["limit"], offset=query["offset"])
