"""Monthly payment batches: approved unpaid claims grouped per lawyer, and their exports for the bank.

The exports are built in memory and returned as bytes; writing them anywhere is the caller's job.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .claims import Claim, ClaimStatus
from .money import ZERO, format_money
from .regions import covers, validate_region

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
BOM = "\ufeff"
HEADER = (
    "序号 No.",
    "律师编号 Lawyer ID",
    "律师姓名 Lawyer name",
    "笔数 Claims",
    "金额(元) Amount (CNY)",
    "补贴编号 Claim IDs",
)
TOTAL_LABEL = "合计 Total"


@dataclass(frozen=True)
class BatchLine:
    """What one lawyer is paid in a batch, and for which claims."""

    lawyer_id: str
    lawyer_name: str
    claims: tuple[str, ...]
    total: Decimal


@dataclass(frozen=True)
class PaymentBatch:
    """A month's payment run (optionally for one region) and its total."""

    id: str
    month: str
    region_code: str | None
    total: Decimal


def parse_month(month: str) -> tuple[int, int]:
    """(year, month) from 'YYYY-MM', else ValueError."""
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if match is None:
        raise ValueError(f"month {month!r} must look like 2026-05")
    return int(match.group(1)), int(match.group(2))


def in_month(day: date, *, month: str) -> bool:
    """Whether a service date falls in the 'YYYY-MM' month."""
    year, number = parse_month(month)
    return day.year == year and day.month == number


def claims_for_batch(claims: Iterable[Claim], *, month: str, region_code: str | None = None) -> list[Claim]:
    """Approved claims in no batch yet, served in `month`, in `region_code` (and the regions it covers) when given."""
    parse_month(month)
    if region_code is not None:
        validate_region(region_code)
    return [
        c
        for c in claims
        if c.status == ClaimStatus.APPROVED
        and c.batch_id is None
        and in_month(c.service_date, month=month)
        and covers(region_code, c.region_code)
    ]


def batch_lines(claims: Iterable[Claim], *, lawyer_names: Mapping[str, str]) -> list[BatchLine]:
    """One line per lawyer with their claim ids and total, ordered by name then id."""
    grouped: dict[str, list[Claim]] = {}
    for claim in claims:
        grouped.setdefault(claim.lawyer_id, []).append(claim)
    lines = []
    for lawyer_id, own in grouped.items():
        own.sort(key=lambda c: (c.service_date, c.id))
        lines.append(
            BatchLine(
                lawyer_id=lawyer_id,
                lawyer_name=lawyer_names.get(lawyer_id, ""),
                claims=tuple(c.id for c in own),
                total=sum((c.amount for c in own), ZERO),
            )
        )
    lines.sort(key=lambda line: (line.lawyer_name, line.lawyer_id))
    return lines


def build_batch(
    claims: Iterable[Claim],
    *,
    id: str,
    month: str,
    region_code: str | None = None,
    lawyer_names: Mapping[str, str],
) -> tuple[PaymentBatch, list[BatchLine]]:
    """Pick the month's approved unbatched claims, group them per lawyer and total the batch."""
    chosen = claims_for_batch(claims, month=month, region_code=region_code)
    lines = batch_lines(chosen, lawyer_names=lawyer_names)
    total = sum((line.total for line in lines), ZERO)
    return PaymentBatch(id=id, month=month, region_code=region_code, total=total), lines


def _check_totals(batch: PaymentBatch, lines: Sequence[BatchLine]) -> None:
    """Refuse to export a batch whose lines do not add up to its total."""
    total = sum((line.total for line in lines), ZERO)
    if total != batch.total:
        raise ValueError(
            f"batch {batch.id} total {format_money(batch.total)} differs from its lines' {format_money(total)}"
        )


def _text_cell(value: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(batch: PaymentBatch, lines: Sequence[BatchLine]) -> list[list[str]]:
    """Header, one row per lawyer, totals row: the table both exports share."""
    rows = [list(HEADER)]
    for number, line in enumerate(lines, start=1):
        rows.append(
            [
                str(number),
                _text_cell(line.lawyer_id),
                _text_cell(line.lawyer_name),
                str(len(line.claims)),
                format_money(line.total),
                _text_cell(";".join(line.claims)),
            ]
        )
    rows.append(
        [TOTAL_LABEL, "", "", str(sum(len(line.claims) for line in lines)), format_money(batch.total), ""]
    )
    return rows


def batch_csv(batch: PaymentBatch, lines: Sequence[BatchLine]) -> bytes:
    """The batch as UTF-8 CSV with a BOM (so Excel and WPS on Chinese Windows show the names), CRLF rows."""
    _check_totals(batch, lines)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_rows(batch, lines))
    return (BOM + buffer.getvalue()).encode("utf-8")


def batch_xlsx(batch: PaymentBatch, lines: Sequence[BatchLine]) -> bytes:
    """The batch as a printable A4 workbook: title, header, a row per lawyer, totals, signature line."""
    _check_totals(batch, lines)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = "发放表 Payment"
    region = batch.region_code or "全部 all"
    sheet.append(["律师公共法律服务补贴发放表 Lawyers' public legal service subsidy payment"])
    sheet.append([f"批次 Batch: {batch.id}    月份 Month: {batch.month}    地区 Region: {region}"])
    sheet.append([])
    sheet.append(list(HEADER))
    header_row = sheet.max_row
    for number, line in enumerate(lines, start=1):
        sheet.append(
            [number, line.lawyer_id, line.lawyer_name, len(line.claims), line.total, ";".join(line.claims)]
        )
        for column in (2, 3, 6):  # text typed by people: keep it text even if it starts with "="
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.data_type = "s"
    sheet.append([TOTAL_LABEL, None, None, sum(len(line.claims) for line in lines), batch.total, None])
    total_row = sheet.max_row
    sheet.append([])
    sheet.append(["制表 Prepared by:", None, "审核 Checked by:", None, "审批 Approved by:", None])

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows(min_row=header_row, max_row=total_row, max_col=len(HEADER)):
        for cell in row:
            cell.border = border
            if cell.row in (header_row, total_row):
                cell.font = Font(bold=True)
            if cell.column == 5 and cell.row != header_row:
                cell.number_format = "#,##0.00"
                cell.alignment = Alignment(horizontal="right")
    for column, width in enumerate((8, 22, 16, 10, 16, 40), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    footer = sheet.oddFooter
    assert footer is not None  # a new sheet has its header/footer parts
    footer.center.text = "&P / &N"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
