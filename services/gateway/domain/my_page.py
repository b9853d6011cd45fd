"""The rules of the caller's own page (/api/me): which period it covers, how a section says that its
service did not answer, and how this month's claims add up (Decimal, two places, half-up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from services.common.auth import Identity

UPCOMING_DAYS = 30
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    today: date
    until: date
    month: str  # YYYY-MM


def period(today: date) -> Period:
    """The next UPCOMING_DAYS days of duties, and this calendar month of claims."""
    return Period(today=today, until=today + timedelta(days=UPCOMING_DAYS), month=today.strftime("%Y-%m"))


def skeleton(identity: Identity) -> dict[str, Any]:
    """The page before any section is filled: who I am; lawyer sections empty."""
    user = {
        "id": identity.user_id,
        "username": identity.username,
        "role": identity.role,
        "lawyer_id": identity.lawyer_id,
    }
    return {
        "user": user,
        "lawyer": None,
        "upcoming_duties": None,
        "pending_swaps": None,
        "claims_this_month": None,
    }


def has_lawyer_sections(identity: Identity) -> bool:
    return identity.is_lawyer and bool(identity.lawyer_id)


def unavailable(detail: str) -> dict[str, Any]:
    return {"available": False, "detail": detail, "items": None, "total": None}


def available(items: list[Any], total: int) -> dict[str, Any]:
    return {"available": True, "items": items, "total": total}


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")


def _cents(value: Decimal) -> str:
    return str(value.quantize(CENTS, rounding=ROUND_HALF_UP))


def claim_totals(claims: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], str]:
    """Count and amount per status, and the amount of them all (decimal strings)."""
    by_status: dict[str, dict[str, Any]] = {}
    grand = Decimal("0")
    for claim in claims:
        status = str(claim.get("status", "unknown"))
        amount = _money(claim.get("amount", "0"))
        bucket = by_status.setdefault(status, {"count": 0, "amount": Decimal("0")})
        bucket["count"] += 1
        bucket["amount"] += amount
        grand += amount
    totals = {s: {"count": b["count"], "amount": _cents(b["amount"])} for s, b in by_status.items()}
    return totals, _cents(grand)
