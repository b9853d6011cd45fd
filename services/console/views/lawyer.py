"""A lawyer's page, made for a phone: next duties with check-in and check-out on the day, swaps asked of
me, my claims and their money. (The calendar link comes with the calendar-link API.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.console.pages import act, call, current_user, every, login_required

bp = Blueprint("lawyer", __name__, url_prefix="/me")
AHEAD = 45
BEIJING = ZoneInfo("Asia/Shanghai")  # duties' dates are Beijing dates


@bp.get("")
@login_required("lawyer")
def my_page() -> str:
    user = current_user()
    assert user is not None
    today = datetime.now(BEIJING).date()
    duties = call(
        "GET",
        "/api/roster/me/duties",
        params={
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=AHEAD)).isoformat(),
            "limit": 100,
        },
    )["items"]
    duties = [
        d
        for d in duties
        if d["date"] >= today.isoformat() or (d.get("checked_in_at") and not d.get("checked_out_at"))
    ]
    swaps = call("GET", "/api/roster/swaps", params={"status": "pending", "limit": 50})["items"]
    asked_of_me = [s for s in swaps if s["to_lawyer_id"] == user.lawyer_id and s["status"] == "requested"]
    mine = [s for s in swaps if s["from_lawyer_id"] == user.lawyer_id]
    claims = call("GET", "/api/subsidy/claims", params={"limit": 20})
    totals = {"waiting": Decimal(0), "approved": Decimal(0), "paid": Decimal(0)}
    for status, key in (("pending", "waiting"), ("approved", "approved"), ("paid", "paid")):
        for claim in every("/api/subsidy/claims", {"status": status}):
            totals[key] += Decimal(str(claim["amount"] or "0"))
    return render_template(
        "lawyer/me.html",
        duties=duties,
        today=today.isoformat(),
        asked_of_me=asked_of_me,
        my_swaps=mine,
        claims=claims,
        claim_totals=totals,
    )


@bp.post("/duties/<assignment_id>/<step>")
@login_required("lawyer")
def check(assignment_id: str, step: str) -> Response:
    if step not in ("check-in", "check-out"):
        abort(404)
    done = _("Checked in. Have a good duty.") if step == "check-in" else _("Checked out. Thank you.")
    return act(
        "POST", f"/api/roster/assignments/{assignment_id}/{step}", done=done, back=url_for("lawyer.my_page")
    )


@bp.post("/swaps/<swap_id>/<answer>")
@login_required("lawyer")
def answer_swap(swap_id: str, answer: str) -> Any:
    if answer not in ("accept", "decline"):
        abort(404)
    body = {"reason": request.form.get("reason") or None} if answer == "decline" else None
    done = _("Swap accepted; the scheduler approves it next.") if answer == "accept" else _("Swap declined.")
    return act(
        "POST", f"/api/roster/swaps/{swap_id}/{answer}", body=body, done=done, back=url_for("lawyer.my_page")
    )
