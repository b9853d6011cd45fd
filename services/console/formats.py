"""Dates and money as the console's users write them: 2026年12月1日 周二, ¥1,051.10."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CENT = Decimal("0.01")
BEIJING = ZoneInfo("Asia/Shanghai")  # the console's users read Beijing time


def as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def long_date(value: date | str | None, lang: str = "zh") -> str:
    """2026年12月1日 周二 (Chinese) or Tue 1 Dec 2026 (English); '' for none."""
    d = as_date(value)
    if d is None:
        return ""
    if lang == "en":
        return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.year}年{d.month}月{d.day}日 {WEEKDAYS_ZH[d.weekday()]}"


def month_title(year: int, month: int, lang: str = "zh") -> str:
    return f"{MONTHS_EN[month - 1]} {year}" if lang == "en" else f"{year}年{month}月"


def period_title(start: date, end: date, lang: str = "zh") -> str:
    """A roster's months: 2026年12月, or 2026年12月–2027年1月 when it spans more than one."""
    first = month_title(start.year, start.month, lang)
    if (start.year, start.month) == (end.year, end.month):
        return first
    return f"{first}–{month_title(end.year, end.month, lang)}"


def day_head(value: date, lang: str = "zh") -> str:
    """A grid column's head: the day and its weekday (1 周二)."""
    names = WEEKDAYS_EN if lang == "en" else WEEKDAYS_ZH
    return f"{value.day} {names[value.weekday()]}"


def timestamp(value: str | datetime | None, lang: str = "zh") -> str:
    """A moment as its Beijing date and HH:MM (the API gives ISO 8601; one without an offset is UTC)."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    moment = moment.astimezone(BEIJING)
    return f"{long_date(moment.date(), lang)} {moment:%H:%M}"


def money(value: Decimal | str | int | None) -> str:
    """¥1,051.10 from the API's decimal string; '' for none. Never through a float."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def share(part: Decimal | str | None, whole: Decimal | str | None) -> float:
    """part / whole between 0 and 1, for a <meter> (0 when whole is 0 or missing)."""
    try:
        p, w = Decimal(str(part)), Decimal(str(whole))
    except (InvalidOperation, TypeError):
        return 0.0
    if w <= 0:
        return 0.0
    return float(min(max(p / w, Decimal(0)), Decimal(1)))
