"""Uploaded spreadsheets, for any service that imports them: the bytes of a request (multipart field `file` or
the raw body, within a size limit), a CSV's text (UTF-8 with or without BOM, GBK/GB18030 as Excel and WPS write
it on Chinese Windows, UTF-16), and an XLSX workbook's first sheet or a CSV as numbered rows of cells.

What is refused raises an `UploadRefused` (a 422), `UploadTooLarge` (413) or `UploadUnsupported` (415), each
with `errors` naming the `file`; a service maps them to its problems (the roster turns them into its own
refusals). Nothing here knows what the rows mean.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# browsers on Windows with Excel label a .csv upload application/vnd.ms-excel; the content decides anyway
RAW_TYPES = ("text/csv", "text/plain", XLSX_MIME, "application/vnd.ms-excel", "application/octet-stream")
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
MAX_COLUMNS = 60
MAX_UNZIPPED = 100 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack into a flood
HEADER_SCAN = 10  # a title row or two above the table is common; the header is within the first rows
_UTF8 = ("utf-8", "utf8")
_GBK = ("gbk", "gb2312", "cp936", "gb18030")


class UploadRefused(Exception):
    """An upload the import cannot read; `errors` names the `file` (a 422)."""

    def __init__(self, detail: str, *, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors


class UploadTooLarge(UploadRefused):
    """An upload over the size or row limit (a 413)."""


class UploadUnsupported(UploadRefused):
    """An upload in a form no import reads: neither multipart, CSV nor XLSX (a 415)."""


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def request_upload(*, max_bytes: int) -> tuple[bytes, str | None]:
    """The uploaded file's bytes and declared charset, from the current request's multipart field `file` or
    its raw body; UploadTooLarge past `max_bytes`, without reading further than that."""
    from flask import request

    too_large = UploadTooLarge(
        f"the file is larger than {_size(max_bytes)}; split it into several files",
        errors={"file": [f"at most {_size(max_bytes)}"]},
    )
    if (request.content_length or 0) > max_bytes + MULTIPART_SLACK:
        raise too_large
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise UploadRefused(
                "send the spreadsheet in the multipart field 'file'",
                errors={"file": ["required: the multipart field 'file'"]},
            )
        content = upload.read(max_bytes + 1)
        charset = upload.mimetype_params.get("charset")
    elif request.mimetype in RAW_TYPES:
        content = request.stream.read(max_bytes + 1)
        charset = request.mimetype_params.get("charset")
    else:
        raise UploadUnsupported(
            f"send the spreadsheet as multipart/form-data (field 'file'), text/csv or {XLSX_MIME}",
            errors={"file": ["multipart/form-data (field 'file'), text/csv or an XLSX workbook"]},
        )
    if len(content) > max_bytes:
        raise too_large
    return content, charset


def decode_text(content: bytes, charset: str | None = None, *, declared_is_binding: bool = False) -> str:
    """A CSV's text: UTF-8 (with or without BOM) first, since it is self-checking; then the charset the upload
    declared; then GB18030, the superset of the GBK that Excel and WPS write on Chinese Windows.

    With `declared_is_binding`, a file declared UTF-8 (or GBK) is read as that or refused, naming where it
    breaks: a GBK file sent as UTF-8 is a mistake to report, not to guess around."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # Excel's "Unicode text"
    else:
        declared = (charset or "").strip().lower()
        declared = "gb18030" if declared in _GBK else declared
        if declared_is_binding and declared in _UTF8:
            return _declared(content, "utf-8-sig", "UTF-8")
        if declared_is_binding and declared == "gb18030":
            return _declared(content, "gb18030", "GBK")
        candidates = ["utf-8-sig", *([declared] if declared in ("gb18030", "big5") else []), "gb18030"]
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise UploadRefused(
        "the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
        errors={"file": ["save it as CSV (UTF-8 or GBK) or as an Excel workbook (.xlsx)"]},
    )


