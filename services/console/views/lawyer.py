"""A lawyer's page, made for a phone: next duties with check-in and check-out on the day, my messages (the
API's notifications in my words, newest first, to mark read), swaps asked of me, my claims and their money;
my calendar link (copy it, or scan its QR code) and my bank account.

The calendar link's address is a secret the API shows once, when it is made: the console keeps it in the
encrypted session cookie so the page (and its QR code, drawn by the console as SVG, so the CSP's
`img-src 'self'` holds) can show it again until it is revoked or the lawyer logs out."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.console.gatewayapi import ApiError
from services.console.notices import notice_text
from services.console.pages import (
    act,
    call,
    current_user,
    every,
    login_required,
    problem_text,
    raise_unless_shown,
)

bp = Blueprint("lawyer", __name__, url_prefix="/me")
AHEAD = 45
BEIJING = ZoneInfo("Asia/Shanghai")  # duties' dates are Beijing dates
CALENDAR_LINK = "calendar_link"  # the session's copy of the secret address the API made
ACCOUNT_FIELDS = ("account_name", "account_no", "bank_name", "branch")
NOTICES_SHOWN = 10  # the latest ones; the rest are counted when unread


def bank_account_of(lawyer_id: str) -> dict[str, Any] | None:
    """The lawyer's bank account as the API shows it to the caller; None when there is none yet."""
    try:
        return dict(call("GET", f"/api/subsidy/lawyers/{lawyer_id}/bank-account"))
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


def account_form() -> dict[str, Any]:
    """The bank account form's fields as the API takes them (an empty branch left out)."""
    body = {name: request.form.get(name, "").strip() for name in ACCOUNT_FIELDS}
    return {k: v for k, v in body.items() if v or k != "branch"}


def put_bank_account(lawyer_id: str, back: str) -> Response:
    return act(
        "PUT",
        f"/api/subsidy/lawyers/{lawyer_id}/bank-account",
        body=account_form(),
        done=_("Bank account saved."),
        back=back,
    )


def my_notices() -> dict[str, Any] | None:
    """My latest notifications (the API answers the caller's own, newest first) in my words, how many are
    unread and how many of those are older than the ones shown; None when the API could not give them."""
    try:
        page = call("GET", "/api/me/notifications", params={"limit": NOTICES_SHOWN})
    except ApiError as exc:
        if exc.status == 401:
            raise
        return None
    items = [{**n, "text": notice_text(n)} for n in page["items"]]
    unread = int(page.get("unread") or 0)
    return {
        "items": items,
        "unread": unread,
        "older_unread": max(0, unread - sum(1 for n in items if not n.get("read"))),
    }


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
    account = bank_account_of(user.lawyer_id) if user.lawyer_id else None
    return render_template(
        "lawyer/me.html",
        duties=duties,
        today=today.isoformat(),
        asked_of_me=asked_of_me,
        my_swaps=mine,
        claims=claims,
        claim_totals=totals,
        link=session.get(CALENDAR_LINK),
        account=account,
        notices=my_notices(),
    )


@bp.post("/calendar-link")
@login_required("lawyer")
def create_calendar_link() -> Response:
    try:
        link = call("POST", "/api/roster/me/calendar-link")
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc), "error")
    else:
        session[CALENDAR_LINK] = {"url": link["url"], "webcal_url": link.get("webcal_url") or link["url"]}
        flash(_("Your calendar link is ready; the one before it no longer works."), "ok")
    return redirect(url_for("lawyer.my_page", _anchor="calendar-link"))


@bp.post("/calendar-link/revoke")
@login_required("lawyer")
def revoke_calendar_link() -> Response:
    try:
        call("DELETE", "/api/roster/me/calendar-link")
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc), "error")
    else:
        session.pop(CALENDAR_LINK, None)
        flash(_("Calendar link revoked: the address no longer works."), "ok")
    return redirect(url_for("lawyer.my_page", _anchor="calendar-link"))


@bp.get("/calendar-link/qr.svg")
@login_required("lawyer")
def calendar_link_qr() -> Response:
    """The QR code of my calendar link (webcal://, which a phone's camera opens as a subscription)."""
    link = session.get(CALENDAR_LINK)
    if not link:
        abort(404)
    out = io.BytesIO()
    segno.make(link["webcal_url"], error="m").save(
        out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title=_("My calendar link")
    )
    response = Response(out.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/bank-account")
@login_required("lawyer")
def set_bank_account() -> Response:
    user = current_user()
    assert user is not None
    if not user.lawyer_id:
        abort(403)
    return put_bank_account(user.lawyer_id, url_for("lawyer.my_page", _anchor="bank-account"))


@bp.post("/notifications/<int:notice_id>/read")
@login_required("lawyer")
def read_notice(notice_id: int) -> Response:
    return act(
        "POST",
        f"/api/me/notifications/{notice_id}/read",
        done=_("Marked read."),
        back=url_for("lawyer.my_page", _anchor="notices"),
    )


@bp.post("/notifications/read-all")
@login_required("lawyer")
def read_all_notices() -> Response:
    return act(
        "POST",
        "/api/me/notifications/read-all",
        done=_("All notifications marked read."),
        back=url_for("lawyer.my_page", _anchor="notices"),
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
