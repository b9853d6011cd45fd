"""Finance's pages: the claims queue, a claim with its breakdown and history, approving and rejecting,
budgets with the budget-threshold notifications, payment batches with their exports, bank files and
voucher, and a lawyer's bank account."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.console.gatewayapi import ApiError
from services.console.pages import act, back_to, call, current_user, download, login_required, problem_text
from services.console.views.lawyer import bank_account_of, put_bank_account

bp = Blueprint("finance", __name__, url_prefix="/finance")
READERS = ("finance", "admin")
STATUSES = ("pending", "approved", "rejected", "paid")
KINDS = ("mediation_case", "legal_aid_case", "station_duty")
SORTS = {"service_date", "amount", "lawyer_name", "region_code", "submitted_at", "kind", "status"}
PAGE = 100
PAYERS = ("finance",)  # bank accounts: finance only (the API refuses the administrator)
# the voucher's policy should the API's answer come without one: nothing from anywhere (unstyled, still printable)
VOUCHER_FALLBACK_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def _amount(claim: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(claim.get("amount") or "0"))
    except InvalidOperation:
        return Decimal(0)


@bp.get("/claims")
@login_required(*READERS)
def claims() -> str:
    filters = {
        "status": request.args.get("status", "pending"),
        "kind": request.args.get("kind") or None,
        "region_code": request.args.get("region_code") or None,
        "month": request.args.get("month") or None,
    }
    if filters["status"] == "all":
        filters["status"] = None
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "service_date"
    descending = request.args.get("dir") == "desc"
    offset = int(request.args.get("offset", "0")) if request.args.get("offset", "0").isdigit() else 0
    page = call("GET", "/api/subsidy/claims", params={**filters, "limit": PAGE, "offset": offset})
    items = sorted(
        page["items"],
        key=lambda c: _amount(c) if sort == "amount" else str(c.get(sort) or ""),
        reverse=descending,
    )
    return render_template(
        "finance/claims.html",
        items=items,
        total=page["total"],
        filters=filters,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=PAGE,
        statuses=STATUSES,
        kinds=KINDS,
        me=current_user(),
    )


@bp.get("/claims/<claim_id>")
@login_required(*READERS)
def claim(claim_id: str) -> str:
    item = call("GET", f"/api/subsidy/claims/{claim_id}")
    try:
        history = call("GET", "/api/subsidy/audit", params={"entity": "claim", "entity_id": claim_id})[
            "items"
        ]
    except ApiError as exc:
        if exc.status in (401, 503, 504):
            raise
        history = None
    scheme = None
    if item.get("scheme_id"):
        try:
            scheme = call("GET", f"/api/subsidy/schemes/{item['scheme_id']}")
        except ApiError as exc:
            if exc.status in (401, 503, 504):
                raise
    return render_template(
        "finance/claim.html",
        claim=item,
        history=history,
        scheme=scheme,
        me=current_user(),
        next=back_to(url_for("finance.claims")),
    )


@bp.post("/claims/<claim_id>/<decision>")
@login_required(*READERS)
def decide(claim_id: str, decision: str) -> Any:
    if decision not in ("approve", "reject"):
        abort(404)
    body = None
    if decision == "reject":
        reason = request.form.get("reason", "").strip()
        if not reason:
            flash(_("Say why the claim is rejected: the lawyer reads it."), "error")
            return redirect(url_for("finance.claim", claim_id=claim_id))
        body = {"reason": reason}
    done = _("Claim approved.") if decision == "approve" else _("Claim rejected.")
    return act(
        "POST",
        f"/api/subsidy/claims/{claim_id}/{decision}",
        body=body,
        done=done,
        back=back_to(url_for("finance.claims")),
    )


@bp.get("/budgets")
@login_required(*READERS)
def budgets() -> str:
    year = request.args.get("year") or None
    page = call("GET", "/api/subsidy/budgets", params={"year": year, "limit": 200})
    notices = call("GET", "/api/me/notifications", params={"limit": 20})
    shown = [n for n in notices["items"] if n["kind"] == "budget_threshold_reached"]
    return render_template(
        "finance/budgets.html",
        items=page["items"],
        year=year,
        kinds=KINDS,
        notices=shown,
        unread=notices.get("unread", 0),
    )


@bp.post("/notifications/<int:notice_id>/read")
@login_required(*READERS)
def read_notice(notice_id: int) -> Response:
    return act(
        "POST",
        f"/api/me/notifications/{notice_id}/read",
        done=_("Marked read."),
        back=url_for("finance.budgets"),
    )


@bp.post("/notifications/read-all")
@login_required(*READERS)
def read_all_notices() -> Response:
    return act(
        "POST",
        "/api/me/notifications/read-all",
        done=_("All notifications marked read."),
        back=url_for("finance.budgets"),
    )


@bp.get("/schemes")
@login_required(*READERS)
def schemes() -> str:
    kind = request.args.get("kind") or None
    page = call("GET", "/api/subsidy/schemes", params={"kind": kind, "limit": 200})
    return render_template("finance/schemes.html", items=page["items"], kind=kind, kinds=KINDS)


@bp.get("/batches")
@login_required(*READERS)
def batches() -> str:
    page = call("GET", "/api/subsidy/payment-batches", params={"limit": 100})
    return render_template("finance/batches.html", items=page["items"])


@bp.post("/batches")
@login_required(*READERS)
def create_batch() -> Response:
    body = {
        "month": request.form.get("month", "").strip(),
        "region_code": request.form.get("region_code") or None,
    }
    try:
        batch = call("POST", "/api/subsidy/payment-batches", body=body)
    except ApiError as exc:
        if exc.status in (401, 503, 504):
            raise
        flash(problem_text(exc), "error")
        return redirect(url_for("finance.batches"))
    flash(_("Payment batch created."), "ok")
    return redirect(url_for("finance.batch", batch_id=batch["id"]))


@bp.get("/batches/<batch_id>")
@login_required(*READERS)
def batch(batch_id: str) -> str:
    item = call("GET", f"/api/subsidy/payment-batches/{batch_id}")
    profiles = call("GET", "/api/subsidy/profiles")["items"]
    return render_template("finance/batch.html", batch=item, profiles=profiles, me=current_user())


@bp.get("/batches/<batch_id>/bank-file")
@login_required(*READERS)
def bank_file(batch_id: str) -> Response:
    profile = request.args.get("profile", "")
    if not profile:
        abort(404)
    file = download(f"/api/subsidy/payment-batches/{batch_id}/bank-file", {"profile": profile})
    response = Response(file.body, content_type=file.content_type)
    response.headers["Content-Disposition"] = file.disposition or f'attachment; filename="bank-{batch_id}"'
    return response


@bp.get("/batches/<batch_id>/voucher")
@login_required(*READERS)
def voucher(batch_id: str) -> Response:
    """The API's printable voucher, passed on with its own Content-Security-Policy (stricter than ours:
    nothing from anywhere, only its own hashed style)."""
    file = download(f"/api/subsidy/payment-batches/{batch_id}/voucher")
    response = Response(file.body, content_type=file.content_type)
    response.headers["Content-Security-Policy"] = file.policy or VOUCHER_FALLBACK_POLICY
    return response


@bp.get("/lawyers/<lawyer_id>/bank-account")
@login_required(*PAYERS)
def lawyer_account(lawyer_id: str) -> str:
    name = request.args.get("name") or lawyer_id
    return render_template(
        "finance/bank_account.html",
        account=bank_account_of(lawyer_id),
        lawyer_id=lawyer_id,
        name=name,
        next=back_to(url_for("finance.batches")),
    )


@bp.post("/lawyers/<lawyer_id>/bank-account")
@login_required(*PAYERS)
def set_lawyer_account(lawyer_id: str) -> Response:
    back = url_for(
        "finance.lawyer_account",
        lawyer_id=lawyer_id,
        name=request.form.get("name") or None,
        next=back_to(url_for("finance.batches")),
    )
    return put_bank_account(lawyer_id, back)


@bp.post("/batches/<batch_id>/mark-paid")
@login_required(*READERS)
def mark_paid(batch_id: str) -> Response:
    return act(
        "POST",
        f"/api/subsidy/payment-batches/{batch_id}/mark-paid",
        done=_("Batch marked paid."),
        back=url_for("finance.batch", batch_id=batch_id),
    )


@bp.get("/batches/<batch_id>/export.<fmt>")
@login_required(*READERS)
def export(batch_id: str, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    file = download(f"/api/subsidy/payment-batches/{batch_id}/export.{fmt}")
    response = Response(file.body, content_type=file.content_type)
    response.headers["Content-Disposition"] = (
        file.disposition or f'attachment; filename="batch-{batch_id}.{fmt}"'
    )
    return response
