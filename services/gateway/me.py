"""The caller's own page: who they are and, for a lawyer, their next duties, swaps and this month's claims.

Assembled from the gateway's lawyer directory and from the roster and subsidy services, each asked as the
caller (so the services filter to the caller's own objects), the three questions in parallel. A service
that cannot answer leaves its section marked `available: false`; the rest of the page is still served.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.http import Problem
from services.gateway.adapters.orm import LawyerEntry, Notification
from services.gateway.proxy import Backends, BackendUnavailable

UPCOMING_DAYS = 30
SECTION_TIMEOUT = 5.0
CENTS = Decimal("0.01")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def lawyer_profile(session: Session, *, lawyer_id: str) -> dict[str, Any] | None:
    """The lawyer as the gateway's directory knows them (None until the roster has announced them)."""
    entry = session.get(LawyerEntry, lawyer_id)
    if entry is None:
        return None
    profile = dict(entry.profile or {})
    profile.update(id=entry.id, name=entry.name, status=entry.status, region_code=entry.region_code)
    return profile


def _unavailable(detail: str) -> dict[str, Any]:
    return {"available": False, "detail": detail, "items": None, "total": None}


def _section(fetch: Callable[[], tuple[int, Any]], backend: str) -> dict[str, Any]:
    try:
        status, body = fetch()
    except BackendUnavailable as exc:
        return _unavailable(exc.detail)
    if status != 200 or not isinstance(body, dict):
        detail = body.get("detail") if isinstance(body, dict) else None
        return _unavailable(f"the {backend} service answered {status}: {detail or 'no detail'}")
    items = body.get("items")
    if not isinstance(items, list):
        return _unavailable(f"the {backend} service sent an unexpected answer")
    return {"available": True, "items": items, "total": int(body.get("total", len(items)))}


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")


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
    totals = {s: {"count": b["count"], "amount": str(b["amount"].quantize(CENTS))} for s, b in by_status.items()}
    return totals, str(grand.quantize(CENTS))


def overview(
    session: Session, *, identity: Identity, backends: Backends, request_id: str, today: date | None = None,
) -> dict[str, Any]:
    """GET /api/me: the user, and for a lawyer their profile, duties, swaps and claims."""
    user = {"id": identity.user_id, "username": identity.username, "role": identity.role,
            "lawyer_id": identity.lawyer_id}
    page: dict[str, Any] = {"user": user, "lawyer": None, "upcoming_duties": None, "pending_swaps": None,
                            "claims_this_month": None}
    if not identity.is_lawyer or not identity.lawyer_id:
        return page
    today = today or datetime.now(UTC).date()
    until = today + timedelta(days=UPCOMING_DAYS)
    month = today.strftime("%Y-%m")
    page["lawyer"] = lawyer_profile(session, lawyer_id=identity.lawyer_id)

    def ask(backend: str, path: str, params: dict[str, str]) -> Callable[[], tuple[int, Any]]:
        return lambda: backends.get_json(backend, path, identity=identity, params=params, timeout=SECTION_TIMEOUT,
                                         request_id=request_id)

    questions = {
        "upcoming_duties": ("roster", ask("roster", "/api/roster/me/duties",
                                          {"from": today.isoformat(), "to": until.isoformat(), "limit": "1000"})),
        "pending_swaps": ("roster", ask("roster", "/api/roster/swaps", {"status": "pending", "limit": "1000"})),
        "claims_this_month": ("subsidy", ask("subsidy", "/api/subsidy/claims", {"month": month, "limit": "1000"})),
    }
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        futures = {name: pool.submit(_section, fetch, backend) for name, (backend, fetch) in questions.items()}
        sections = {name: future.result() for name, future in futures.items()}
    sections["upcoming_duties"].update({"from": today, "to": until})
    claims = sections["claims_this_month"]
    claims["month"] = month
    if claims["available"]:
        claims["totals_by_status"], claims["total_amount"] = claim_totals(claims["items"])
    page.update(sections)
    return page


def _notification(row: Notification) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "message": row.message, "data": row.data,
            "created_at": _utc(row.created_at), "read": bool(row.read)}


def list_notifications(
    session: Session, *, lawyer_id: str | None, unread_only: bool, limit: int, offset: int
) -> dict[str, Any]:
    """The caller's notifications, newest first (staff users have none)."""
    if not lawyer_id:
        return {"items": [], "total": 0, "unread": 0}
    mine = select(Notification).where(Notification.lawyer_id == lawyer_id)
    unread = session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.lawyer_id == lawyer_id, Notification.read.is_(False))
    ) or 0
    query = mine.where(Notification.read.is_(False)) if unread_only else mine
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)).all()
    return {"items": [_notification(r) for r in rows], "total": total, "unread": unread}


def mark_read(session: Session, *, lawyer_id: str | None, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications read; another's is not found."""
    row = session.get(Notification, notification_id) if 0 < notification_id < 2**62 else None
    if row is None or not lawyer_id or row.lawyer_id != lawyer_id:
        raise Problem(404, "no such notification")
    row.read = True
    return _notification(row)


def mark_all_read(session: Session, *, lawyer_id: str | None) -> int:
    """Mark every notification of the caller read; returns how many were unread."""
    if not lawyer_id:
        return 0
    result = session.execute(
        update(Notification).where(Notification.lawyer_id == lawyer_id, Notification.read.is_(False))
        .values(read=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)
