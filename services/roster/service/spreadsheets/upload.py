"""Reading an uploaded spreadsheet: an XLSX workbook's first sheet or a CSV file (UTF-8 with or without BOM,
GBK as Excel and WPS write it on Chinese Windows, or UTF-16) as numbered rows of cells, within the size
limits."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from services.roster.domain.errors import DomainError, Invalid
from services.roster.service.errors import TooLarge

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_UNZIPPED = 100 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack into a flood
HEADER_SCAN = 10  # a title row or two above the table is common; the header is within the first rows


def decode_text(content: bytes, charset: str | None = None) -> str:
    """A CSV's text: UTF-8 (with or without BOM) first, since it is self-checking; then the charset the upload
    declared; then GB18030, the superset of the GBK that Excel and WPS write on Chinese Windows."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # Excel's "Unicode text"
    else:
        declared = (charset or "").strip().lower()
        declared = "gb18030" if declared in ("gbk", "gb2312", "cp936", "gb18030") else declared
        candidates = ["utf-8-sig", *([declared] if declared in ("gb18030", "big5") else []), "gb18030"]
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise Invalid(
        "the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
        errors={"file": ["save it as CSV (UTF-8 or GBK) or as an Excel workbook (.xlsx)"]},
    )


def read_table(content: bytes, *, charset: str | None = None) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of an XLSX workbook's first sheet or of a CSV file, each with the row number a
    spreadsheet program shows."""
    if not content.strip():
        raise Invalid("the file is empty", errors={"file": ["the file is empty"]})
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Invalid(
            "this is an old Excel 97-2003 (.xls) workbook",
            errors={"file": ["save it as an Excel workbook (.xlsx) or as CSV, then import that"]},
        )
    return _read_csv(decode_text(content, charset))


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean(value))


def clean(text: str) -> str:
    return text.replace("\ufeff", "").strip(" \t\r\n\u3000\xa0")


def too_many_rows() -> TooLarge:
    return TooLarge(
        f"the file has more than {MAX_ROWS} rows; split it into several files",
        errors={"file": [f"at most {MAX_ROWS} rows per file"]},
    )


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise TooLarge(
                    "the workbook unpacks to more than 100 MB",
                    errors={"file": ["the workbook is too large; split it"]},
                )
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception as exc:
        raise Invalid(
            "the file is not a readable XLSX workbook",
            errors={"file": ["not a readable Excel workbook (.xlsx); save it again or as CSV"]},
        ) from exc
    try:
        if not workbook.worksheets:
            raise Invalid("the workbook has no sheet", errors={"file": ["the workbook has no sheet"]})
        rows: list[tuple[int, list[Any]]] = []
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if all(blank(v) for v in values):
                continue
            rows.append((number, list(values)))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise too_many_rows()
        return rows
    finally:
        workbook.close()


def _read_csv(text: str) -> list[tuple[int, list[Any]]]:
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
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise too_many_rows()
    except csv.Error as exc:
        raise Invalid(
            f"the CSV file cannot be read: {exc}", errors={"file": [f"not readable CSV: {exc}"]}
        ) from exc
    return rows
