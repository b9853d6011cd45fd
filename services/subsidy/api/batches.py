"""/api/subsidy/payment-batches: monthly payment runs, their exports for the bank, and marking them paid."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import (
    BankFileQuery,
    BatchIn,
    BatchOut,
    BatchQuery,
    BatchSummaryPage,
    ProfileList,
)
from services.subsidy.api.voucher_page import CONTENT_SECURITY_POLICY, voucher_html
from services.subsidy.service import batches

blp = Blueprint(
    "payment_batches",
    __name__,
    url_prefix="/api/subsidy/payment-batches",
    description="Monthly payment batches per lawyer",
)
profiles_blp = Blueprint(
    "bank_profiles",
    __name__,
    url_prefix="/api/subsidy/profiles",
    description="The banks' batch-payment (代发) file formats",
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = {"type": "string", "format": "binary"}


@blp.route("", methods=["POST"])
@blp.arguments(BatchIn)
@blp.response(201, BatchOut)
@problems(blp, 400, 403, 409, 422)
@require_roles("finance")
def create_batch(body: dict[str, Any]) -> Any:
    """Gather the month's approved unpaid claims (optionally of one region), one line per lawyer."""
    with unit_of_work() as uow:
        batch = batches.create_batch(
            uow, month=body["month"], region_code=body["region_code"], actor=current_identity().user_id
        )
        uow.commit()
    return batch


@blp.route("", methods=["GET"])
@blp.arguments(BatchQuery, location="query")
@blp.response(200, BatchSummaryPage)
@problems(blp, 403, 422)
@require_roles("finance", "admin")
def list_batches(query: dict[str, Any]) -> Any:
    """Payment batches, newest first."""
    with unit_of_work() as uow:
        return batches.list_batches(uow, **query)


@blp.route("/<batch_id>", methods=["GET"])
@blp.response(200, BatchOut)
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def get_batch(batch_id: str) -> Any:
    """One batch with its lines."""
    with unit_of_work() as uow:
        return batches.get_batch(uow, batch_id=batch_id)


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/<batch_id>/export.csv", methods=["GET"])
@blp.response(
    200, FILE, content_type="text/csv", description="UTF-8 CSV with a BOM (Excel and WPS show the names)"
)
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def export_csv(batch_id: str) -> Any:
    """The batch for the bank, as CSV."""
    with unit_of_work() as uow:
        content, filename = batches.export_batch(uow, batch_id=batch_id, fmt="csv")
    return _download(content, filename, "text/csv; charset=utf-8")


@blp.route("/<batch_id>/export.xlsx", methods=["GET"])
@blp.response(200, FILE, content_type=XLSX, description="a printable workbook")
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def export_xlsx(batch_id: str) -> Any:
    """The batch for the bank, as an Excel workbook."""
    with unit_of_work() as uow:
        content, filename = batches.export_batch(uow, batch_id=batch_id, fmt="xlsx")
    return _download(content, filename, XLSX)


@blp.route("/<batch_id>/bank-file", methods=["GET"])
@blp.arguments(BankFileQuery, location="query")
@blp.doc(
    responses={
        "200": {
            "description": "the bank's batch-payment import: a row per lawyer, no totals row (a CSV in the profile's "
            "encoding, or a workbook)",
            "content": {"text/csv": {"schema": FILE}, XLSX: {"schema": FILE}},
        }
    }
)
@problems(blp, 403, 404, 409, 422)
@require_roles("finance")
def bank_file(query: dict[str, Any], batch_id: str) -> Any:
    """The batch as a bank's batch-payment (代发) file, in a profile of GET /api/subsidy/profiles (404 naming an
    unknown one; 409 naming lawyers whose account the bank's encoding cannot write)."""
    with unit_of_work() as uow:
        content, filename, content_type = batches.batch_bank_file(
            uow, batch_id=batch_id, profile=query["profile"]
        )
    response = Response(content, content_type=content_type)  # its charset is the bank's, as the profile says
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/<batch_id>/voucher", methods=["GET"])
@blp.response(
    200,
    {"type": "string"},
    content_type="text/html",
    description="a printable HTML page; its Content-Security-Policy lets nothing in from other hosts",
)
@problems(blp, 403, 404)
@require_roles("finance", "admin")
def voucher(batch_id: str) -> Any:
    """The batch's payment voucher: batch, month, region, a line per lawyer, the total and the total in words."""
    with unit_of_work() as uow:
        batch = batches.get_batch(uow, batch_id=batch_id)
    response = Response(voucher_html(batch), mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/<batch_id>/mark-paid", methods=["POST"])
@blp.response(200, BatchOut)
@problems(blp, 403, 404, 409)
@require_roles("finance")
def mark_paid(batch_id: str) -> Any:
    """Record that the bank paid the batch: every claim in it becomes paid."""
    with unit_of_work() as uow:
        batch = batches.mark_batch_paid(uow, batch_id=batch_id, actor=current_identity().user_id)
        uow.commit()
    return batch


@profiles_blp.route("", methods=["GET"])
@profiles_blp.response(200, ProfileList)
@problems(profiles_blp, 403)
@require_roles("finance", "admin")
def list_profiles() -> Any:
    """The banks' batch-payment file formats (profiles) a batch's bank file can be made in."""
    return {"items": batches.list_profiles()}
