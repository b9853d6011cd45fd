"""Reading a scheduler's spreadsheet without a database: encodings, the header vocabulary and the cells as
schedulers write them."""

from __future__ import annotations

from datetime import date

import pytest

from services.roster.domain.errors import Invalid
from services.roster.service.errors import TooLarge
from services.roster.service.spreadsheets.columns import LAWYER_CELLS, STATION_CELLS, CellError, header_key
from services.roster.service.spreadsheets.upload import MAX_ROWS, decode_text, read_table


def test_a_csv_reads_the_same_in_utf8_with_a_bom_in_gbk_and_in_utf16() -> None:
    text = "姓名,执业证号\n阿依古丽,16540201000000001\n"
    for content in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gbk"), text.encode("utf-16")):
        assert decode_text(content).lstrip("\ufeff") == text


def test_rows_keep_the_numbers_a_spreadsheet_shows_and_skip_empty_ones() -> None:
    rows = read_table("姓名\t状态\n\n甲\t执业\n".encode())
    assert rows == [(1, ["姓名", "状态"]), (3, ["甲", "执业"])]


def test_an_empty_file_and_an_old_excel_workbook_are_refused_with_advice() -> None:
    with pytest.raises(Invalid, match="empty"):
        read_table(b"  \n")
    with pytest.raises(Invalid) as old:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xlsx" in old.value.errors["file"][0]  # type: ignore[index]


def test_a_file_of_more_rows_than_the_limit_is_too_large() -> None:
    content = ("姓名\n" + "甲\n" * (MAX_ROWS + 20)).encode()
    with pytest.raises(TooLarge):
        read_table(content)


@pytest.mark.parametrize(
    ("header", "key"), [("执业证号（17位）*", "执业证号"), ("License No.", "licenseno"), ("  姓 名 ", "姓名")]
)
def test_a_header_is_compared_without_notes_marks_spaces_or_case(header: str, key: str) -> None:
    assert header_key(header) == key


def test_lawyer_cells_are_read_as_schedulers_write_them() -> None:
    assert LAWYER_CELLS["status"]("实习律师") == "intern"
    assert LAWYER_CELLS["languages"]("汉语、维吾尔语") == ["ug", "zh"]
    assert LAWYER_CELLS["languages"]("锡伯语，英语、哈萨克语") == ["en", "kk", "sjo"]
    assert LAWYER_CELLS["languages"]("中文/蒙古语/俄语/柯尔克孜语") == ["ky", "mn", "ru", "zh"]
    assert LAWYER_CELLS["languages"]("维语 汉 法语 uz") == ["fr", "ug", "uz", "zh"]
    assert LAWYER_CELLS["intern_start"]("2026年3月1日") == date(2026, 3, 1)
    assert LAWYER_CELLS["max_duties_per_month"]("8次") == 8
    assert LAWYER_CELLS["license_no"]('="16540201000000001"') == "16540201000000001"


@pytest.mark.parametrize(
    ("name", "cell", "advice"),
    [
        ("license_no", 1.6540201e16, "format the column as text"),
        ("status", "律师助理", "write 执业, 实习 or 停止执业"),
        ("languages", "火星语", "unknown language 火星语"),
        ("intern_end", "明年", "is not a date"),
    ],
)
def test_a_cell_that_cannot_be_read_says_what_to_write(name: str, cell: object, advice: str) -> None:
    with pytest.raises(CellError, match=advice):
        LAWYER_CELLS[name](cell)


@pytest.mark.parametrize(
    ("cell", "level"),
    [
        ("州/市中心", "prefecture"),
        ("县中心", "county"),
        ("乡镇", "township"),
        ("村(社区)服务室", "village"),
        ("12348热线", "hotline"),
    ],
)
def test_station_levels_are_read_from_their_chinese_names(cell: str, level: str) -> None:
    assert STATION_CELLS["level"](cell) == level
