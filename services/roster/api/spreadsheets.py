"""Spreadsheets: import lawyers and stations from XLSX or CSV, export a roster as a printable workbook."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from services.common.auth import require_roles
from services.roster.api.common import read_session, unit_of_work
from services.roster.api.schemas import Body, LawyerIn, Out, StationIn
from services.roster.service import spreadsheets as sp
from services.roster.service.errors import Invalid

STAFF = ("scheduler", "admin")
PROBLEM = "application/problem+json"
FILE = {"type": "string", "format": "binary"}
# browsers on Windows with Excel label a .csv upload application/vnd.ms-excel; the content decides anyway
RAW_TYPES = ("text/csv", "text/plain", sp.XLSX_MIME, "application/vnd.ms-excel", "application/octet-stream")
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file

blp = Blueprint("roster-spreadsheets", __name__, url_prefix="/api/roster",
                description="Lawyers and stations from spreadsheets; rosters as printable workbooks")


class ImportQuery(Body):
    mode = fields.String(load_default="create", validate=validate.OneOf(sp.MODES), metadata={
        "description": "create: every row is a new lawyer/station (a known one is an error); upsert: a known "
                       "licence number (stations: name within region code) updates that one"})


class ImportOut(Out):
    created = fields.Integer()
    ids = fields.List(fields.String(), metadata={"description": "ids of the created rows, in the file's order"})
    updated = fields.Integer()
    updated_ids = fields.List(fields.String())
    unchanged = fields.Integer(metadata={"description": "upsert: rows equal to what is stored (left alone)"})
    ignored_columns = fields.List(fields.String(), metadata={
        "description": "header cells that name no known column; their cells were not read"})


class SpreadsheetProblem(Out):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": 'per bad row and column, e.g. {"row 7.license_no": ["must be the 17-digit licence number"]}'})
    bad_rows = fields.List(fields.Integer(), metadata={"description": "the row numbers with errors"})
    request_id = fields.String()


def _upload_body(kind: str, example: str, values: str) -> dict[str, Any]:
    headers = "; ".join(f"{name}: {' / '.join(names)}" for name, names in sp.accepted_headers(kind).items())
    return {
        "required": True,
        "description": (
            "An XLSX workbook (its first sheet) or a CSV file in UTF-8 (with or without BOM), GBK/GB18030 or "
            "UTF-16, at most 5 MB and 10,000 rows. The first row (after any title rows) names the columns, in "
            f"Chinese or English; accepted names per field: {headers}. {values} Other columns are not read (those "
            "other than 序号 and 备注 are listed in `ignored_columns`). Row numbers in errors are the ones Excel "
            "shows. With mode=upsert, a column the file lacks keeps the stored value, and an empty cell clears it "
            f"(or sets the default). Example CSV:\n\n{example}"),
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {**FILE, "description": "the .xlsx or .csv file"}}}},
            "text/csv": {"schema": {"type": "string"}},
            sp.XLSX_MIME: {"schema": FILE},
        },
    }


LAWYER_EXAMPLE = ("姓名,执业证号,状态,区划代码,语言,每月上限,实习开始,实习结束,指导律师执业证号\n"
                  "阿依古丽,16540201000000001,执业,654021,\"汉语、维吾尔语\",8,,,\n"
                  "李明,16540201000000002,实习,654021,zh,6,2026-03-01,2027-02-28,16540201000000001")
LAWYER_VALUES = ("Status: 执业 / 实习 / 停止执业 or practising / intern / suspended. Languages: codes or names, "
                 "separated by commas or 、 (\"zh,ug\", \"汉语、维吾尔语\"). Dates: 2026-03-01, 2026/3/1, 2026年3月1日 "
                 "or date cells. The supervisor is named by licence number: a practising lawyer in the file (above or "
                 "below) or registered. The licence-number column must be text: Excel keeps only 15 digits of a "
                 "number.")
STATION_VALUES = ("Level: 州/市中心, 县中心, 乡镇, 村/社区, 12348热线 or prefecture / county / township / village / "
                  "hotline. The parent is named by name: a station in the file or registered (of the same region "
                  "code when several share the name).")
STATION_EXAMPLE = ("名称,级别,区划代码,上级名称,地址\n"
                   "伊宁县公共法律服务中心,县中心,654021,伊犁州公共法律服务中心,伊宁县解放路1号\n"
                   "萨木于孜镇公共法律服务工作站,乡镇,654021,伊宁县公共法律服务中心,")


def _upload() -> tuple[bytes, str | None]:
    """The uploaded file's bytes and declared charset, from a multipart field `file` or the raw body."""
    too_large = sp.TooLarge("the file is larger than 5 MB; split it into several files",
                            errors={"file": ["at most 5 MB"]})
    if (request.content_length or 0) > sp.MAX_BYTES + MULTIPART_SLACK:
        raise too_large
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid("send the spreadsheet in the multipart field 'file'",
                          errors={"file": ["required: the multipart field 'file'"]})
        content = upload.read(sp.MAX_BYTES + 1)
        charset = upload.mimetype_params.get("charset")
    elif request.mimetype in RAW_TYPES:
        content = request.get_data(cache=False)
        charset = request.mimetype_params.get("charset")
    else:
        raise sp.Unsupported(
            f"send the spreadsheet as multipart/form-data (field 'file'), text/csv or {sp.XLSX_MIME}")
    if len(content) > sp.MAX_BYTES:
        raise too_large
    return content, charset


def _answer(result: dict[str, Any]) -> tuple[dict[str, Any], int]:
    return result, 201 if result["created"] or not (result["updated"] or result["unchanged"]) else 200


def _documented(view: Any) -> Any:
    for code, description in ((413, "the file is over 5 MB or 10,000 rows"),
                              (422, "bad rows or header: `errors` names every bad row and column; nothing written"),
                              (415, "neither multipart/form-data, text/csv nor XLSX"),
                              (403, "only schedulers and administrators import")):
        view = blp.alt_response(code, schema=SpreadsheetProblem, content_type=PROBLEM, description=description)(view)
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
        result = sp.import_lawyers(uow=uow, content=content, row_schema=LawyerIn(), charset=charset,
                                   mode=query["mode"])
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
        result = sp.import_stations(uow=uow, content=content, row_schema=StationIn(), charset=charset,
                                    mode=query["mode"])
        uow.commit()
    return _answer(result)


@blp.route("/rosters/<roster_id>/export.xlsx", methods=["GET"])
@blp.response(200, FILE, content_type=sp.XLSX_MIME, description=(
    "a workbook to print and post: a sheet per county (a column per station and shift, a row per date, the "
    "lawyers' names in the cells, interns marked 实习, holidays marked), the 12348 hotline on its own sheet; "
    "landscape A4, fitted to the page width, header rows repeated on every page"))
@blp.alt_response(404, schema=SpreadsheetProblem, content_type=PROBLEM, description="no such roster")
@blp.alt_response(409, schema=SpreadsheetProblem, content_type=PROBLEM, description="the roster is not generated yet")
@blp.alt_response(403, schema=SpreadsheetProblem, content_type=PROBLEM, description="only schedulers and administrators")
@require_roles(*STAFF)
def export_roster(roster_id: str) -> Any:
    """The roster as an Excel workbook laid out for printing."""
    with read_session() as session:
        content, filename, fallback = sp.roster_workbook(session=session, roster_id=roster_id)
    return Response(content, mimetype=sp.XLSX_MIME, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-cache",
    })
