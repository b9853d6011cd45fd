"""Spreadsheets both ways: lawyers and stations from a scheduler's XLSX or CSV (UTF-8 with or without BOM,
or GBK as Excel and WPS write it on Chinese Windows), all or nothing; and a roster as a workbook to print and
post at the stations.

An import first validates every row without writing (the API's schemas, the file's own duplicates and
references, the database's duplicates and references) and refuses the whole file with every bad row and
field named; only a clean file is written, each row through the same use case as the API (which checks again
and emits the upserted event), in the caller's one unit of work.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from marshmallow import Schema, ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.roster.adapters.orm import AssignmentRow, DutyPatternRow, LawyerRow, RosterRow, StationRow
from services.roster.domain.model import LANGUAGE_NAMES, STATION_LEVELS
from services.roster.service import masterdata as md
from services.roster.service.calendar import load_calendar
from services.roster.service.common import get_or_404
from services.roster.service.errors import Conflict, Invalid, RosterError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_UNZIPPED = 100 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack into a flood
HEADER_SCAN = 10  # a title row or two above the table is common; the header is within the first rows
MODES = ("create", "upsert")


class TooLarge(RosterError):
    status = 413


class Unsupported(RosterError):
    status = 415


# ------------------------------------------------------------------------------------------------ columns


def _key(text: str) -> str:
    """A header cell as compared: no notes in brackets, no spaces, marks or case ("执业证号（17位）*" ->
    "执业证号", "License No." -> "licenseno")."""
    text = re.sub(r"[(（【\[].*?[)）】\]]", "", text)
    return re.sub(r"[\s*＊_\-.:：·'\"]+", "", text).lower()


LAWYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "律师姓名", "名字", "name", "lawyer name"),
    "license_no": ("执业证号", "执业证号码", "执业证书号", "执业证书号码", "律师执业证号", "执业证", "证号",
                   "license_no", "licence_no", "license number", "licence number", "license", "licence"),
    "status": ("状态", "执业状态", "人员类别", "类别", "status"),
    "region_code": ("区划代码", "行政区划代码", "区划", "区域代码", "地区代码", "region_code", "region code",
                    "region"),
    "languages": ("语言", "语种", "工作语言", "掌握语言", "languages", "language"),
    "max_duties_per_month": ("每月上限", "每月最多", "每月值班上限", "每月最多值班", "每月最多值班次数", "月上限",
                             "值班上限", "max_duties_per_month", "max_duties", "max per month"),
    "intern_start": ("实习开始", "实习开始日期", "实习起始", "实习起始日期", "实习起", "intern_start"),
    "intern_end": ("实习结束", "实习结束日期", "实习截止", "实习截止日期", "实习止", "intern_end"),
    "supervisor_license_no": ("指导律师执业证号", "指导律师执业证号码", "指导律师证号", "指导老师执业证号",
                              "supervisor_license_no", "supervisor_licence_no", "supervisor license",
                              "supervisor licence"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "phone", "mobile", "telephone"),
}
STATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "站点名称", "服务点名称", "平台名称", "站点", "服务点", "name", "station", "station name"),
    "level": ("级别", "层级", "站点级别", "类型", "level"),
    "region_code": LAWYER_COLUMNS["region_code"],
    "parent_name": ("上级名称", "上级", "上级站点", "上级平台", "上级服务点", "所属上级", "parent_name", "parent"),
    "address": ("地址", "详细地址", "address"),
}
LABELS = {"name": "姓名", "license_no": "执业证号", "status": "状态", "region_code": "区划代码",
          "languages": "语言", "max_duties_per_month": "每月上限", "intern_start": "实习开始",
          "intern_end": "实习结束", "supervisor_license_no": "指导律师执业证号", "phone": "电话"}
STATION_LABELS = {"name": "名称", "level": "级别", "region_code": "区划代码", "parent_name": "上级名称",
                  "address": "地址"}

STATUS_WORDS = {
    **dict.fromkeys(("执业", "执业律师", "专职律师", "兼职律师", "公职律师", "公司律师", "practising", "practicing",
                     "practising lawyer"), "practising"),
    **dict.fromkeys(("实习", "实习律师", "实习人员", "intern", "intern lawyer"), "intern"),
    **dict.fromkeys(("停止执业", "暂停执业", "停业", "停执", "suspended"), "suspended"),
}
LANGUAGE_WORDS = {
    **{code: code for code in LANGUAGE_NAMES},
    **{name.lower(): code for code, name in LANGUAGE_NAMES.items()},
    **dict.fromkeys(("汉", "汉语", "中文", "普通话", "国语", "国家通用语言", "mandarin"), "zh"),
    **dict.fromkeys(("维", "维吾尔", "维吾尔语", "维语", "uighur"), "ug"),
    **dict.fromkeys(("哈", "哈萨克", "哈萨克语", "哈语"), "kk"),
    **dict.fromkeys(("蒙", "蒙古", "蒙古语", "蒙语"), "mn"),
    **dict.fromkeys(("柯", "柯尔克孜", "柯尔克孜语", "柯语", "kirghiz"), "ky"),
    **dict.fromkeys(("俄", "俄语"), "ru"),
    **dict.fromkeys(("锡伯", "锡伯语", "sibe"), "xbe"),
}
IGNORED_QUIETLY = {_key(h) for h in ("序号", "编号", "备注", "说明", "no", "#", "remark", "remarks", "note", "notes")}
LICENCE = re.compile(r"^\d{17}$")
PENDING = "(resolved from the spreadsheet)"  # supervisor/parent ids are known only once the file is resolved


@dataclass(frozen=True)
class _Kind:
    columns: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    required: tuple[str, ...]  # columns a file must have
    identity: tuple[str, ...]  # columns an upsert file must have (the rest are needed only for new rows)

    def aliases(self) -> dict[str, str]:
        return {_key(alias): name for name, names in self.columns.items() for alias in names}

    def label(self, name: str) -> str:
        return f"{self.labels[name]} ({name})"


LAWYERS = _Kind(LAWYER_COLUMNS, LABELS, ("name", "license_no", "status", "region_code", "languages"),
                ("license_no",))
STATIONS = _Kind(STATION_COLUMNS, STATION_LABELS, ("name", "level", "region_code"),
                 ("name", "region_code"))


def accepted_headers(kind: str) -> dict[str, list[str]]:
    """The header names an import accepts, per field (for the API's description)."""
    spec = LAWYERS if kind == "lawyer" else STATIONS
    return {name: list(names) for name, names in spec.columns.items()}


# ------------------------------------------------------------------------------------------------ reading


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
    raise Invalid("the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
                  errors={"file": ["save it as CSV (UTF-8 or GBK) or as an Excel workbook (.xlsx)"]})


def read_table(content: bytes, *, charset: str | None = None) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of an XLSX workbook's first sheet or of a CSV file, each with the row number a
    spreadsheet program shows."""
    if not content.strip():
        raise Invalid("the file is empty", errors={"file": ["the file is empty"]})
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Invalid("this is an old Excel 97-2003 (.xls) workbook",
                      errors={"file": ["save it as an Excel workbook (.xlsx) or as CSV, then import that"]})
    return _read_csv(decode_text(content, charset))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _clean(value))


def _clean(text: str) -> str:
    return text.replace("\ufeff", "").strip(" \t\r\n\u3000\xa0")


def _too_many() -> TooLarge:
    return TooLarge(f"the file has more than {MAX_ROWS} rows; split it into several files",
                    errors={"file": [f"at most {MAX_ROWS} rows per file"]})


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise TooLarge("the workbook unpacks to more than 100 MB",
                               errors={"file": ["the workbook is too large; split it"]})
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except RosterError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and zipfile raise many kinds on a broken file
        raise Invalid("the file is not a readable XLSX workbook",
                      errors={"file": ["not a readable Excel workbook (.xlsx); save it again or as CSV"]}) from exc
    try:
        if not workbook.worksheets:
            raise Invalid("the workbook has no sheet", errors={"file": ["the workbook has no sheet"]})
        rows: list[tuple[int, list[Any]]] = []
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if all(_blank(v) for v in values):
                continue
            rows.append((number, list(values)))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise _too_many()
        return rows
    finally:
        workbook.close()


def _read_csv(text: str) -> list[tuple[int, list[Any]]]:
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if all(_blank(v) for v in record):
                continue
            rows.append((number, record[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise _too_many()
    except csv.Error as exc:
        raise Invalid(f"the CSV file cannot be read: {exc}", errors={"file": [f"not readable CSV: {exc}"]}) from exc
    return rows


@dataclass
class _Table:
    rows: list[tuple[int, dict[str, Any]]]  # row number -> {field: cell}, empty cells left out
    present: frozenset[str]  # the fields the file has a column for
    ignored: list[str]  # header cells the import does not use


def _table(content: bytes, charset: str | None, kind: _Kind, mode: str) -> _Table:
    rows = read_table(content, charset=charset)
    aliases = kind.aliases()
    header_at = next((i for i, (_, cells) in enumerate(rows[:HEADER_SCAN])
                      if sum(1 for c in cells if isinstance(c, str) and _key(c) in aliases) >= 2), None)
    if header_at is None:
        expected = ", ".join(kind.label(name) for name in kind.required)
        raise Invalid(f"no header row found; the first row names the columns, e.g. {expected}",
                      errors={"header": [f"no header row naming the columns, e.g. {expected}"]})
    number, cells = rows[header_at]
    columns: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        text = _clean(str(cell))
        name = aliases.get(_key(text))
        if name is None:
            if _key(text) not in IGNORED_QUIETLY:
                ignored.append(text)
            continue
        if name in columns.values():
            other = next(i for i, n in columns.items() if n == name)
            problems.append(f"columns {get_column_letter(other + 1)} and {get_column_letter(index + 1)} "
                            f"both mean {kind.label(name)}")
        columns[index] = name
    needed = kind.identity if mode == "upsert" else kind.required
    problems += [f"missing column {kind.label(name)}" for name in needed if name not in columns.values()]
    if problems:
        raise Invalid(f"the header (row {number}) is not usable: {'; '.join(problems)}", errors={"header": problems})
    data = [(n, {name: cells[i] for i, name in columns.items() if i < len(cells) and not _blank(cells[i])})
            for n, cells in rows[header_at + 1:]]
    data = [(n, values) for n, values in data if values]
    if not data:
        raise Invalid("the file has a header but no rows below it", errors={"file": ["no rows below the header"]})
    if len(data) > MAX_ROWS:
        raise _too_many()
    return _Table(data, frozenset(columns.values()), ignored)


# ------------------------------------------------------------------------------------------------ cells


class _CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _clean(str(value))


def _licence(value: Any) -> str:
    if isinstance(value, float):
        raise _CellError("the cell holds a number, and Excel keeps only 15 digits of it: format the column as "
                         "text (文本) and type the licence number again")
    text = re.sub(r"\s+", "", _text(value))
    text = re.sub(r'^(?:="(.*)"|\'(.*))$', lambda m: m.group(1) or m.group(2) or "", text)  # ="0123", '0123
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise _CellError(f"{text} is a number Excel shortened: format the column as text (文本) and type the "
                         "licence number again")
    return text


def _supervisor_licence(value: Any) -> str:
    text = _licence(value)
    if not LICENCE.match(text):
        raise _CellError("must be the supervising lawyer's 17-digit licence number (执业证号)")
    return text


def _status(value: Any) -> str:
    text = _text(value)
    status = STATUS_WORDS.get(text.lower().replace("  ", " "))
    if status is None:
        raise _CellError(f"{text!r} is not a status: write 执业, 实习 or 停止执业 (practising, intern, suspended)")
    return status


def _languages(value: Any) -> list[str]:
    words = [w for w in re.split(r"[,，、;；/／|+＋\s]+|和|及", _text(value)) if w]
    unknown = [w for w in words if w.lower() not in LANGUAGE_WORDS]
    if unknown:
        names = ", ".join(f"{code} ({name})" for code, name in LANGUAGE_NAMES.items())
        raise _CellError(f"unknown language {'、'.join(unknown)}: use {names} or their Chinese names (汉语、维吾尔语…)")
    return sorted({LANGUAGE_WORDS[w.lower()] for w in words})


def _whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).removesuffix("次")
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise _CellError(f"{_text(value)!r} is not a whole number")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text) or \
        re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise _CellError(f"{text!r} is not a date: write it like 2026-03-01, 2026/3/1 or 2026年3月1日")


def _level(value: Any) -> str:
    text = _text(value)
    word = re.sub(r"\s+", "", text).lower().replace("（", "(").replace("）", ")")
    if word in STATION_LEVELS:
        return word
    if "12348" in word or "热线" in word:
        return "hotline"
    if "村" in word or "社区" in word or "服务室" in word:
        return "village"
    if any(k in word for k in ("乡", "镇", "街道", "工作站", "司法所")):
        return "township"
    if "县" in word or word.startswith("区"):
        return "county"
    if any(k in word for k in ("州", "市", "地区", "盟")):
        return "prefecture"
    raise _CellError(f"{text!r} is not a level: write 州/市中心, 县中心, 乡镇, 村/社区 or 12348热线 "
                     "(prefecture, county, township, village, hotline)")


LAWYER_CELLS: dict[str, Callable[[Any], Any]] = {
    "name": _text, "license_no": _licence, "status": _status, "region_code": _text, "languages": _languages,
    "max_duties_per_month": _whole_number, "intern_start": _date, "intern_end": _date,
    "supervisor_license_no": _supervisor_licence, "phone": _text,
}
STATION_CELLS: dict[str, Callable[[Any], Any]] = {
    "name": _text, "level": _level, "region_code": _text, "parent_name": _text, "address": _text,
}


# ------------------------------------------------------------------------------------------------ rows


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # field -> converted cell
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: dict[str, Any] | None = None  # as the API's schema loaded it
    existing: Any = None  # upsert: the stored lawyer or station the row updates
    ref_row: int | None = None  # the supervisor / parent: another row of the file ...
    ref_id: str | None = None  # ... or a stored one

    def fail(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(name, [])
        if message not in messages:
            messages.append(message)


def _rows(table: _Table, cells: dict[str, Callable[[Any], Any]]) -> list[_Row]:
    rows = []
    for number, raw in table.rows:
        row = _Row(number, {})
        for name, value in raw.items():
            try:
                row.values[name] = cells[name](value)
            except _CellError as exc:
                row.fail(name, str(exc))
        rows.append(row)
    return rows


def _load(row: _Row, schema: Schema, values: dict[str, Any], kind: _Kind, present: frozenset[str],
          renames: dict[str, str]) -> None:
    """Validate a row with the API's own schema, filing its messages under the spreadsheet's column names. When
    some fields are bad, the others are validated again on their own, so that the rules across fields (an
    intern's dates and supervisor) are reported in the same answer."""
    try:
        row.data = schema.load(values)
        return
    except ValidationError as exc:
        _file(row, exc.messages, kind, present, renames)
    rest = {k: v for k, v in values.items() if renames.get(k, k) not in row.errors}
    try:
        schema.load(rest, partial=True)
    except ValidationError as exc:
        _file(row, exc.messages, kind, present, renames)


def _file(row: _Row, messages: Any, kind: _Kind, present: frozenset[str], renames: dict[str, str]) -> None:
    for name, texts in _messages(messages):
        name = renames.get(name, name)
        if name in row.errors:
            continue  # the cell's own message says more
        for text in texts:
            if text == "Missing data for required field.":
                text = (f"required: the file has no {kind.labels.get(name, name)} column" if name not in present
                        else "required: the cell is empty")
            row.fail(name, text)


def _messages(messages: Any) -> list[tuple[str, list[str]]]:
    """marshmallow's messages as (field, [messages]); a list's positions fold into their field."""
    if not isinstance(messages, dict):
        return [("_row", _leaves(messages))]
    return [("_row" if key == "_schema" else str(key), _leaves(value)) for key, value in messages.items()]


def _leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _leaves(v)]
    if isinstance(value, list):
        return [m for v in value for m in _leaves(v)]
    return [str(value)]


def _creation_order(rows: Sequence[_Row]) -> tuple[list[int], set[int]]:
    """Row positions so that every row comes after the row it refers to; and the rows in a loop."""
    order: list[int] = []
    placed: set[int] = set()
    looped: set[int] = set()
    for start in range(len(rows)):
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in placed and node not in chain:
            chain.append(node)
            node = rows[node].ref_row
        if node is not None and node in chain:
            looped.update(chain[chain.index(node):])
        for position in reversed(chain):
            placed.add(position)
            order.append(position)
    return order, looped


def _refuse_if_bad(rows: Sequence[_Row], kind: _Kind) -> None:
    bad = [row for row in rows if row.errors]
    if not bad:
        return
    place = {name: i for i, name in enumerate(["_row", *kind.columns])}
    errors = {f"row {row.number}" if name == "_row" else f"row {row.number}.{name}": row.errors[name]
              for row in bad for name in sorted(row.errors, key=lambda n: place.get(n, len(place)))}
    first = "; ".join(f"{key}: {messages[0]}" for key, messages in list(errors.items())[:3])
    raise Invalid(f"{len(bad)} of {len(rows)} rows have errors, so nothing was imported; "
                  f"{first}{'; …' if len(errors) > 3 else ''}", errors=errors, bad_rows=[row.number for row in bad])


def _in_chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write(rows: Sequence[_Row], order: list[int], *, reference: tuple[str, str],
           create: Callable[[dict[str, Any]], dict[str, Any]],
           update: Callable[[str, dict[str, Any]], dict[str, Any]]) -> dict[str, list[str]]:
    """Save the rows through the use cases, referenced rows first; ids per action, in the file's row order."""
    id_field, column = reference
    saved: dict[int, tuple[str, str]] = {}
    for position in order:
        row = rows[position]
        if row.data is None:
            continue
        data = dict(row.data)
        if data.get(id_field) == PENDING:
            if row.ref_row is not None and row.ref_row not in saved:
                row.fail(column, f"row {rows[row.ref_row].number}, which it refers to, could not be saved")
                continue
            data[id_field] = saved[row.ref_row][1] if row.ref_row is not None else row.ref_id
        try:
            if row.existing is None:
                saved[position] = ("created", create(data)["id"])
            elif all(getattr(row.existing, k) == (sorted(set(v)) if k == "languages" else v)
                     for k, v in data.items()):
                saved[position] = ("unchanged", row.existing.id)
            else:
                saved[position] = ("updated", update(row.existing.id, data)["id"])
        except RosterError as exc:  # a rule of the use case that the checks above do not know (yet)
            for name, messages in (exc.errors or {"_row": [exc.detail]}).items():
                for message in messages:
                    row.fail(column if name == id_field else name, message)
    return {action: [saved[p][1] for p in sorted(saved) if saved[p][0] == action]
            for action in ("created", "updated", "unchanged")}


def _result(saved: dict[str, list[str]], table: _Table) -> dict[str, Any]:
    return {"created": len(saved["created"]), "ids": saved["created"], "updated": len(saved["updated"]),
            "updated_ids": saved["updated"], "unchanged": len(saved["unchanged"]), "ignored_columns": table.ignored}


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise Invalid(f"unknown mode {mode!r}", errors={"mode": ["must be create or upsert"]})
    return mode


# ------------------------------------------------------------------------------------------------ lawyers

LAWYER_INPUT = ["name", "license_no", "status", "region_code", "languages", "max_duties_per_month",
                "intern_start", "intern_end", "supervisor_id", "phone"]


def import_lawyers(*, uow: UnitOfWork, content: bytes, row_schema: Schema, charset: str | None = None,
                   mode: str = "create") -> dict[str, Any]:
    """Register every lawyer of a spreadsheet (upsert: update those whose licence number is known), or none.

    `row_schema` is the schema of `POST /lawyers` (the API passes it in), so a row is held to the same rules."""
    mode = _mode(mode)
    table = _table(content, charset, LAWYERS, mode)
    rows = _rows(table, LAWYER_CELLS)
    session = uow.session
    wanted = {r.values[k] for r in rows for k in ("license_no", "supervisor_license_no")
              if isinstance(r.values.get(k), str) and LICENCE.match(r.values[k])}
    stored: dict[str, LawyerRow] = {}
    for chunk in _in_chunks(wanted):
        query = select(LawyerRow).where(LawyerRow.license_no.in_(chunk))
        stored.update((r.license_no, r) for r in session.scalars(query))

    row_of: dict[str, int] = {}
    for position, row in enumerate(rows):
        licence = row.values.get("license_no")
        if not (isinstance(licence, str) and LICENCE.match(licence)):
            continue
        if licence in row_of:
            row.fail("license_no", f"the same licence number as row {rows[row_of[licence]].number}")
            continue
        row_of[licence] = position
        if licence in stored:
            if mode == "create":
                row.fail("license_no", f"already registered (lawyer {stored[licence].id}); "
                                       "import with ?mode=upsert to update registered lawyers")
            else:
                row.existing = stored[licence]

    for row in rows:
        values = {k: v for k, v in row.values.items() if k != "supervisor_license_no"}
        if row.existing is not None:  # the columns the file lacks keep their stored values
            kept = [k for k in LAWYER_INPUT if k not in table.present
                    and not (k == "supervisor_id" and "supervisor_license_no" in table.present)]
            values = {**{k: getattr(row.existing, k) for k in kept}, **values}
        if "supervisor_license_no" in row.values:
            values["supervisor_id"] = PENDING
        _load(row, row_schema, values, LAWYERS, table.present, {"supervisor_id": "supervisor_license_no"})

    for row in rows:
        _find_supervisor(row, rows, row_of, stored)
    order, looped = _creation_order(rows)
    for position in looped:
        rows[position].fail("supervisor_license_no", "these lawyers' supervisors refer to each other in a loop")
    _refuse_if_bad(rows, LAWYERS)

    saved = _write(rows, order, reference=("supervisor_id", "supervisor_license_no"),
                   create=lambda data: md.create_lawyer(uow=uow, data=data),
                   update=lambda id_, data: md.update_lawyer(uow=uow, lawyer_id=id_, changes=data,
                                                            expected_version=None))
    _refuse_if_bad(rows, LAWYERS)
    return _result(saved, table)


def _find_supervisor(row: _Row, rows: Sequence[_Row], row_of: dict[str, int], stored: dict[str, LawyerRow]) -> None:
    licence = row.values.get("supervisor_license_no")
    if licence is None:
        return
    if licence == row.values.get("license_no"):
        row.fail("supervisor_license_no", "a lawyer cannot supervise themself")
    elif licence in row_of:
        row.ref_row = row_of[licence]
        supervisor = rows[row.ref_row]
        status = (supervisor.data or supervisor.values).get("status")
        if status is not None and status != "practising":
            row.fail("supervisor_license_no", f"a supervising lawyer must be practising (row {supervisor.number} "
                                              f"is {status})")
    elif licence in stored:
        row.ref_id = stored[licence].id
        if stored[licence].status != "practising":
            row.fail("supervisor_license_no", f"a supervising lawyer must be practising ({stored[licence].name} "
                                              f"is {stored[licence].status})")
    else:
        row.fail("supervisor_license_no", f"no lawyer with licence number {licence} in this file or registered")


# ------------------------------------------------------------------------------------------------ stations

STATION_INPUT = ["name", "level", "region_code", "parent_id", "address"]


def import_stations(*, uow: UnitOfWork, content: bytes, row_schema: Schema, charset: str | None = None,
                    mode: str = "create") -> dict[str, Any]:
    """Register every station of a spreadsheet (upsert: update those known by name and region), or none.

    `row_schema` is the schema of `POST /stations` (the API passes it in), so a row is held to the same rules."""
    mode = _mode(mode)
    table = _table(content, charset, STATIONS, mode)
    rows = _rows(table, STATION_CELLS)
    session = uow.session
    names = {r.values[k] for r in rows for k in ("name", "parent_name") if r.values.get(k)}
    stored_by_name: dict[str, list[StationRow]] = defaultdict(list)
    for chunk in _in_chunks(names):
        for station in session.scalars(select(StationRow).where(StationRow.name.in_(chunk))):
            stored_by_name[station.name].append(station)

    row_of: dict[tuple[str, str], int] = {}
    rows_named: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        name, region = row.values.get("name"), row.values.get("region_code")
        if name:
            rows_named[name].append(position)
        if not (name and region):
            continue
        if (region, name) in row_of:
            row.fail("name", f"the same name and region code as row {rows[row_of[region, name]].number}")
            continue
        row_of[region, name] = position
        same = [s for s in stored_by_name.get(name, []) if s.region_code == region]
        if same and mode == "create":
            row.fail("name", f"already registered in region {region} (station {same[0].id}); "
                             "import with ?mode=upsert to update registered stations")
        elif len(same) > 1:
            row.fail("name", f"{len(same)} registered stations of region {region} have this name; "
                             "change one of them through the API first")
        elif same:
            row.existing = same[0]

    for row in rows:
        values = {k: v for k, v in row.values.items() if k != "parent_name"}
        if row.existing is not None:
            kept = [k for k in STATION_INPUT if k not in table.present
                    and not (k == "parent_id" and "parent_name" in table.present)]
            values = {**{k: getattr(row.existing, k) for k in kept}, **values}
        if "parent_name" in row.values:
            values["parent_id"] = PENDING
        _load(row, row_schema, values, STATIONS, table.present, {"parent_id": "parent_name"})

    for position, row in enumerate(rows):
        _find_parent(position, row, rows, rows_named, row_of, stored_by_name)
    order, looped = _creation_order(rows)
    for position in looped:
        rows[position].fail("parent_name", "these stations' parents refer to each other in a loop")
    _refuse_if_bad(rows, STATIONS)

    saved = _write(rows, order, reference=("parent_id", "parent_name"),
                   create=lambda data: md.create_station(uow=uow, data=data),
                   update=lambda id_, data: md.update_station(uow=uow, station_id=id_, changes=data,
                                                             expected_version=None))
    _refuse_if_bad(rows, STATIONS)
    return _result(saved, table)


def _find_parent(position: int, row: _Row, rows: Sequence[_Row], rows_named: dict[str, list[int]],
                 row_of: dict[tuple[str, str], int], stored_by_name: dict[str, list[StationRow]]) -> None:
    parent = row.values.get("parent_name")
    if not parent:
        return
    region = row.values.get("region_code")
    # a file row and a stored station of the same name and region are one station: the file's row
    candidates: list[tuple[int | None, str | None, str | None]] = [
        (j, None, rows[j].values.get("region_code")) for j in rows_named.get(parent, [])]
    candidates += [(None, s.id, s.region_code) for s in stored_by_name.get(parent, [])
                   if (s.region_code, s.name) not in row_of]
    if len(candidates) > 1:
        near = [c for c in candidates if c[2] == region]
        candidates = near if len(near) == 1 else candidates
    if not candidates:
        row.fail("parent_name", f"no station named {parent} in this file or registered")
    elif len(candidates) > 1:
        row.fail("parent_name", f"{len(candidates)} stations are named {parent}; the parent must be one of a "
                                "kind (give the stations distinct names)")
    elif candidates[0][0] == position:
        row.fail("parent_name", "a station cannot be its own parent")
    else:
        row.ref_row, row.ref_id = candidates[0][0], candidates[0][1]


# ------------------------------------------------------------------------------------------------ export

LEVEL_LABELS = {"prefecture": "州/市中心", "county": "县中心", "township": "乡镇工作站", "village": "村(社区)服务室",
                "hotline": "12348热线"}
LEVEL_RANK = {"prefecture": 0, "county": 1, "township": 2, "village": 3, "hotline": 4}
WEEKDAYS = "一二三四五六日"
HOTLINE_SHEET = "12348热线"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HOLIDAY_FILL = PatternFill("solid", fgColor="FCE4D6")
_REST_FILL = PatternFill("solid", fgColor="F2F2F2")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def place_name(stations: Iterable[StationRow], fallback: str) -> str:
    """"伊宁县" from the county's (or prefecture's) centre "伊宁县公共法律服务中心"; else the fallback."""
    heads = sorted((s for s in stations if s.level in ("prefecture", "county")),
                   key=lambda s: (LEVEL_RANK[s.level], s.name))
    for head in heads:
        name = re.sub(r"(公共法律服务(中心|平台|站)?|法律服务中心|中心)$", "", head.name.strip()).strip()
        if name:
            return name
    return fallback


def _sheet_title(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", text).strip("' ")[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        title = f"{base[:28]}({n})"
        n += 1
    used.add(title.lower())
    return title


@dataclass
class _Cell:
    duties: list[tuple[int, str]] = field(default_factory=list)  # (0 lawyer / 1 intern, name)
    unfilled: bool = False

    def text(self) -> str:
        names = "、".join(name + ("（实习）" if role else "") for role, name in sorted(self.duties))
        if self.unfilled:
            return f"{names}（缺员）" if names else "（空缺）"
        return names


def roster_workbook(*, session: Session, roster_id: str) -> tuple[bytes, str, str]:
    """A generated roster as a workbook to print and post: a sheet per county (a column per station and shift, a
    row per date, lawyers' names in the cells), the hotline on its own sheet. Returns (bytes, filename, ASCII
    filename)."""
    roster = get_or_404(session, RosterRow, roster_id, "roster")
    if roster.status not in ("generated", "published"):
        raise Conflict(f"the roster is {roster.status}; generate it before exporting it")
    assignments = list(session.scalars(select(AssignmentRow).where(AssignmentRow.roster_id == roster.id)))
    unfilled = [u for u in (roster.stats or {}).get("unfilled", []) if u.get("station_id") and u.get("date")]
    stations: dict[str, StationRow] = {}
    for chunk in _in_chunks({a.station_id for a in assignments} | {u["station_id"] for u in unfilled}):
        stations.update((s.id, s) for s in session.scalars(select(StationRow).where(StationRow.id.in_(chunk))))
    lawyers: dict[str, LawyerRow] = {}
    for chunk in _in_chunks({a.lawyer_id for a in assignments}):
        lawyers.update((r.id, r) for r in session.scalars(select(LawyerRow).where(LawyerRow.id.in_(chunk))))
    regions = {s.region_code for s in stations.values() if s.level != "hotline"} | {roster.region_code}
    heads: dict[str, list[StationRow]] = defaultdict(list)
    for chunk in _in_chunks(regions):
        for s in session.scalars(select(StationRow).where(StationRow.region_code.in_(chunk),
                                                          StationRow.level.in_(("prefecture", "county")))):
            heads[s.region_code].append(s)
    ends: dict[tuple[str, str], str] = {}
    for chunk in _in_chunks(stations):
        for p in session.scalars(select(DutyPatternRow).where(DutyPatternRow.station_id.in_(chunk))):
            ends.setdefault((p.station_id, p.start_time), p.end_time)
    ends.update(((a.station_id, a.start_time), a.end_time) for a in assignments)

    cells: dict[tuple[str, str], dict[date, _Cell]] = defaultdict(lambda: defaultdict(_Cell))
    for a in assignments:
        lawyer = lawyers.get(a.lawyer_id)
        cells[a.station_id, a.start_time][a.date].duties.append(
            (1 if a.role == "intern" else 0, lawyer.name if lawyer else a.lawyer_id))
    for u in unfilled:
        if u["station_id"] in stations:
            cells[u["station_id"], u.get("start_time") or ""][date.fromisoformat(u["date"])].unfilled = True

    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in cells:
        station = stations[key[0]]
        groups[HOTLINE_SHEET if station.level == "hotline" else station.region_code].append(key)
    calendar = load_calendar(session)
    days = [date.fromordinal(d) for d in range(roster.period_start.toordinal(), roster.period_end.toordinal() + 1)]
    period = f"{_chinese_date(roster.period_start)}—{_chinese_date(roster.period_end)}"
    draft = "" if roster.status == "published" else "（未发布）"

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for group in sorted(groups, key=lambda g: (g == HOTLINE_SHEET, g)):
        if group == HOTLINE_SHEET:
            title, heading = HOTLINE_SHEET, "12348公共法律服务热线 律师值班表"
        else:
            title = place_name(heads.get(group, []), group)
            heading = f"{title}（{group}）" if title != group else group
            heading += " 公共法律服务律师值班表"
        keys = sorted(groups[group], key=lambda k: (LEVEL_RANK[stations[k[0]].level], stations[k[0]].name, k))
        sheet = workbook.create_sheet(_sheet_title(title, used))
        _fill_sheet(sheet, f"{heading} {period}{draft}", keys, stations, ends, cells,
                    days, calendar)
    if not workbook.worksheets:
        sheet = workbook.create_sheet(_sheet_title(place_name(heads.get(roster.region_code, []),
                                                              roster.region_code), used))
        sheet["A1"] = f"律师值班表 {period}{draft}：本期没有值班安排"
    buffer = io.BytesIO()
    workbook.save(buffer)
    region = place_name(heads.get(roster.region_code, []), roster.region_code)
    first, last = roster.period_start.isoformat(), roster.period_end.isoformat()
    return (buffer.getvalue(), f"律师值班表_{region}_{first}至{last}.xlsx",
            f"roster-{roster.region_code}-{first}-to-{last}.xlsx")


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _day_label(day: date, calendar: Any) -> tuple[str, PatternFill | None]:
    weekday = f"周{WEEKDAYS[day.weekday()]}"
    if calendar.is_public_holiday(day) and not calendar.is_workday(day):
        return f"{weekday} 节假日", _HOLIDAY_FILL
    if calendar.is_workday(day) and day.weekday() >= 5:
        return f"{weekday} 调休上班", None
    if not calendar.is_workday(day):
        return weekday, _REST_FILL
    return weekday, None


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Any:
    """A cell showing `text` as it is: a name beginning with "=" is not run as a formula."""
    cell = sheet.cell(row, column, text)
    cell.data_type = "s"
    return cell


def _fill_sheet(sheet: Worksheet, title: str, keys: list[tuple[str, str]], stations: dict[str, StationRow],
                ends: dict[tuple[str, str], str], cells: dict[tuple[str, str], dict[date, _Cell]],
                days: list[date], calendar: Any) -> None:
    """Title in row 1; station names in row 2 (one merged cell over a station's shifts), level and hours in row
    3; a row per date from row 4, the date and weekday in columns A and B."""
    last_column = 2 + len(keys)
    _text_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
    sheet.row_dimensions[1].height = 28
    for column, text in ((1, "日期"), (2, "星期")):
        sheet.cell(2, column, text)
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)

    shifts: dict[str, list[int]] = defaultdict(list)
    for offset, key in enumerate(keys):
        shifts[key[0]].append(3 + offset)
    widths: dict[int, float] = {1: 11, 2: 14}
    for offset, (station_id, start) in enumerate(keys):
        column = 3 + offset
        station = stations[station_id]
        hours = f"{start}-{ends.get((station_id, start), '')}".strip("-")
        sheet.cell(3, column, f"{LEVEL_LABELS[station.level]} {hours}".strip())
        texts = [c.text() for c in cells[station_id, start].values()] + [LEVEL_LABELS[station.level] + " " + hours]
        own = max((display_width(t) for t in texts), default=8)
        widths[column] = min(max(own + 2, 12), 30)
    for station_id, columns in shifts.items():
        _text_cell(sheet, 2, columns[0], stations[station_id].name)
        if len(columns) > 1:
            sheet.merge_cells(start_row=2, start_column=columns[0], end_row=2, end_column=columns[-1])
        span = sum(widths[c] for c in columns)
        name_width = display_width(stations[station_id].name)
        if name_width + 2 > span:  # a long name: widen up to a point, then let it wrap
            extra = min(name_width / 2 + 2, 30 * len(columns)) - span
            for c in columns:
                widths[c] += max(extra, 0) / len(columns)
    name_lines = max((math.ceil(display_width(stations[s].name) / max(sum(widths[c] for c in cs) - 1, 1))
                      for s, cs in shifts.items()), default=1)
    sheet.row_dimensions[2].height = 16 * max(name_lines, 1) + 6
    sheet.row_dimensions[3].height = 20
    for row in (2, 3):
        for column in range(1, last_column + 1):
            cell = sheet.cell(row, column)
            cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), _HEADER_FILL, _CENTRE, _BORDER

    for index, day in enumerate(days):
        row = 4 + index
        label, fill = _day_label(day, calendar)
        sheet.cell(row, 1, day).number_format = 'm"月"d"日"'
        sheet.cell(row, 2, label)
        lines = 1
        for offset, key in enumerate(keys):
            column = 3 + offset
            entry = cells[key].get(day)
            if entry is None:
                continue
            text = entry.text()
            cell = _text_cell(sheet, row, column, text)
            if entry.unfilled:
                cell.font = Font(color="C00000")
            lines = max(lines, math.ceil(display_width(text) / max(widths[column] - 1, 1)))
        for column in range(1, last_column + 1):
            cell = sheet.cell(row, column)
            cell.alignment, cell.border = _CENTRE, _BORDER
            if fill is not None:
                cell.fill = fill
        sheet.row_dimensions[row].height = 15 * lines + 6
    note_row = 4 + len(days) + 1
    sheet.cell(note_row, 1, "注：“（实习）”为实习律师，与执业律师同班；“（空缺）”“（缺员）”为尚未排满的班次；"
                            "浅红底为法定节假日，灰底为休息日。")
    sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=last_column)
    sheet.cell(note_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[note_row].height = 32

    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "2:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
