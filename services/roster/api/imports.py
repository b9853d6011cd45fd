"""Imports: lawyers and stations from a scheduler's XLSX or CSV, all or nothing."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from services.common.auth import require_roles
from services.common.uploads import upload_request_body
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import Body, LawyerIn, Out, SpreadsheetProblem, StationIn
from services.roster.api.sessions import unit_of_work
from services.roster.domain.errors import Invalid
from services.roster.service.errors import TooLarge, UnsupportedMedia
from services.roster.service.spreadsheets import importers
from services.roster.service.spreadsheets.columns import accepted_headers
from services.roster.service.spreadsheets.upload import MAX_BYTES, XLSX_MIME

# browsers on Windows with Excel label a .csv upload application/vnd.ms-excel; the content decides anyway
RAW_TYPES = ("text/csv", "text/plain", XLSX_MIME, "application/vnd.ms-excel", "application/octet-stream")
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file

blp = Blueprint(
    "roster-imports", __name__, url_prefix="/api/roster", description="Lawyers and stations from spreadsheets"
)


class ImportQuery(Body):
    mode = fields.String(
        load_default="create",
        validate=validate.OneOf(importers.MODES),
        metadata={
            "description": "create: every row is a new lawyer/station (a known one is an error); upsert: a known "
            "licence number (stations: name within region code) updates that one"
        },
    )


class ImportOut(Out):
    created = fields.Integer()
    ids = fields.List(
        fields.String(), metadata={"description": "ids of the created rows, in the file's order"}
    )
    updated = fields.Integer()
    updated_ids = fields.List(fields.String())
    unchanged = fields.Integer(metadata={"description": "upsert: rows equal to what is stored (left alone)"})
    ignored_columns = fields.List(
        fields.String(),
        metadata={"description": "header cells that name no known column; their cells were not read"},
    )


def _upload_body(kind: str, example: str, values: str) -> dict[str, Any]:
    headers = "; ".join(f"{name}: {' / '.join(names)}" for name, names in accepted_headers(kind).items())
    return upload_request_body(
        "An XLSX workbook (its first sheet) or a CSV file in UTF-8 (with or without BOM), GBK/GB18030 or "
        "UTF-16, at most 5 MB and 10,000 rows. The first row (after any title rows) names the columns, in "
        f"Chinese or English; accepted names per field: {headers}. {values} Other columns are not read (those "
        "other than 序号 and 备注 are listed in `ignored_columns`). Row numbers in errors are the ones Excel "
        "shows. With mode=upsert, a column the file lacks keeps the stored value, and an empty cell clears it "
        f"(or sets the default). Example CSV:\n\n{example}"
    )


LAWYER_EXAMPLE = (
    "姓名,执业证号,状态,区划代码,语言,每月上限,实习开始,实习结束,指导律师执业证号\n"
    '阿依古丽,16540201000000001,执业,654021,"汉语、维吾尔语",8,,,\n'
    "李明,16540201000000002,实习,654021,zh,6,2026-03-01,2027-02-28,16540201000000001"
)
LAWYER_VALUES = (
    "Status: 执业 / 实习 / 停止执业 or practising / intern / suspended. Languages: codes or names, "
    'separated by commas or 、 ("zh,ug", "汉语、维吾尔语"). Dates: 2026-03-01, 2026/3/1, 2026年3月1日 '
    "or date cells. The supervisor is named by licence number: a practising lawyer in the file (above or "
    "below) or registered. The licence-number column must be text: Excel keeps only 15 digits of a "
    "number."
)
STATION_VALUES = (
    "Level: 州/市中心, 县中心, 乡镇, 村/社区, 12348热线 or prefecture / county / township / village / "
    "hotline. The parent is named by name: a station in the file or registered (of the same region "
    "code when several share the name)."
)
STATION_EXAMPLE = (
    "名称,级别,区划代码,上级名称,地址\n"
    "伊宁县公共法律服务中心,县中心,654021,伊犁州公共法律服务中心,伊宁县解放路1号\n"
    "萨木于孜镇公共法律服务工作站,乡镇,654021,伊宁县公共法律服务中心,"
)


def _upload() -> tuple[bytes, str | None]:
    """The uploaded file's bytes and declared charset, from a multipart field `file` or the raw body."""
    too_large = TooLarge(
        "the file is larger than 5 MB; split it into several files", errors={"file": ["at most 5 MB"]}
    )
    if (request.content_length or 0) > MAX_BYTES + MULTIPART_SLACK:
        raise too_large
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid(
                "send the spreadsheet in the multipart field 'file'",
                errors={"file": ["required: the multipart field 'file'"]},
            )
        content = upload.read(MAX_BYTES + 1)
        charset = upload.mimetype_params.get("charset")
    elif request.mimetype in RAW_TYPES:
        content = request.get_data(cache=False)
        charset = request.mimetype_params.get("charset")
    else:
        raise UnsupportedMedia(
            f"send the spreadsheet as multipart/form-data (field 'file'), text/csv or {XLSX_MIME}"
        )
    if len(content) > MAX_BYTES:
        raise too_large
    return content, charset


def _answer(result: dict[str, Any]) -> tuple[dict[str, Any], int]:
    return result, 201 if result["created"] or not (result["updated"] or result["unchanged"]) else 200


def _documented(view: Any) -> Any:
    view = problems(
        blp,
        403,
        413,
        415,
        422,
        schema=SpreadsheetProblem,
        descriptions={
            413: "the file is over 5 MB or 10,000 rows",
            422: "bad rows or header: `errors` names every bad row and column; nothing written",
            415: "neither multipart/form-data, text/csv nor XLSX",
            403: "only schedulers and administrators import",
        },
    )(view)
    return blp.alt_response(200, schema=ImportOut, description="upsert that created nothing")(view)


@blp.route("/imports/lawyers", methods=["POST"])
@blp.arguments(ImportQuery, location="query")
@blp.doc(requestBody=_upload_body("lawyer", LAWYER_EXAMPLE, LAWYER_VALUES))
@blp.response(201, ImportOut, description="every row saved, in one transaction")
@_documented
@require_roles(*STAFF)
def import_lawyers(query: dict[str, Any]) -> Any:
    """Register lawyers from a spreadsheet, all or nothing (supervisors by licence number, in the file or
    registered)."""
    content, charset = _upload()
    with unit_of_work() as uow:
        result = importers.import_lawyers(
            uow=uow, content=content, row_schema=LawyerIn(), charset=charset, mode=query["mode"]
        )
        uow.commit()
    return _answer(result)


@blp.route("/imports/stations", methods=["POST"])
@blp.arguments(ImportQuery, location="query")
@blp.doc(requestBody=_upload_body("station", STATION_EXAMPLE, STATION_VALUES))
@blp.response(201, ImportOut, description="every row saved, in one transaction")
@_documented
@require_roles(*STAFF)
def import_stations(query: dict[str, Any]) -> Any:
    """Register service points from a spreadsheet, all or nothing (parents by name, in the file or registered)."""
    content, charset = _upload()
    with unit_of_work() as uow:
        result = importers.import_stations(
            uow=uow, content=content, row_schema=StationIn(), charset=charset, mode=query["mode"]
        )
        uow.commit()
    return _answer(result)
