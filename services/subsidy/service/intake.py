"""Intake: a month's mediation or legal-aid cases from a spreadsheet (XLSX, or CSV in UTF-8, UTF-8 with BOM
or GBK), all or nothing, through the bulk path (`bulk.submit_claims_in_bulk`): each claim priced, audited and
announced as if submitted alone.

The first non-empty row is the header; its cells name the claim's fields and attributes in English (`case_no`,
`difficulty`) or Chinese (案号, 难易程度); a lower_snake_case English header the table does not know is read
as a further attribute, any other is ignored (and listed). Row numbers are the ones a spreadsheet program
shows (the header is row 1). Every bad cell of every row is named (`"row N": ["field: why", ...]`) and nothing
is stored.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from services.common.uploads import blank, clean, read_table
from services.subsidy.domain.regions import validate_region
from services.subsidy.domain.schemes import ATTRIBUTES, GRADES, Kind
from services.subsidy.service import bulk
from services.subsidy.service.errors import Invalid
from services.subsidy.service.unit_of_work import Unit

MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 50_000

CASE_KINDS = (Kind.MEDIATION_CASE.value, Kind.LEGAL_AID_CASE.value)


class Column:
    """One column the import reads: the claim field or attribute, the headers that name it, how a cell reads."""

    def __init__(
        self,
        name: str,
        chinese: tuple[str, ...],
        read: Callable[[Any], Any],
        *,
        required: bool = False,
        attribute: bool = False,
        english: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        self.name, self.chinese, self.read, self.required = name, chinese, read, required
        self.attribute, self.english, self.note = attribute, (name, *english), note

    @property
    def label(self) -> str:
        return f"{self.chinese[0]} ({self.name})"


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = clean(cell if isinstance(cell, str) else str(cell))
    if text.startswith('="') and text.endswith('"'):  # Excel's way of keeping digits as text
        text = text[2:-1]
    if len(text) > 100:
        raise ValueError("at most 100 characters")
    return text


_KIND_WORDS = {
    "mediation_case": "mediation_case",
    "mediation": "mediation_case",
    "人民调解": "mediation_case",
    "调解": "mediation_case",
    "调解案件": "mediation_case",
    "legal_aid_case": "legal_aid_case",
    "legal_aid": "legal_aid_case",
    "法律援助": "legal_aid_case",
    "法援": "legal_aid_case",
    "法律援助案件": "legal_aid_case",
}


def _kind(cell: Any) -> str:
    word = _text(cell).casefold()
    if word not in _KIND_WORDS:
        raise ValueError("write mediation_case (人民调解) or legal_aid_case (法律援助)")
    return _KIND_WORDS[word]


def _region(cell: Any) -> str:
    code = _text(cell)
    validate_region(code)
    return code


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _day(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    match = _DATE.match(_text(cell))
    if not match:
        raise ValueError(f"{clean(str(cell))} is not a date like 2026-05-12, 2026/5/12 or 2026年5月12日")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"{clean(str(cell))} is not a day of the calendar") from None


_TRUE = {"true", "是", "yes", "y", "1", "有", "√"}
_FALSE = {"false", "否", "no", "n", "0", "无", "×"}


def _boolean(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    word = _text(cell).casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("write true or false (是 or 否)")


def _choice(words: Mapping[str, str], allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def read(cell: Any) -> str:
        word = _text(cell).casefold()
        value = words.get(word, word)
        if value not in allowed:
            chinese = "、".join(k for k in words if not k.isascii())
            raise ValueError(f"write one of {', '.join(allowed)}" + (f" ({chinese})" if chinese else ""))
        return value

    return read


_DIFFICULTY = {
    "简易": "simple",
    "简单": "simple",
    "一般": "ordinary",
    "普通": "ordinary",
    "疑难": "difficult",
    "复杂": "difficult",
    "重大": "major",
}
_JURISDICTION = {
    "本县": "same_county",
    "同县": "same_county",
    "跨县": "cross_county",
    "跨县(市)": "cross_county",
    "跨地州": "cross_city",
    "跨市": "cross_city",
}


def _documents(cell: Any) -> list[str]:
    return [part for part in (clean(p) for p in re.split(r"[;；]", str(cell))) if part]


def _difficulty(cell: Any) -> str:
    return _choice(_DIFFICULTY, tuple(ATTRIBUTES[Kind.MEDIATION_CASE]["difficulty"] or ()))(cell)


def _jurisdiction(cell: Any) -> str:
    return _choice(_JURISDICTION, tuple(ATTRIBUTES[Kind.LEGAL_AID_CASE]["jurisdiction"] or ()))(cell)


COLUMNS: tuple[Column, ...] = (
    Column(
        "kind",
        ("案件类型", "类别", "补贴类别"),
        _kind,
        required=True,
        english=("type",),
        note="mediation_case / legal_aid_case, or 人民调解 / 法律援助",
    ),
    Column(
        "lawyer_id",
        ("律师编号", "律师ID", "律师id"),
        _text,
        required=True,
        english=("lawyer",),
        note="the lawyer's id in the roster",
    ),
    Column(
        "region_code",
        ("行政区划代码", "区划代码", "行政区划"),
        _region,
        required=True,
        english=("region",),
        note="six digits, e.g. 654021",
    ),
    Column(
        "case_no",
        ("案号", "案件编号"),
        _text,
        required=True,
        english=("case",),
        note="unique per kind, e.g. (2026)伊调字第12号",
    ),
    Column(
        "service_date",
        ("服务日期", "结案日期", "日期"),
        _day,
        required=True,
        english=("date",),
        note="2026-05-12, 2026/5/12, 2026年5月12日 or a date cell",
    ),
    Column(
        "documents",
        ("材料", "卷宗材料", "案卷材料"),
        _documents,
        note="the file's documents, separated by ; (e.g. 委托书;结案报告)",
    ),
    Column(
        "difficulty",
        ("难易程度", "难度"),
        _difficulty,
        attribute=True,
        note="mediation: simple / ordinary / difficult / major, or 简易 / 一般 / 疑难 / 重大",
    ),
    Column(
        "agreement",
        ("是否达成协议", "达成协议"),
        _boolean,
        attribute=True,
        note="mediation: true / false, or 是 / 否",
    ),
    Column("case_type", ("案件类别",), _text, attribute=True, note="legal aid: e.g. criminal, civil"),
    Column(
        "stage", ("诉讼阶段", "阶段"), _text, attribute=True, note="legal aid: e.g. first_instance, appeal"
    ),
    Column(
        "remote_area",
        ("偏远地区", "是否偏远地区"),
        _boolean,
        attribute=True,
        note="legal aid: true / false, or 是 / 否",
    ),
    Column(
        "language",
        ("语言", "少数民族语言"),
        _text,
        attribute=True,
        note="legal aid: a language code, e.g. kk",
    ),
    Column(
        "jurisdiction",
        ("管辖", "办案地域"),
        _jurisdiction,
        attribute=True,
        note="legal aid: same_county / cross_county / cross_city, or 本县 / 跨县 / 跨地州",
    ),
)
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_IGNORED_QUIETLY = {"序号", "备注", "no", "#", "remark", "remarks", "note", "notes"}


def _header_key(cell: Any) -> str:
    return re.sub(r"[\s*＊:：]", "", clean(str(cell))).casefold() if cell is not None else ""


HEADERS: dict[str, Column] = {
    _header_key(alias): column for column in COLUMNS for alias in (*column.chinese, *column.english)
}


def _header(cells: list[Any]) -> tuple[dict[int, Column], list[str], list[str]]:
    """Which column each header cell names; the further attributes' positions are read as text."""
    columns: dict[int, Column] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for position, cell in enumerate(cells):
        if blank(cell):
            continue
        key = _header_key(cell)
        column = HEADERS.get(key)
        if column is None and _ATTRIBUTE_NAME.match(key) and key not in _IGNORED_QUIETLY:
            column = Column(key, (key,), _text, attribute=True)  # an attribute some standard may price
        if column is None:
            if key not in _IGNORED_QUIETLY:
                ignored.append(clean(str(cell)))
            continue
        if column.name in {c.name for c in columns.values()}:
            problems.append(f"{clean(str(cell))}: the column {column.label} appears twice")
            continue
        columns[position] = column
    present = {c.name for c in columns.values()}
    problems += [f"missing the column {c.label}" for c in COLUMNS if c.required and c.name not in present]
    if "grade" in present:
        problems.append("grade: the grade is given by finance when grading each file, not imported")
    return columns, ignored, problems


