"""Finance's pages: the claims queue, a claim with its breakdown and history, approving and rejecting,
budgets with the budget-threshold notifications, payment batches with their exports, bank files and
voucher, and a lawyer's bank account."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.console.gatewayapi import ApiError
from services.console.pages import (
    act,
    back_to,
    call,
    chosen_file,
    current_user,
    download,
    login_required,
    problem_text,
    raise_unless_shown,
    together,
    upload,
)
from services.console.views.lawyer import bank_account_of, put_bank_account

bp = Blueprint("finance", __name__, url_prefix="/finance")
READERS = ("finance", "admin")
STATUSES = ("pending", "approved", "rejected", "paid")
KINDS = ("mediation_case", "legal_aid_case", "station_duty")
GRADES = ("excellent", "good", "pass", "fail")
SORTS = ("service_date", "amount", "submitted_at")  # the API's sort, over the whole queue
# amount bands of the queue: name -> (at least, at most), yuan, inclusive as the API reads them
BANDS: dict[str, tuple[str | None, str | None]] = {
    "under_500": (None, "499.99"),
    "500_2000": ("500.00", "1999.99"),
    "2000_10000": ("2000.00", "9999.99"),
    "over_10000": ("10000.00", None),
}
PAGE = 100
PAYERS = ("finance",)  # bank accounts: finance only (the API refuses the administrator)
FINANCE = ("finance",)  # grading, a claim's documents, imports, previews: the API's finance-only routes
# the voucher's policy should the API's answer come without one: nothing from anywhere (unstyled, still printable)
VOUCHER_FALLBACK_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# what a scheme in force keeps when it becomes the draft of a new standard (the rest is the API's record)
DRAFT_FIELDS = (
    "kind",
    "name",
    "region_code",
    "effective_from",
    "effective_to",
    "rates",
    "adjustments",
    "monthly_cap_per_lawyer",
    "max_amount",
    "document_no",
    "required_documents",
    "requires_grade",
)


def _queue_filters() -> dict[str, Any]:
    """The queue's filters as the API reads them, from the page's query string."""
    args = request.args
    status = args.get("status", "pending")
    low, high = BANDS.get(args.get("band", ""), (None, None))
    return {
        "status": None if status == "all" else status,
        "kind": args.get("kind") or None,
        "region_code": args.get("region_code") or None,
        "month": args.get("month") or None,
        "amount_min": (args.get("amount_min") or "").strip() or low,
        "amount_max": (args.get("amount_max") or "").strip() or high,
    }


def _grading_schemes() -> set[str]:
    """The ids of the schemes that ask for a grade (a short list, read beside the queue's page)."""
    try:
        schemes = call("GET", "/api/subsidy/schemes", params={"limit": 1000})["items"]
    except ApiError as exc:
        raise_unless_shown(exc)
        return set()
    return {s["id"] for s in schemes if s.get("requires_grade")}


def _queue_page(params: Mapping[str, Any]) -> tuple[dict[str, Any], ApiError | None]:
    """A page of the queue, or an empty one with the API's refusal of the filters."""
    try:
        return call("GET", "/api/subsidy/claims", params=params), None
    except ApiError as exc:
        raise_unless_shown(exc)
        return {"items": [], "total": 0}, exc


@bp.get("/claims")
@login_required(*READERS)
def claims() -> tuple[str, int] | str:
    filters = _queue_filters()
    asked = request.args.get("sort", "")
    sort = asked if asked in SORTS else "service_date"
    descending = request.args.get("dir", "desc") != "asc"
    offset = int(request.args.get("offset", "0")) if request.args.get("offset", "0").isdigit() else 0
    params = {**filters, "sort": ("-" if descending else "") + sort, "limit": PAGE, "offset": offset}
    (page, refused), grading = together(lambda: _queue_page(params), _grading_schemes)
    return render_template(
        "finance/claims.html",
        items=page["items"],
        total=page["total"],
        filters=filters,
        band=request.args.get("band", ""),
        bands=BANDS,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=PAGE,
        statuses=STATUSES,
        kinds=KINDS,
        grades=GRADES,
        grading=grading,
        refused=refused,
        me=current_user(),
    ), (422 if refused is not None and refused.status == 422 else 200)


def _optional(path: str, params: Mapping[str, Any] | None = None) -> Any:
    """The API's answer, or None when it refuses this role or knows nothing of it."""
    try:
        return call("GET", path, params=params)
    except ApiError as exc:
        raise_unless_shown(exc)
        return None


def approval_steps(claim: Mapping[str, Any], scheme: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The order a claim is approved in: its file complete, then graded (where the scheme asks), then
    approved; each step done or saying what it still lacks."""
    required = list((scheme or {}).get("required_documents") or [])
    missing = [d for d in required if d not in (claim.get("documents") or [])]
    grade = (claim.get("attributes") or {}).get("grade")
    steps = [{"name": "documents", "done": not missing, "missing": missing}]
    if (scheme or {}).get("requires_grade"):
        steps.append({"name": "graded", "done": grade is not None, "missing": []})
    steps.append({"name": "approved", "done": claim.get("status") in ("approved", "paid"), "missing": []})
    return steps


@bp.get("/claims/<claim_id>")
@login_required(*READERS)
def claim(claim_id: str) -> str:
    item = call("GET", f"/api/subsidy/claims/{claim_id}")
    audit = _optional("/api/subsidy/audit", {"entity": "claim", "entity_id": claim_id})
    scheme = _optional(f"/api/subsidy/schemes/{item['scheme_id']}") if item.get("scheme_id") else None
    required = list((scheme or {}).get("required_documents") or [])
    return render_template(
        "finance/claim.html",
        claim=item,
        history=audit["items"] if audit else None,
        scheme=scheme,
        steps=approval_steps(item, scheme),
        required=required,
        missing=[d for d in required if d not in item["documents"]],
        others=[d for d in item["documents"] if d not in required],
        grades=GRADES,
        me=current_user(),
        next=back_to(url_for("finance.claims")),
    )


@bp.post("/claims/<claim_id>/grade")
@login_required(*FINANCE)
def grade(claim_id: str) -> Response:
    body = {"grade": request.form.get("grade", ""), "note": request.form.get("note", "").strip() or None}
    return act(
        "POST",
        f"/api/subsidy/claims/{claim_id}/grade",
        body=body,
        done=_("Claim graded; its amount is priced again with the grade."),
        back=back_to(url_for("finance.claim", claim_id=claim_id)),
    )


@bp.post("/claims/<claim_id>/documents")
@login_required(*FINANCE)
def documents(claim_id: str) -> Response:
    """The claim's file as the form lists it: the required documents ticked, others one per line."""
    ticked = request.form.getlist("document")
    others = [line.strip() for line in request.form.get("others", "").splitlines() if line.strip()]
    names = list(dict.fromkeys([*ticked, *others]))
    return act(
        "PATCH",
        f"/api/subsidy/claims/{claim_id}",
        body={"documents": names},
        done=_("The claim's documents are saved."),
        back=back_to(url_for("finance.claim", claim_id=claim_id)),
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


@bp.get("/claims/imports")
@login_required(*FINANCE)
def imports() -> str:
    return render_template("finance/imports.html", errors=None)


@bp.post("/claims/imports")
@login_required(*FINANCE)
def import_claims() -> Any:
    file = chosen_file()
    if file is None:
        flash(_("Choose a spreadsheet (XLSX or CSV) to import."), "error")
        return redirect(url_for("finance.imports"))
    try:
        result = upload("/api/subsidy/claims/imports", file)
    except ApiError as exc:
        raise_unless_shown(exc)
        if exc.status != 422:
            flash(problem_text(exc), "error")
            return redirect(url_for("finance.imports"))
        return render_template("finance/imports.html", errors=exc.errors, detail=exc.detail), 422
    flash(_("%(count)s claims created, each pending review.", count=result["created"]), "ok")
    return redirect(url_for("finance.imports", created=result["created"]))


@bp.get("/claims/imports/template.xlsx")
@login_required(*FINANCE)
def import_template() -> Response:
    file = download("/api/subsidy/claims/imports/template.xlsx")
    response = Response(file.body, content_type=file.content_type)
    response.headers["Content-Disposition"] = (
        file.disposition or 'attachment; filename="claims-import-template.xlsx"'
    )
    return response


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


def draft_of(scheme: Mapping[str, Any] | None) -> str:
    """A scheme in force as the JSON of a draft standard to edit (its record's fields left out)."""
    if scheme is None:
        return ""
    return json.dumps({k: scheme.get(k) for k in DRAFT_FIELDS}, ensure_ascii=False, indent=2)


def _schemes_page(kind: str | None, **shown: Any) -> str:
    page = call("GET", "/api/subsidy/schemes", params={"kind": kind, "limit": 200})
    shown.setdefault("draft", draft_of(page["items"][0] if page["items"] else None))
    return render_template(
        "finance/schemes.html", items=page["items"], kind=kind, kinds=KINDS, me=current_user(), **shown
    )


@bp.get("/schemes")
@login_required(*READERS)
def schemes() -> str:
    return _schemes_page(request.args.get("kind") or None)


def _preview_body() -> tuple[dict[str, Any] | None, str | None]:
    """The preview's request from the form, or why the draft cannot be read."""
    try:
        scheme = json.loads(request.form.get("draft", ""))
    except ValueError as exc:
        return None, _("The draft is not valid JSON: %(error)s", error=str(exc))
    if not isinstance(scheme, dict):
        return None, _("The draft must be one scheme: a JSON object.")
    dates = {k: request.form.get(k) or None for k in ("service_from", "service_to")}
    return {"scheme": scheme, **dates}, None


@bp.post("/schemes/preview")
@login_required(*FINANCE)
def preview() -> tuple[str, int]:
    """What past claims a draft standard would pay (nothing is saved), shown beside the schemes."""
    kind = request.form.get("kind") or None
    form = {"draft": request.form.get("draft", ""), "dates": request.form}
    body, unreadable = _preview_body()
    if body is None:
        return _schemes_page(kind, refused={"detail": unreadable, "errors": {}}, **form), 422
    try:
        answer = call("POST", "/api/subsidy/schemes/preview", body=body)
    except ApiError as exc:
        raise_unless_shown(exc)
        refused = {"detail": exc.detail or exc.title, "errors": exc.errors}
        return _schemes_page(kind, refused=refused, **form), exc.status
    return _schemes_page(kind, preview=answer, **form), 200


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
        raise_unless_shown(exc)
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
