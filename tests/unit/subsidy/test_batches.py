import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.subsidy.domain.batches import (
    BatchLine,
    PaymentBatch,
    batch_csv,
    batch_xlsx,
    build_batch,
    claims_for_batch,
)
from services.subsidy.domain.claims import ClaimStatus

from .builders import claim

NAMES = {"L1": "王建国", "L2": "阿依古丽·买买提", "L3": "巴特尔"}
APPROVED = ClaimStatus.APPROVED


def _may_claims() -> list:
    return [
        claim("C1", lawyer_id="L1", amount="2000.00", status=APPROVED),
        claim("C2", lawyer_id="L1", amount="150.50", status=APPROVED, service_date=date(2026, 5, 31)),
        claim("C3", lawyer_id="L2", amount="1200.00", status=APPROVED, region_code="654002"),
        claim("C4", lawyer_id="L3", amount="99.99", status=APPROVED, region_code="654221"),  # Tacheng
        claim("C5", lawyer_id="L1", amount="500.00", status=ClaimStatus.PENDING),
        claim("C6", lawyer_id="L1", amount="500.00", status=ClaimStatus.PAID),
        claim("C7", lawyer_id="L2", amount="500.00", status=APPROVED, service_date=date(2026, 6, 1)),
        claim("C8", lawyer_id="L2", amount="500.00", status=APPROVED, batch_id="B0"),
    ]


def test_a_batch_takes_the_months_approved_claims_that_are_in_no_batch_yet() -> None:
    chosen = claims_for_batch(_may_claims(), month="2026-05")
    assert [c.id for c in chosen] == ["C1", "C2", "C3", "C4"]


def test_a_batch_for_a_region_takes_only_claims_that_region_covers() -> None:
    chosen = claims_for_batch(_may_claims(), month="2026-05", region_code="654000")
    assert [c.id for c in chosen] == ["C1", "C2", "C3"]


def test_claims_are_grouped_per_lawyer_with_totals_that_add_up() -> None:
    batch, lines = build_batch(
        _may_claims(), id="B1", month="2026-05", region_code="654000", lawyer_names=NAMES
    )
    by_lawyer = {line.lawyer_id: line for line in lines}
    assert by_lawyer["L1"] == BatchLine(
        lawyer_id="L1", lawyer_name="王建国", claims=("C1", "C2"), total=Decimal("2150.50")
    )
    assert by_lawyer["L2"].total == Decimal("1200.00")
    assert batch.total == Decimal("3350.50") == sum(line.total for line in lines)
    assert (batch.month, batch.region_code) == ("2026-05", "654000")


@pytest.mark.parametrize("month", ["2026-5", "2026-13", "May 2026", ""])
def test_a_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError, match="month"):
        claims_for_batch([], month=month)


def _export() -> tuple[PaymentBatch, list[BatchLine], bytes]:
    batch, lines = build_batch(_may_claims(), id="B1", month="2026-05", lawyer_names=NAMES)
    return batch, lines, batch_csv(batch, lines)


def test_the_csv_starts_with_a_utf8_bom_so_excel_shows_chinese_names() -> None:
    _, _, data = _export()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "王建国" in data.decode("utf-8-sig")


def test_the_csv_has_a_bilingual_header_a_row_per_lawyer_and_a_correct_total() -> None:
    batch, lines, data = _export()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:5] == [
        "序号 No.",
        "律师编号 Lawyer ID",
        "律师姓名 Lawyer name",
        "笔数 Claims",
        "金额(元) Amount (CNY)",
    ]
    body, total = rows[1:-1], rows[-1]
    assert len(body) == len(lines) == 3
    assert {row[2]: row[4] for row in body} == {
        "王建国": "2150.50",
        "阿依古丽·买买提": "1200.00",
        "巴特尔": "99.99",
    }
    assert total[0] == "合计 Total"
    assert total[3] == "4"
    assert total[4] == "3450.49" == f"{sum(Decimal(row[4]) for row in body):.2f}"


def test_the_csv_rows_end_with_crlf() -> None:
    _, _, data = _export()
    assert data.count(b"\r\n") == 5
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_batch_whose_lines_do_not_add_up_is_not_exported() -> None:
    batch, lines = build_batch(_may_claims(), id="B1", month="2026-05", lawyer_names=NAMES)
    wrong = PaymentBatch(
        id=batch.id, month=batch.month, region_code=None, total=batch.total + Decimal("0.01")
    )
    with pytest.raises(ValueError, match="differs"):
        batch_csv(wrong, lines)
    with pytest.raises(ValueError, match="differs"):
        batch_xlsx(wrong, lines)


def test_a_name_that_looks_like_a_formula_is_exported_as_text() -> None:
    line = BatchLine(
        lawyer_id="L9", lawyer_name='=HYPERLINK("http://x")', claims=("C9",), total=Decimal("1.00")
    )
    batch = PaymentBatch(id="B", month="2026-05", region_code=None, total=Decimal("1.00"))
    rows = list(csv.reader(io.StringIO(batch_csv(batch, [line]).decode("utf-8-sig"))))
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    sheet = load_workbook(io.BytesIO(batch_xlsx(batch, [line]))).active
    names = [row[2] for row in sheet.iter_rows(values_only=True) if row and row[1] == "L9"]
    assert names == ['=HYPERLINK("http://x")']
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_empty_month_exports_just_the_header_and_a_zero_total() -> None:
    batch, lines = build_batch([], id="B2", month="2026-05", lawyer_names=NAMES)
    rows = list(csv.reader(io.StringIO(batch_csv(batch, lines).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[-1][4] == "0.00"


def test_the_xlsx_has_a_row_per_lawyer_and_a_totals_row_that_adds_up() -> None:
    batch, lines, _ = _export()
    sheet = load_workbook(io.BytesIO(batch_xlsx(batch, lines))).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "序号 No.")
    body = rows[header_at + 1 : header_at + 1 + len(lines)]
    total = rows[header_at + 1 + len(lines)]
    assert [row[2] for row in body] == [line.lawyer_name for line in lines]
    assert total[0] == "合计 Total"
    assert Decimal(str(total[4])) == Decimal("3450.49")
    assert sum(Decimal(str(row[4])) for row in body) == Decimal("3450.49")
    assert "B1" in rows[1][0]
    assert "2026-05" in rows[1][0]
    assert sheet.print_title_rows == f"${header_at + 1}:${header_at + 1}"  # the header repeats on every page
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.cell(row=header_at + 2, column=5).number_format == "#,##0.00"