_VALUE, _BLANK, _BAD = "value", "blank", "bad"


def _read_cell(column: Column, cell: Any) -> tuple[str, Any]:
    """(outcome, the value or the problem's text) of one cell of the column."""
    if blank(cell):
        return (_BAD, f"{column.name}: missing ({column.chinese[0]})") if column.required else (_BLANK, None)
    try:
        return _VALUE, column.read(cell)
    except ValueError as exc:
        return _BAD, f"{column.name}: {exc}"


def read_claims(
    content: bytes, *, charset: str | None
) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, list[str]], list[str]]:
    """The file's rows as claim bodies (with their row numbers), the bad rows' problems, and ignored headers."""
    rows = read_table(content, charset=charset, max_rows=MAX_ROWS, declared_is_binding=True, fast_xlsx=True)
    if not rows:
        raise Invalid("the file has no rows", {"file": ["the file has no rows"]})
    header_row, header_cells = rows[0]
    columns, ignored, problems = _header(header_cells)
    if problems:
        raise Invalid(
            f"row {header_row} (the header): " + "; ".join(problems), {f"row {header_row}": problems}
        )
    claims: list[tuple[int, dict[str, Any]]] = []
    errors: dict[str, list[str]] = {}
    # each distinct cell of a column read once: a month's cases repeat kinds, lawyers, regions, dates, documents
    readers: list[tuple[int, Column, dict[Any, tuple[str, Any]]]] = [
        (position, column, {}) for position, column in columns.items()
    ]
    for number, cells in rows[1:]:
        attributes: dict[str, Any] = {}
        body: dict[str, Any] = {"attributes": attributes, "documents": []}
        bad: list[str] = []
        width = len(cells)
        for position, column, known in readers:
            cell = cells[position] if position < width else None
            # (1, 1.0 and True are equal keys but not the same cell: other than text, a cell is keyed with its type)
            key = cell if type(cell) is str else (type(cell), cell)
            answer = known.get(key)
            if answer is None:
                answer = known[key] = _read_cell(column, cell)
            outcome, value = answer
            if outcome is _VALUE:
                if type(value) is list:
                    value = list(value)  # each claim its own
                (attributes if column.attribute else body)[column.name] = value
            elif outcome is _BAD:
                bad.append(value)
        if bad:
            errors[f"row {number}"] = bad
        else:
            claims.append((number, body))
    if not claims and not errors:
        raise Invalid(
            "the file has a header but no cases", {f"row {header_row}": ["no cases below the header"]}
        )
    return claims, errors, ignored