def _declared(content: bytes, encoding: str, name: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        hint = (
            " (it looks like GBK: send it with charset=gbk, or save it as UTF-8)" if name == "UTF-8" else ""
        )
        message = f"declared {name} but is not: byte {exc.start} (line {line}) cannot be read as {name}{hint}"
        raise UploadRefused(f"the file {message}", errors={"file": [message]}) from None


def read_table(
    content: bytes,
    *,
    charset: str | None = None,
    max_rows: int,
    declared_is_binding: bool = False,
    fast_xlsx: bool = False,
) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of an XLSX workbook's first sheet or of a CSV file, each with the row number a
    spreadsheet program shows; UploadTooLarge past `max_rows` (plus a few title rows).

    XLSX cells come as openpyxl reads them (whole numbers as int, date cells as datetime); with `fast_xlsx`
    the workbook is read by calamine (Rust, some 20 times faster on a 20,000-row sheet): numbers as float,
    date cells as date or datetime, empty cells as ""."""
    if not content.strip():
        raise UploadRefused("the file is empty", errors={"file": ["the file is empty"]})
    if content.startswith(b"PK\x03\x04"):
        _check_unzipped_size(content)
        if fast_xlsx:
            return _read_xlsx_fast(content, max_rows=max_rows)
        return _read_xlsx(content, max_rows=max_rows)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UploadRefused(
            "this is an old Excel 97-2003 (.xls) workbook",
            errors={"file": ["save it as an Excel workbook (.xlsx) or as CSV, then import that"]},
        )
    return _read_csv(
        decode_text(content, charset, declared_is_binding=declared_is_binding), max_rows=max_rows
    )


_SPACE = " \t\r\n\u3000\xa0"


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean(value))


def clean(text: str) -> str:
    """A cell's text without surrounding (also full-width and no-break) spaces and without byte-order marks."""
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    return text.strip(_SPACE)


def too_many_rows(max_rows: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"the file has more than {max_rows} rows; split it into several files",
        errors={"file": [f"at most {max_rows} rows per file"]},
    )


_UNREADABLE_XLSX = {"file": ["not a readable Excel workbook (.xlsx); save it again or as CSV"]}


def _check_unzipped_size(content: bytes) -> None:
    """Refuse a workbook (a zip) that would unpack into a flood, or that is no zip at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRefused("the file is not a readable XLSX workbook", errors=_UNREADABLE_XLSX) from exc
    if unpacked > MAX_UNZIPPED:
        raise UploadTooLarge(
            "the workbook unpacks to more than 100 MB",
            errors={"file": ["the workbook is too large; split it"]},
        )


def _read_xlsx_fast(content: bytes, *, max_rows: int) -> list[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if not workbook.sheet_names:
            raise UploadRefused("the workbook has no sheet", errors={"file": ["the workbook has no sheet"]})
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > 4 * (max_rows + HEADER_SCAN):  # mostly blank rows would still be read one by one
            raise too_many_rows(max_rows)
        values = sheet.to_python(skip_empty_area=False)  # row 1 first, column A first
    except (CalamineError, ValueError, OSError) as exc:
        raise UploadRefused("the file is not a readable XLSX workbook", errors=_UNREADABLE_XLSX) from exc
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(values, start=1):
        if all(blank(v) or v == "" for v in cells):
            continue
        rows.append((number, [None if v == "" else v for v in cells[:MAX_COLUMNS]]))
        if len(rows) > max_rows + HEADER_SCAN:
            raise too_many_rows(max_rows)
    return rows


def _read_xlsx(content: bytes, *, max_rows: int) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise UploadRefused("the file is not a readable XLSX workbook", errors=_UNREADABLE_XLSX) from exc
    try:
        if not workbook.worksheets:
            raise UploadRefused("the workbook has no sheet", errors={"file": ["the workbook has no sheet"]})
        rows: list[tuple[int, list[Any]]] = []
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if all(blank(v) for v in values):
                continue
            rows.append((number, list(values)))
            if len(rows) > max_rows + HEADER_SCAN:
                raise too_many_rows(max_rows)
        return rows
    finally:
        workbook.close()


def _read_csv(text: str, *, max_rows: int) -> list[tuple[int, list[Any]]]:
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if all(blank(v) for v in record):
                continue
            rows.append((number, record[:MAX_COLUMNS]))
            if len(rows) > max_rows + HEADER_SCAN:
                raise too_many_rows(max_rows)
    except csv.Error as exc:
        raise UploadRefused(
            f"the CSV file cannot be read: {exc}", errors={"file": [f"not readable CSV: {exc}"]}
        ) from exc
    return rows


BINARY = {"type": "string", "format": "binary"}  # a file in an OpenAPI document


def upload_request_body(description: str) -> dict[str, Any]:
    """The OpenAPI `requestBody` of an upload endpoint: the multipart field `file`, or the raw CSV or XLSX."""
    return {
        "required": True,
        "description": description,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {**BINARY, "description": "the .xlsx or .csv file"}},
                }
            },
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MIME: {"schema": BINARY},
        },
    }
