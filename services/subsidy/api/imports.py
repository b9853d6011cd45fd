"""/api/subsidy/claims/imports: a month's mediation or legal-aid cases from a spreadsheet, all or nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint
from werkzeug.sansio.response import Response as BaseResponse

from services.common.auth import current_identity, require_roles
from services.common.uploads import XLSX_MIME, request_upload, upload_request_body
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import ImportOut
from services.subsidy.domain.money import format_money
from services.subsidy.service import intake

blp = Blueprint(
    "claim_imports",
    __name__,
    url_prefix="/api/subsidy/claims/imports",
    description="Case claims from a mediation committee's or legal-aid centre's spreadsheet",
)

FILE = {"type": "string", "format": "binary"}
COLUMNS = "; ".join(f"{' / '.join(c.chinese)} or {c.name}: {c.note}" for c in intake.COLUMNS)
EXAMPLE = (
    "案件类型,律师编号,行政区划代码,案号,服务日期,材料,难易程度,是否达成协议\n"
    "人民调解,L1,654021,(2026)伊调字第12号,2026-05-12,调解协议书;卷宗目录,一般,是"
)
UPLOAD = upload_request_body(
    f"An XLSX workbook (its first sheet) or a CSV file in UTF-8 (with or without BOM) or GBK, at most "
    f"{intake.MAX_BYTES // (1024 * 1024)} MB and {intake.MAX_ROWS:,} rows. A declared charset binds: a GBK "
    "file sent as charset=utf-8 is refused. The first row names the columns in English or Chinese: "
    f"{COLUMNS}. A further lower_snake_case header is read as an attribute. Rows are numbered as a "
    f"spreadsheet shows them (the header is row 1). Example CSV:\n\n{EXAMPLE}"
)


@blp.route("", methods=["POST"])
@blp.doc(requestBody=UPLOAD)
@blp.response(201, ImportOut)
@problems(blp, 403, 413, 415, 422)
@require_roles("finance")
def import_claims() -> Any:
    """Record every case of the file as a pending claim, each priced, audited and announced as if submitted
    alone; or none: 422 `errors: {"row N": [...]}` naming every bad row and field."""
    content, charset = request_upload(max_bytes=intake.MAX_BYTES)
    with unit_of_work() as uow:
        result = intake.import_claims(
            uow, content=content, charset=charset, submitted_by=current_identity().user_id
        )
        uow.commit()
    return _answer(result)


def _answer(result: dict[str, Any]) -> BaseResponse:
    """201 with what `ImportOut` dumps of the result, written directly: thousands of claims through the
    schema one by one cost more than the rest of the answer (tests compare the two)."""
    money: dict[Decimal, str] = {}  # an import's amounts repeat: each distinct one formatted once

    def yuan(amount: Decimal) -> str:
        if amount not in money:
            money[amount] = format_money(amount)
        return money[amount]

    body = {
        "created": result["created"],
        "total": format_money(result["total"]),
        "claims": [
            {
                "row": claim["row"],
                "id": claim["id"],
                "case_no": claim["case_no"],
                "lawyer_id": claim["lawyer_id"],
                "amount": yuan(claim["amount"]),
            }
            for claim in result["claims"]
        ],
        "ignored_columns": list(result["ignored_columns"]),
    }
    response = current_app.json.response(body)  # as flask-smorest would answer the schema's dump
    response.status_code = 201
    return response


@blp.route("/template.xlsx", methods=["GET"])
@blp.response(200, FILE, content_type=XLSX_MIME, description="the import's template: header, examples, notes")
@problems(blp, 403)
@require_roles("finance")
def template() -> Any:
    """The spreadsheet to fill in: the header in Chinese, two example rows, and a sheet explaining each column."""
    return Response(
        intake.template(),
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": "attachment; filename=claims-import-template.xlsx"},
    )
