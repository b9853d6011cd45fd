"""Uploaded spreadsheets read the same for every service: encodings, a declared charset that is wrong, garbage."""

from __future__ import annotations

import os

import pytest

from services.common.uploads import UploadRefused, UploadTooLarge, decode_text, read_table

TEXT = "案号,律师编号\n(2026)伊调字第1号,L1\n"


@pytest.mark.parametrize(
    "content",
    [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("gbk"), TEXT.encode("utf-16")],
)
def test_a_csv_reads_the_same_in_utf8_with_or_without_bom_gbk_and_utf16(content: bytes) -> None:
    assert decode_text(content, declared_is_binding=True).lstrip("\ufeff") == TEXT


def test_a_gbk_file_declared_utf8_is_refused_naming_where_it_breaks_when_the_declaration_binds() -> None:
    with pytest.raises(UploadRefused) as refused:
        decode_text(TEXT.encode("gbk"), "utf-8", declared_is_binding=True)
    assert "declared UTF-8" in refused.value.errors["file"][0]
    assert "GBK" in refused.value.errors["file"][0]
    # the roster's reading guesses instead, as it always did
    assert decode_text(TEXT.encode("gbk"), "utf-8") == TEXT


def test_a_file_declared_gbk_is_read_as_gbk() -> None:
    assert decode_text(TEXT.encode("gbk"), "GB2312", declared_is_binding=True) == TEXT


def test_random_bytes_are_refused_as_no_spreadsheet_not_a_crash() -> None:
    garbage = os.urandom(256 * 1024)
    with pytest.raises(UploadRefused) as refused:
        read_table(garbage, max_rows=100)
    assert refused.value.errors["file"]


def test_a_workbook_that_is_a_broken_zip_is_refused() -> None:
    with pytest.raises(UploadRefused, match="XLSX"):
        read_table(b"PK\x03\x04" + os.urandom(1000), max_rows=100)


def test_more_rows_than_the_limit_are_too_large() -> None:
    with pytest.raises(UploadTooLarge):
        read_table(("案号\n" + "x\n" * 120).encode(), max_rows=100)


def test_a_workbook_reads_the_same_rows_by_openpyxl_and_by_the_fast_reader() -> None:
    import io
    from datetime import date, datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = "案号", "服务日期"
    sheet["A3"], sheet["B3"] = "A-1", datetime(2026, 5, 12)
    sheet["A4"], sheet["C4"] = 654021, True
    buffer = io.BytesIO()
    book.save(buffer)
    slow = read_table(buffer.getvalue(), max_rows=100)
    fast = read_table(buffer.getvalue(), max_rows=100, fast_xlsx=True)
    assert [number for number, _ in slow] == [number for number, _ in fast] == [1, 3, 4]
    assert fast[1][1][:2] == ["A-1", date(2026, 5, 12)] or fast[1][1][:2] == ["A-1", datetime(2026, 5, 12)]
    assert fast[2][1][0] == 654021
    assert fast[2][1][2] is True
    with pytest.raises(UploadRefused, match="XLSX"):
        read_table(b"PK\x03\x04" + os.urandom(1000), max_rows=100, fast_xlsx=True)