def import_claims(unit: Unit, *, content: bytes, charset: str | None, submitted_by: str) -> dict[str, Any]:
    """Record every case of the file as a pending claim, or none: Invalid naming every bad row otherwise."""
    claims, errors, ignored = read_claims(content, charset=charset)
    bodies = [body for _, body in claims]
    labels = [f"row {number}" for number, _ in claims]
    if errors:
        try:  # what the good rows would say too (lawyers, duplicates, rates), so every bad row is named at once
            bulk.submit_claims_in_bulk(
                unit, claims=bodies, submitted_by=submitted_by, labels=labels, validate_only=True
            )
        except Invalid as more:
            errors.update(more.errors)
        ordered = dict(sorted(errors.items(), key=lambda item: int(item[0].split()[1])))
        raise Invalid(f"{len(ordered)} row(s) cannot be imported; nothing was", ordered)
    result = bulk.submit_claims_in_bulk(unit, claims=bodies, submitted_by=submitted_by, labels=labels)
    return {
        "created": result["created"],
        "total": result["total"],
        "ignored_columns": ignored,
        "claims": [
            {
                "row": number,
                "id": claim_id,
                "case_no": body["case_no"],
                "lawyer_id": body["lawyer_id"],
                "amount": amount,
            }
            for (number, body), claim_id, amount in zip(claims, result["ids"], result["amounts"], strict=True)
        ],
    }


def template() -> bytes:
    """The import's XLSX template: the header in Chinese, two example rows, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    sheet = workbook.create_sheet("案件 cases")
    sheet.append([c.chinese[0] for c in COLUMNS])
    sheet.append(
        [
            "人民调解",
            "L1",
            "654021",
            "(2026)伊调字第12号",
            "2026-05-12",
            "调解协议书;卷宗目录",
            "一般",
            "是",
            None,
            None,
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            "法律援助",
            "L2",
            "654021",
            "(2026)伊援字第7号",
            "2026-05-14",
            "委托书;结案报告",
            None,
            None,
            "criminal",
            "first_instance",
            "否",
            "kk",
            "本县",
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in range(1, len(COLUMNS) + 1):  # text columns: ids, codes and case numbers keep their digits
        letter = get_column_letter(index)
        for row in range(2, 4):
            sheet[f"{letter}{row}"].number_format = "@"
        sheet.column_dimensions[letter].width = 18
    notes = workbook.create_sheet("说明 columns")
    notes.append(["表头 header", "English header", "必填 required", "取值 values"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        notes.append(
            [" / ".join(column.chinese), column.name, "是" if column.required else "否", column.note]
        )
    notes.append(
        ["(其他 other)", "lower_snake_case", "否", "an attribute a standard prices; grade is never imported"]
    )
    notes.append(["", "", "", f"grades ({', '.join(GRADES)}) are given by finance after import"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
