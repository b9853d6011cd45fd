"""A roster as a workbook to print and post at the stations: a sheet per county (a column per station and
shift, a row per date, lawyers' names in the cells), the 12348 hotline on its own sheet."""

from __future__ import annotations

import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.roster.adapters.orm import AssignmentRow, DutyPatternRow, LawyerRow, RosterRow, StationRow
from services.roster.domain import rosters as lifecycle
from services.roster.domain.rosters import RosterStatus
from services.roster.service.calendar import load_calendar
from services.roster.service.rosters import as_roster
from services.roster.service.rows import in_chunks, load

LEVEL_LABELS = {
    "prefecture": "州/市中心",
    "county": "县中心",
    "township": "乡镇工作站",
    "village": "村(社区)服务室",
    "hotline": "12348热线",
}
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
    """ "伊宁县" from the county's (or prefecture's) centre "伊宁县公共法律服务中心"; else the fallback."""
    heads = sorted(
        (s for s in stations if s.level in ("prefecture", "county")),
        key=lambda s: (LEVEL_RANK[s.level], s.name),
    )
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


@dataclass
class _SheetData:
    """What every sheet of a roster's workbook reads from."""

    stations: dict[str, StationRow]
    ends: dict[tuple[str, str], str]  # (station, start time) -> end time
    cells: dict[tuple[str, str], dict[date, _Cell]]  # (station, start time) -> date -> cell
    days: list[date]
    calendar: Any


def roster_workbook(*, session: Session, roster_id: str) -> tuple[bytes, str, str]:
    """A generated roster as a workbook to print and post: a sheet per county (a column per station and shift, a
    row per date, lawyers' names in the cells), the hotline on its own sheet. Returns (bytes, filename, ASCII
    filename)."""
    roster = load(session, RosterRow, roster_id, "roster")
    lifecycle.check_exportable(as_roster(roster))
    assignments = list(session.scalars(select(AssignmentRow).where(AssignmentRow.roster_id == roster.id)))
    unfilled = [u for u in (roster.stats or {}).get("unfilled", []) if u.get("station_id") and u.get("date")]
    stations = _stations_by_id(
        session, {a.station_id for a in assignments} | {u["station_id"] for u in unfilled}
    )
    lawyers = _lawyers_by_id(session, {a.lawyer_id for a in assignments})
    regions = {s.region_code for s in stations.values() if s.level != "hotline"} | {roster.region_code}
    heads = _heads_by_region(session, regions)
    ends = _shift_ends(session, stations, assignments)
    cells = _cells(assignments, unfilled, stations, lawyers)

    days = [
        date.fromordinal(d) for d in range(roster.period_start.toordinal(), roster.period_end.toordinal() + 1)
    ]
    period = f"{_chinese_date(roster.period_start)}—{_chinese_date(roster.period_end)}"
    draft = "" if roster.status == RosterStatus.PUBLISHED else "（未发布）"
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    used: set[str] = set()
    sheet_data = _SheetData(
        stations=stations, ends=ends, cells=cells, days=days, calendar=load_calendar(session)
    )
    for group, keys in _sheet_groups(cells, stations):
        title, heading = _sheet_heading(group, heads)
        sheet = workbook.create_sheet(_sheet_title(title, used))
        _fill_sheet(sheet, f"{heading} {period}{draft}", keys, sheet_data)
    region = place_name(heads.get(roster.region_code, []), roster.region_code)
    if not workbook.worksheets:
        sheet = workbook.create_sheet(_sheet_title(region, used))
        sheet["A1"] = f"律师值班表 {period}{draft}：本期没有值班安排"
    buffer = io.BytesIO()
    workbook.save(buffer)
    first, last = roster.period_start.isoformat(), roster.period_end.isoformat()
    return (
        buffer.getvalue(),
        f"律师值班表_{region}_{first}至{last}.xlsx",
        f"roster-{roster.region_code}-{first}-to-{last}.xlsx",
    )


def _stations_by_id(session: Session, ids: set[str]) -> dict[str, StationRow]:
    stations: dict[str, StationRow] = {}
    for chunk in in_chunks(ids):
        stations.update(
            (s.id, s) for s in session.scalars(select(StationRow).where(StationRow.id.in_(chunk)))
        )
    return stations


