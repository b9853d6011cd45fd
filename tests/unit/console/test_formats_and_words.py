"""How the console writes dates, money and the calendar's days, and that every message has its Chinese."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.common.clientaddr import vouch, vouched
from services.console import formats
from services.console.views.scheduler import DayKind, covers, lawyers_load

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"


def test_a_date_is_written_as_chinese_users_write_it_with_its_weekday() -> None:
    assert formats.long_date("2026-12-01") == "2026年12月1日 周二"
    assert formats.long_date(date(2026, 10, 4)) == "2026年10月4日 周日"
    assert formats.long_date("2026-12-01", "en") == "Tue 1 Dec 2026"


def test_a_moment_is_shown_in_beijing_time() -> None:
    assert formats.timestamp("2026-11-30T10:26:00+00:00") == "2026年11月30日 周一 18:26"
    assert formats.timestamp("2026-11-30T20:00:00") == "2026年12月1日 周二 04:00"
    assert formats.timestamp(None) == ""


def test_money_has_the_yuan_sign_thousands_separators_and_two_places() -> None:
    assert formats.money("1051.1") == "¥1,051.10"
    assert formats.money(Decimal("1234567.005")) == "¥1,234,567.01"
    assert formats.money("0") == "¥0.00"
    assert formats.money("-5.5") == "-¥5.50"
    assert formats.money(None) == ""


def test_a_budget_share_stays_between_nothing_and_all() -> None:
    assert formats.share("80.00", "100.00") == 0.8
    assert formats.share("120", "100") == 1.0
    assert formats.share("5", "0") == 0.0


def test_a_prefecture_covers_its_counties_and_a_county_only_itself() -> None:
    assert covers("654000", "654021")
    assert covers("650000", "654021")
    assert not covers("654000", "653101")
    assert covers("654021", "654021")
    assert not covers("654021", "654023")


def test_the_official_calendar_marks_holidays_rest_days_and_adjusted_working_days() -> None:
    kinds = DayKind(holidays={date(2026, 10, 1)}, workdays={date(2026, 9, 27)})
    assert kinds.of(date(2026, 10, 1)) == "holiday"
    assert kinds.of(date(2026, 9, 27)) == "adjusted"  # a Sunday worked (调休)
    assert kinds.of(date(2026, 10, 10)) == "rest"  # a Saturday
    assert kinds.of(date(2026, 10, 12)) == "work"


def test_a_lawyers_burden_weighs_rest_days_double_and_holidays_triple() -> None:
    kinds = DayKind(holidays={date(2026, 10, 1)}, workdays=set())
    duties = [{"lawyer_id": "a", "date": d} for d in ("2026-10-01", "2026-10-10", "2026-10-12")]
    duties.append({"lawyer_id": "b", "date": "2026-10-12"})
    rows = lawyers_load(duties, {"a": {"id": "a", "name": "甲"}, "b": {"id": "b", "name": "乙"}}, kinds)
    assert [(r.lawyer["name"], r.duties, r.weekend_holiday, r.burden) for r in rows] == [
        ("甲", 3, 2, 6),
        ("乙", 1, 0, 1),
    ]


def test_every_message_of_the_console_has_its_chinese() -> None:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    used = {
        msg
        for _f, _l, msg, _c, _ctx in extract_from_dir(
            str(CONSOLE), method_map, keywords={"_": None, "gettext": None}
        )
        if msg
    }
    with (CONSOLE / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(io.BytesIO(po.read()), locale="zh")
    translated = {m.id for m in catalogue if m.id and m.string}
    assert used, "no messages found: the extraction itself is broken"
    assert not used - translated, f"messages without Chinese: {sorted(used - translated)}"


def test_the_gateway_believes_a_client_address_only_when_the_console_vouched_for_it() -> None:
    header = vouch("198.51.100.7", secret="s" * 40)
    assert vouched(header, secret="s" * 40) == "198.51.100.7"
    assert vouched(header, secret="t" * 40) is None
    assert vouched("198.51.100.8 " + header.split(" ")[1], secret="s" * 40) is None
    assert vouched("198.51.100.7", secret="s" * 40) is None
    assert vouched(None, secret="s" * 40) is None
