"""The languages a scheduler picks from: those in use (lawyers, duty patterns) and the region's, or a search
of the ISO 639 registry, each with its English and Chinese names."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.roster.adapters.orm import DutyPatternRow, LawyerRow
from services.roster.domain.languages import REGION_LANGUAGES, Language, language, search

SEARCH_LIMIT = 200


def list_languages(
    *, session: Session, q: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """Without `q`: the languages in use and the region's (the region's first); with it: the registry's
    languages whose code it is or whose name contains it. Each with how many lawyers speak it and how many
    active patterns ask for it."""
    # JSON arrays are not portably indexable: the codes are counted in Python
    lawyers = Counter(c for codes in session.scalars(select(LawyerRow.languages)) for c in codes)
    patterns = Counter(
        c
        for codes in session.scalars(select(DutyPatternRow.languages).where(DutyPatternRow.active.is_(True)))
        for c in codes
    )
    if q:
        found = search(q, limit=SEARCH_LIMIT)
    else:
        region = list(REGION_LANGUAGES)
        in_use = sorted((set(lawyers) | set(patterns)) - set(region))
        found = [x for x in (language(code) for code in region + in_use) if x is not None]
        found += [
            Language(code, code, code) for code in in_use if language(code) is None
        ]  # stored before the check
    items = [
        {
            "code": x.code,
            "name_en": x.name_en,
            "name_zh": x.name_zh,
            "lawyers": lawyers[x.code],
            "patterns": patterns[x.code],
        }
        for x in found
    ]
    return {"items": items[offset : offset + limit], "total": len(items)}