def _lawyers_by_id(session: Session, ids: set[str]) -> dict[str, LawyerRow]:
    lawyers: dict[str, LawyerRow] = {}
    for chunk in in_chunks(ids):
        lawyers.update((r.id, r) for r in session.scalars(select(LawyerRow).where(LawyerRow.id.in_(chunk))))
    return lawyers


def _heads_by_region(session: Session, regions: set[str]) -> dict[str, list[StationRow]]:
    """The prefecture and county centres of these regions, which give a sheet its place name."""
    heads: dict[str, list[StationRow]] = defaultdict(list)
    for chunk in in_chunks(regions):
        for s in session.scalars(
            select(StationRow).where(
                StationRow.region_code.in_(chunk), StationRow.level.in_(("prefecture", "county"))
            )
        ):
            heads[s.region_code].append(s)
    return heads


def _shift_ends(
    session: Session, stations: dict[str, StationRow], assignments: list[AssignmentRow]
) -> dict[tuple[str, str], str]:
    """(station, start time) -> end time: from the stations' duty patterns, overridden by the assignments."""
    ends: dict[tuple[str, str], str] = {}
    for chunk in in_chunks(stations):
        for p in session.scalars(select(DutyPatternRow).where(DutyPatternRow.station_id.in_(chunk))):
            ends.setdefault((p.station_id, p.start_time), p.end_time)
    ends.update(((a.station_id, a.start_time), a.end_time) for a in assignments)
    return ends


def _cells(
    assignments: list[AssignmentRow],
    unfilled: list[dict[str, Any]],
    stations: dict[str, StationRow],
    lawyers: dict[str, LawyerRow],
) -> dict[tuple[str, str], dict[date, _Cell]]:
    """(station, start time) -> date -> who is on duty, and whether the shift is short of lawyers."""
    cells: dict[tuple[str, str], dict[date, _Cell]] = defaultdict(lambda: defaultdict(_Cell))
    for a in assignments:
        lawyer = lawyers.get(a.lawyer_id)
        cells[a.station_id, a.start_time][a.date].duties.append(
            (1 if a.role == "intern" else 0, lawyer.name if lawyer else a.lawyer_id)
        )
    for u in unfilled:
        if u["station_id"] in stations:
            cells[u["station_id"], u.get("start_time") or ""][date.fromisoformat(u["date"])].unfilled = True
    return cells


def _sheet_groups(
    cells: dict[tuple[str, str], dict[date, _Cell]], stations: dict[str, StationRow]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(region code or the hotline sheet, its shifts in column order), the regions in order, the hotline last."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in cells:
        station = stations[key[0]]
        groups[HOTLINE_SHEET if station.level == "hotline" else station.region_code].append(key)
    return [
        (
            group,
            sorted(groups[group], key=lambda k: (LEVEL_RANK[stations[k[0]].level], stations[k[0]].name, k)),
        )
        for group in sorted(groups, key=lambda g: (g == HOTLINE_SHEET, g))
    ]


def _sheet_heading(group: str, heads: dict[str, list[StationRow]]) -> tuple[str, str]:
    """(sheet title, heading above the table) of a region's sheet or the hotline's."""
    if group == HOTLINE_SHEET:
        return HOTLINE_SHEET, "12348公共法律服务热线 律师值班表"
    title = place_name(heads.get(group, []), group)
    heading = f"{title}（{group}）" if title != group else group
    return title, heading + " 公共法律服务律师值班表"


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


def _fill_sheet(sheet: Worksheet, title: str, keys: list[tuple[str, str]], data: _SheetData) -> None:
    """Title in row 1; station names in row 2 (one merged cell over a station's shifts), level and hours in row
    3; a row per date from row 4, the date and weekday in columns A and B."""
    last_column = 2 + len(keys)
    _title_row(sheet, title, last_column)
    shifts: dict[str, list[int]] = defaultdict(list)
    for offset, key in enumerate(keys):
        shifts[key[0]].append(3 + offset)
    widths = _shift_headers(sheet, keys, data)
    _station_headers(sheet, shifts, data.stations, widths)
    _style_headers(sheet, shifts, data.stations, widths, last_column)
    for index, day in enumerate(data.days):
        _day_row(sheet, 4 + index, day, keys, data, widths)
    _note_row(sheet, 4 + len(data.days) + 1, last_column)
    _page_setup(sheet, widths)


def _title_row(sheet: Worksheet, title: str, last_column: int) -> None:
    """The title across row 1; "date" and "weekday" heading columns A and B over rows 2 and 3."""
    _text_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
    sheet.row_dimensions[1].height = 28
    for column, text in ((1, "日期"), (2, "星期")):
        sheet.cell(2, column, text)
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)


