"""The caller's own page: who they are and, for a lawyer, their next duties, swaps and this month's claims.

Assembled from the gateway's lawyer directory and from the roster and subsidy services, each asked as the
caller (so the services filter to the caller's own objects), the three questions in parallel. A service
that cannot answer leaves its section marked `available: false`; the rest of the page is still served.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.gateway.domain.my_page import claim_totals, has_lawyer_sections, period, skeleton
from services.gateway.service.directory import lawyer_profile


class Sections(Protocol):
    """One page of a service's list, asked as the caller, as a section (available or not)."""

    def section(self, backend: str, path: str, params: dict[str, str]) -> dict[str, Any]: ...


def overview(
    session: Session, *, identity: Identity, sections: Sections, today: date | None = None
) -> dict[str, Any]:
    """GET /api/me: the user, and for a lawyer their profile, duties, swaps and claims."""
    page = skeleton(identity)
    if not has_lawyer_sections(identity):
        return page
    when = period(today or datetime.now(UTC).date())
    page["lawyer"] = lawyer_profile(session, lawyer_id=str(identity.lawyer_id))
    questions = {
        "upcoming_duties": (
            "roster",
            "/api/roster/me/duties",
            {"from": when.today.isoformat(), "to": when.until.isoformat(), "limit": "1000"},
        ),
        "pending_swaps": ("roster", "/api/roster/swaps", {"status": "pending", "limit": "1000"}),
        "claims_this_month": ("subsidy", "/api/subsidy/claims", {"month": when.month, "limit": "1000"}),
    }
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        futures = {name: pool.submit(sections.section, *question) for name, question in questions.items()}
        answers = {name: future.result() for name, future in futures.items()}
    answers["upcoming_duties"].update({"from": when.today, "to": when.until})
    claims = answers["claims_this_month"]
    claims["month"] = when.month
    if claims["available"]:
        claims["totals_by_status"], claims["total_amount"] = claim_totals(claims["items"])
    page.update(answers)
    return page