def _shift_headers(sheet: Worksheet, keys: list[tuple[str, str]], data: _SheetData) -> dict[int, float]:
    """Each shift's level and hours in row 3; returns the column widths its texts need."""
    widths: dict[int, float] = {1: 11, 2: 14}
    for offset, (station_id, start) in enumerate(keys):
        column = 3 + offset
        station = data.stations[station_id]
        hours = f"{start}-{data.ends.get((station_id, start), '')}".strip("-")
        sheet.cell(3, column, f"{LEVEL_LABELS[station.level]} {hours}".strip())
        texts = [c.text() for c in data.cells[station_id, start].values()] + [
            LEVEL_LABELS[station.level] + " " + hours
        ]
        own = max((display_width(t) for t in texts), default=8)
        widths[column] = min(max(own + 2, 12), 30)
    return widths


def _station_headers(
    sheet: Worksheet, shifts: dict[str, list[int]], stations: dict[str, StationRow], widths: dict[int, float]
) -> None:
    """Each station's name in row 2 over its shifts' columns, which a long name widens (up to a point)."""
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


def _style_headers(
    sheet: Worksheet,
    shifts: dict[str, list[int]],
    stations: dict[str, StationRow],
    widths: dict[int, float],
    last_column: int,
) -> None:
    """Rows 2 and 3 bold on the header fill, row 2 tall enough for the longest wrapped station name."""
    name_lines = max(
        (
            math.ceil(display_width(stations[s].name) / max(sum(widths[c] for c in cs) - 1, 1))
            for s, cs in shifts.items()
        ),
        default=1,
    )
    sheet.row_dimensions[2].height = 16 * max(name_lines, 1) + 6
    sheet.row_dimensions[3].height = 20
    for row in (2, 3):
        for column in range(1, last_column + 1):
            cell = sheet.cell(row, column)
            cell.font, cell.fill, cell.alignment, cell.border = (
                Font(bold=True),
                _HEADER_FILL,
                _CENTRE,
                _BORDER,
            )


def _day_row(
    sheet: Worksheet,
    row: int,
    day: date,
    keys: list[tuple[str, str]],
    data: _SheetData,
    widths: dict[int, float],
) -> None:
    """A date's row: the date, its weekday (holiday or rest day shaded), who is on duty in each shift."""
    label, fill = _day_label(day, data.calendar)
    sheet.cell(row, 1, day).number_format = 'm"月"d"日"'
    sheet.cell(row, 2, label)
    lines = 1
    for offset, key in enumerate(keys):
        column = 3 + offset
        entry = data.cells[key].get(day)
        if entry is None:
            continue
        text = entry.text()
        cell = _text_cell(sheet, row, column, text)
        if entry.unfilled:
            cell.font = Font(color="C00000")
        lines = max(lines, math.ceil(display_width(text) / max(widths[column] - 1, 1)))
    last_column = 2 + len(keys)
    for column in range(1, last_column + 1):
        cell = sheet.cell(row, column)
        cell.alignment, cell.border = _CENTRE, _BORDER
        if fill is not None:
            cell.fill = fill
    sheet.row_dimensions[row].height = 15 * lines + 6


def _note_row(sheet: Worksheet, row: int, last_column: int) -> None:
    """The legend under the table."""
    sheet.cell(
        row,
        1,
        "注：“（实习）”为实习律师，与执业律师同班；“（空缺）”“（缺员）”为尚未排满的班次；"
        "浅红底为法定节假日，灰底为休息日。",
    )
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[row].height = 32


def _page_setup(sheet: Worksheet, widths: dict[int, float]) -> None:
    """Column widths, frozen headers, and A4 landscape one page wide with the headers on every page."""
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "2:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
    footer = sheet.oddFooter
    assert footer is not None  # a new sheet has its header/footer parts
    footer.center.text = "第 &P 页，共 &N 页"
