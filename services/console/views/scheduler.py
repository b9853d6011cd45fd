"""The scheduler's pages: rosters and their month grid, generation and publishing, the lawyers' load,
the burden ledger over months (fairness), what waits for approval, reassigning a duty (its ranked
substitutes), replanning a published roster (preview, then apply), a roster's cost before publishing, master
data and its spreadsheet imports, and the grid's print view."""

from __future__ import annotations

import calendar as monthcal
import functools
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.console import formats
from services.console.apiwords import message as api_words
from services.console.gatewayapi import ApiError
from services.console.pages import (
    act,
    back_to,
    call,
    chosen_file,
    every,
    index_by,
    login_required,
    problem_text,
    raise_unless_shown,
    together,
    upload,
)
from services.console.views.gridcells import RowWriter

bp = Blueprint("scheduler", __name__, url_prefix="/scheduler")
KEEPERS = ("scheduler", "admin")
LEVELS = ("prefecture", "county", "township", "village", "hotline")
BUSY = ("queued", "generating")


def covers(region: str, code: str) -> bool:
    """654000 covers 6540xx, 650000 covers 65xxxx, a county code only itself."""
    prefix = region.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)  # keep whole pairs: 654000 -> 6540
    return code.startswith(prefix)


@dataclass
class DayKind:
    """How the official calendar marks a day: a working day, a rest day, a holiday, or a 调休 working day."""

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)

    def of(self, day: date) -> str:
        if day in self.holidays:
            return "holiday"
        if day in self.workdays and day.weekday() >= 5:
            return "adjusted"
        if day.weekday() >= 5 and day not in self.workdays:
            return "rest"
        return "work"

    def burden(self, day: date) -> int:
        """The Labour Law multiples: working day 1, rest day 2, statutory holiday 3."""
        return {"holiday": 3, "rest": 2}.get(self.of(day), 1)


def day_kinds(start: date, end: date) -> DayKind:
    kinds = DayKind()
    for year in range(start.year, end.year + 1):
        try:
            cal = call("GET", f"/api/roster/calendar/{year}")
        except ApiError as exc:
            raise_unless_shown(exc)
            continue
        kinds.holidays |= {date.fromisoformat(d) for d in cal.get("holidays", [])}
        kinds.workdays |= {date.fromisoformat(d) for d in cal.get("workdays", [])}
    return kinds


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@bp.get("/rosters")
@login_required(*KEEPERS)
def rosters() -> str:
    status = request.args.get("status") or None
    page = call("GET", "/api/roster/rosters", params={"status": status, "limit": 100})
    today = date.today()
    first = today.replace(day=1) + timedelta(days=32)
    first = first.replace(day=1)
    last = first.replace(day=monthcal.monthrange(first.year, first.month)[1])
    return render_template(
        "scheduler/rosters.html",
        page=page,
        status=status,
        suggested={"start": first.isoformat(), "end": last.isoformat()},
    )


@bp.post("/rosters")
@login_required(*KEEPERS)
def create_roster() -> Response:
    body = {
        "region_code": request.form.get("region_code", "").strip(),
        "period_start": request.form.get("period_start", ""),
        "period_end": request.form.get("period_end", ""),
    }
    try:
        roster = call("POST", "/api/roster/rosters", body=body)
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc), "error")
        return redirect(url_for("scheduler.rosters"))
    flash(_("Roster created; generate it when the master data is ready."), "ok")
    return redirect(url_for("scheduler.roster", roster_id=roster["id"]))


@dataclass
class Grid:
    """A roster as stations x days: each cell the duties of that station and day, and what stayed open."""

    days: list[date]
    stations: list[Mapping[str, Any]]
    cells: dict[tuple[str, date], list[Mapping[str, Any]]]
    unfilled: dict[tuple[str, date], list[Mapping[str, Any]]]
    kinds: DayKind
    regions: list[str]


def build_grid(
    roster: Mapping[str, Any],
    assignments: Iterable[Mapping[str, Any]],
    stations: Iterable[Mapping[str, Any]],
    kinds: DayKind,
    *,
    region: str | None,
    level: str | None,
) -> Grid:
    start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
    mine = [s for s in stations if covers(roster["region_code"], s["region_code"])]
    regions = sorted({s["region_code"] for s in mine})
    shown = [
        s for s in mine if (not region or s["region_code"] == region) and (not level or s["level"] == level)
    ]
    shown.sort(
        key=lambda s: (s["region_code"], LEVELS.index(s["level"]) if s["level"] in LEVELS else 9, s["name"])
    )
    ids = {s["id"] for s in shown}
    cells: dict[tuple[str, date], list[Mapping[str, Any]]] = defaultdict(list)
    for a in assignments:
        if a["station_id"] in ids:
            cells[(a["station_id"], date.fromisoformat(a["date"]))].append(a)
    for duties in cells.values():
        duties.sort(key=lambda a: (a["start_time"], a["role"]))
    unfilled: dict[tuple[str, date], list[Mapping[str, Any]]] = defaultdict(list)
    for u in (roster.get("stats") or {}).get("unfilled", []):
        if u["station_id"] in ids:
            unfilled[(u["station_id"], date.fromisoformat(u["date"]))].append(u)
    return Grid(days_between(start, end), shown, cells, unfilled, kinds, regions)


SEGMENT_SAFE = "!$&'()*+,/:;=@"  # as werkzeug's string converter quotes a path segment
QUERY_SAFE = "!$'()*,/:;?@"  # as werkzeug encodes a query


def duty_links(roster_id: str) -> Callable[[Mapping[str, Any]], str]:
    """A duty's address in the grid (its page, with the way back), as url_for writes it, routed once a page:
    a county's grid has thousands of duties, and url_for for each took most of the page's time."""
    prefix = url_for("scheduler.assignment", roster_id=roster_id, assignment_id="-")[:-1]
    back = urlencode([("next", request.full_path)], safe=QUERY_SAFE)

    @functools.cache  # a grid's duties share a hundred stations and thirty days
    def pair(name: str, value: str) -> str:
        return urlencode([(name, value)], safe=QUERY_SAFE)

    def link(duty: Mapping[str, Any]) -> str:
        query = f"{pair('station', duty['station_id'])}&{pair('date', duty['date'])}&{back}"
        return f"{prefix}{quote(str(duty['id']), safe=SEGMENT_SAFE)}?{query}"

    return link


def _roster_page(roster_id: str, template: str) -> str:
    region, level = request.args.get("region") or None, request.args.get("level") or None

    def roster_and_its_context() -> tuple[dict[str, Any], list[dict[str, Any]], DayKind]:
        roster = call("GET", f"/api/roster/rosters/{roster_id}")
        start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
        # a county's roster needs only its own stations (a county code covers itself alone)
        own = {"region_code": roster["region_code"]} if not roster["region_code"].endswith("00") else None
        stations, kinds = together(lambda: every("/api/roster/stations", own), lambda: day_kinds(start, end))
        return roster, stations, kinds

    # the duties (the longest read) do not wait for the roster: all three start at once
    (roster, stations, kinds), assignments, lawyers = together(
        roster_and_its_context,
        lambda: every(f"/api/roster/rosters/{roster_id}/assignments"),
        lambda: every("/api/roster/lawyers"),
    )
    if roster["status"] in BUSY:  # duties being written by the generation are not shown
        assignments = []
    start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
    grid = build_grid(roster, assignments, stations, kinds, region=region, level=level)
    writer = RowWriter(
        grid.days,
        kinds.of,
        {str(lw["id"]): lw["name"] for lw in lawyers},
        duty_links(roster_id),
        _("unfilled"),
    )
    return render_template(
        template,
        roster=roster,
        grid=grid,
        row_cells=lambda station_id: writer.row(station_id, grid.cells, grid.unfilled),
        region=region,
        level=level,
        levels=LEVELS,
        day_head=lambda d: formats.day_head(d, _lang()),
        month=formats.period_title(start, end, _lang()),
        busy=BUSY,
    )


def _lang() -> str:
    return str(g.get("lang", "zh"))


@bp.get("/rosters/<roster_id>")
@login_required(*KEEPERS)
def roster(roster_id: str) -> str:
    return _roster_page(roster_id, "scheduler/roster.html")


@bp.get("/rosters/<roster_id>/print")
@login_required(*KEEPERS)
def print_roster(roster_id: str) -> str:
    return _roster_page(roster_id, "scheduler/print.html")


@bp.get("/rosters/<roster_id>/progress")
@login_required(*KEEPERS)
def progress(roster_id: str) -> Response:
    roster = call("GET", f"/api/roster/rosters/{roster_id}")
    return jsonify(
        {
            "status": roster["status"],
            "progress": roster.get("progress") or 0,
            "busy": roster["status"] in BUSY,
        }
    )


@bp.post("/rosters/<roster_id>/generate")
@login_required(*KEEPERS)
def generate(roster_id: str) -> Response:
    return act(
        "POST",
        f"/api/roster/rosters/{roster_id}/generate",
        done=_("Generation started; the grid appears when it is done."),
        back=url_for("scheduler.roster", roster_id=roster_id),
    )


@bp.post("/rosters/<roster_id>/publish")
@login_required(*KEEPERS)
def publish(roster_id: str) -> Response:
    return act(
        "POST",
        f"/api/roster/rosters/{roster_id}/publish",
        done=_("Roster published; lawyers are told."),
        back=url_for("scheduler.roster", roster_id=roster_id),
    )


@dataclass(frozen=True)
class Load:
    lawyer: Mapping[str, Any]
    duties: int
    weekend_holiday: int
    burden: int


def lawyers_load(
    assignments: Iterable[Mapping[str, Any]], lawyers: Mapping[str, Mapping[str, Any]], kinds: DayKind
) -> list[Load]:
    duties: Counter[str] = Counter()
    off: Counter[str] = Counter()
    burden: Counter[str] = Counter()
    for a in assignments:
        day = date.fromisoformat(a["date"])
        duties[a["lawyer_id"]] += 1
        burden[a["lawyer_id"]] += kinds.burden(day)
        if kinds.of(day) in ("rest", "holiday"):
            off[a["lawyer_id"]] += 1
    rows = [
        Load(lawyers.get(i) or {"id": i, "name": i, "region_code": ""}, n, off[i], burden[i])
        for i, n in duties.items()
    ]
    rows.sort(key=lambda r: (-r.burden, -r.duties, str(r.lawyer.get("name"))))
    return rows


@bp.get("/rosters/<roster_id>/load")
@login_required(*KEEPERS)
def load(roster_id: str) -> str:
    roster = call("GET", f"/api/roster/rosters/{roster_id}")
    assignments = (
        every(f"/api/roster/rosters/{roster_id}/assignments") if roster["status"] not in BUSY else []
    )
    lawyers = index_by(every("/api/roster/lawyers"))
    start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
    rows = lawyers_load(assignments, lawyers, day_kinds(start, end))
    top = max((r.burden for r in rows), default=0)
    return render_template(
        "scheduler/load.html",
        roster=roster,
        rows=rows,
        top=top,
        ledger_to=roster["period_end"][:7],
        ledger_from=last_twelve_months(date.fromisoformat(roster["period_end"]))[0],
    )


def find_duty(roster_id: str, assignment_id: str) -> dict[str, Any]:
    """One duty of a roster, looked up in the roster's assignments (narrowed by the station and date the
    grid's link carries)."""
    hints = {"station_id": request.args.get("station") or None, "date": request.args.get("date") or None}
    for params in (hints, {}):
        for duty in every(f"/api/roster/rosters/{roster_id}/assignments", params):
            if duty["id"] == assignment_id:
                return duty
    abort(404)
    return None


@bp.get("/rosters/<roster_id>/duties/<assignment_id>")
@login_required(*KEEPERS)
def assignment(roster_id: str, assignment_id: str) -> str:
    duty = find_duty(roster_id, assignment_id)
    station = call("GET", f"/api/roster/stations/{duty['station_id']}")
    lawyers = every("/api/roster/lawyers", {"status": "practising"})
    candidates = sorted(
        (
            lw
            for lw in lawyers
            if station["level"] == "hotline" or lw["region_code"] == station["region_code"]
        ),
        key=lambda lw: lw["name"],
    )
    current = index_by(every("/api/roster/lawyers")).get(duty["lawyer_id"])
    substitutes, why_none = duty_substitutes(assignment_id)
    return render_template(
        "scheduler/assignment.html",
        duty=duty,
        station=station,
        candidates=candidates,
        current=current,
        substitutes=substitutes,
        why_none=why_none,
        next=back_to(url_for("scheduler.roster", roster_id=roster_id)),
    )


SUBSTITUTES_SHOWN = 20


def duty_substitutes(assignment_id: str) -> tuple[list[dict[str, Any]], str]:
    """Who could take the duty without breaking a rule, best first (the API ranks them), or why nobody can
    (a past or checked-in duty)."""
    try:
        page = call(
            "GET", f"/api/roster/assignments/{assignment_id}/substitutes", params={"limit": SUBSTITUTES_SHOWN}
        )
    except ApiError as exc:
        raise_unless_shown(exc)
        return [], problem_text(exc)
    return list(page.get("items", []) if isinstance(page, dict) else page), ""


@bp.post("/rosters/<roster_id>/duties/<assignment_id>/reassign")
@login_required(*KEEPERS)
def reassign(roster_id: str, assignment_id: str) -> Response:
    return act(
        "POST",
        f"/api/roster/assignments/{assignment_id}/reassign",
        body={"lawyer_id": request.form.get("lawyer_id", "")},
        done=_("Duty reassigned."),
        back=back_to(url_for("scheduler.roster", roster_id=roster_id)),
    )


@bp.get("/waiting")
@login_required(*KEEPERS)
def waiting() -> str:
    swaps = call("GET", "/api/roster/swaps", params={"status": "pending", "limit": 200})
    leaves = call("GET", "/api/roster/leaves", params={"limit": 200})
    lawyers = index_by(every("/api/roster/lawyers"))
    today = date.today().isoformat()
    current = [lv for lv in leaves["items"] if not lv.get("cancelled") and lv["end_date"] >= today]
    return render_template("scheduler/waiting.html", swaps=swaps, leaves=current, lawyers=lawyers)


@bp.post("/swaps/<swap_id>/<decision>")
@login_required(*KEEPERS)
def decide_swap(swap_id: str, decision: str) -> Response:
    if decision not in ("approve", "decline"):
        abort(404)
    body = {"reason": request.form.get("reason") or None} if decision == "decline" else None
    done = _("Swap approved.") if decision == "approve" else _("Swap declined.")
    return act(
        "POST",
        f"/api/roster/swaps/{swap_id}/{decision}",
        body=body,
        done=done,
        back=url_for("scheduler.waiting"),
    )


def language_names() -> dict[str, str]:
    """Each language code in use in the region, named in the page's language (维吾尔语, Uyghur)."""
    try:
        languages = call("GET", "/api/roster/languages")
    except ApiError as exc:
        raise_unless_shown(exc)
        return {}
    items = languages.get("items", []) if isinstance(languages, dict) else languages
    key = "name_en" if _lang() == "en" else "name_zh"
    return {lang["code"]: lang.get(key) or lang.get("name_en") or lang["code"] for lang in items}


@bp.get("/lawyers")
@login_required(*KEEPERS)
def lawyers(bad: list[BadRow] | None = None) -> str:
    params = {k: request.args.get(k) or None for k in ("q", "region_code", "status")}
    offset = _offset()
    page = call("GET", "/api/roster/lawyers", params={**params, "limit": 50, "offset": offset})
    return render_template(
        "scheduler/lawyers.html",
        page=page,
        params=params,
        offset=offset,
        limit=50,
        language_names=language_names(),
        bad=bad,
    )


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def last_twelve_months(today: date) -> tuple[str, str]:
    """The fairness view's default range: the twelve months up to this one (2025-12 to 2026-11)."""
    months = today.year * 12 + today.month - 1 - 11
    return f"{months // 12:04d}-{months % 12 + 1:02d}", f"{today.year:04d}-{today.month:02d}"


@bp.get("/fairness")
@login_required(*KEEPERS)
def fairness() -> str:
    """The burden ledger of published rosters over months: per lawyer duties, weekend and holiday duties and
    burden as bars (scaled by the time not on leave), and how even it is (balance, 1 = even)."""
    start, end = last_twelve_months(date.today())
    region = (request.args.get("region_code") or "").strip()
    chosen = {
        "region_code": region,
        "from": request.args.get("from") or start,
        "to": request.args.get("to") or end,
    }
    ledger = None
    if region:
        if not (MONTH.match(chosen["from"]) and MONTH.match(chosen["to"])):
            flash(_("Months are written YYYY-MM."), "error")
        else:
            try:
                ledger = call("GET", "/api/roster/fairness", params={**chosen, "limit": 1000})
            except ApiError as exc:
                if exc.status not in (400, 422):
                    raise
                flash(problem_text(exc), "error")
    items = (ledger or {}).get("items", [])
    top = max((float(i.get("scaled_burden") or i.get("burden") or 0) for i in items), default=0.0)
    return render_template(
        "scheduler/fairness.html",
        chosen=chosen,
        ledger=ledger,
        items=items,
        top=top or 1.0,
        months=lambda m: formats.month_title(int(m[:4]), int(m[5:7]), _lang()),
    )


@bp.get("/stations")
@login_required(*KEEPERS)
def stations(bad: list[BadRow] | None = None) -> str:
    params = {k: request.args.get(k) or None for k in ("region_code", "level")}
    q = (request.args.get("q") or "").strip()
    items = every("/api/roster/stations", params)
    if q:
        items = [s for s in items if q in s["name"] or q in (s.get("address") or "")]
    return render_template(
        "scheduler/stations.html",
        items=items,
        params=params,
        q=q,
        levels=LEVELS,
        bad=bad,
    )


@bp.get("/calendar")
@bp.get("/calendar/<int:year>")
@login_required(*KEEPERS)
def calendar_year(year: int | None = None) -> str:
    year = year or date.today().year
    cal = call("GET", f"/api/roster/calendar/{year}")
    return render_template("scheduler/calendar.html", cal=cal, year=year)


def _dates(raw: str) -> list[str]:
    """Dates typed one a line, or separated by commas or spaces."""
    return [part for part in raw.replace(",", " ").replace("，", " ").split() if part]


@bp.post("/calendar/<int:year>")
@login_required(*KEEPERS)
def put_calendar(year: int) -> Response:
    body = {
        "holidays": _dates(request.form.get("holidays", "")),
        "workdays": _dates(request.form.get("workdays", "")),
    }
    return act(
        "PUT",
        f"/api/roster/calendar/{year}",
        body=body,
        done=_("The year's arrangement is saved."),
        back=url_for("scheduler.calendar_year", year=year),
    )


def _offset() -> int:
    raw = request.args.get("offset", "0")
    return int(raw) if raw.isdigit() else 0


# ------------------------------------------------------------------------------------------------ replan


def _replan_dates(roster: Mapping[str, Any]) -> str:
    """The replan form's first date: tomorrow, kept within the roster's period."""
    start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
    return min(max(date.today() + timedelta(days=1), start), end).isoformat()


def _names() -> tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    """Stations and lawyers by id, to name them instead of showing ids."""
    return index_by(every("/api/roster/stations")), index_by(every("/api/roster/lawyers"))


def replan_digest(answer: Mapping[str, Any]) -> str:
    """A fingerprint of a replan's answer, equal for a preview and the real replan that makes the same changes
    (a new duty has an id only once it is stored, so new duties are compared without it)."""
    changes = sorted(
        (
            {**c, "assignment_id": c.get("assignment_id") if c.get("from_lawyer_id") else None}
            for c in answer.get("changes", [])
        ),
        key=lambda c: json.dumps(c, sort_keys=True),
    )
    unfilled = sorted(answer.get("unfilled", []), key=lambda u: json.dumps(u, sort_keys=True))
    text = json.dumps({"changes": changes, "unfilled": unfilled}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _replan_page(roster: Mapping[str, Any], chosen: Mapping[str, str], **answers: Any) -> str:
    stations, lawyers = _names() if any(answers.values()) else ({}, {})
    return render_template(
        "scheduler/replan.html",
        roster=roster,
        chosen=chosen,
        stations=stations,
        lawyers=lawyers,
        digest=replan_digest(answers["preview"]) if answers.get("preview") else "",
        **answers,
    )


@bp.get("/rosters/<roster_id>/replan")
@login_required(*KEEPERS)
def replan(roster_id: str) -> str:
    """The replan form; with a from_date, the preview (the API's dry run): what would change, nothing stored."""
    roster = call("GET", f"/api/roster/rosters/{roster_id}")
    chosen = {
        "from_date": request.args.get("from_date") or _replan_dates(roster),
        "reason": request.args.get("reason") or "",
    }
    preview = None
    if request.args.get("from_date"):
        body = {"from_date": chosen["from_date"], "reason": chosen["reason"] or None, "dry_run": True}
        try:
            preview = call("POST", f"/api/roster/rosters/{roster_id}/replan", body=body)
        except ApiError as exc:
            raise_unless_shown(exc)
            flash(problem_text(exc), "error")
    return _replan_page(roster, chosen, preview=preview)


@bp.post("/rosters/<roster_id>/replan")
@login_required(*KEEPERS)
def apply_replan(roster_id: str) -> Response | str:
    """Replan for real, with the previewed from_date and reason; the page shows what changed, and says so when
    it is not what the preview showed (someone changed the roster in between)."""
    chosen = {"from_date": request.form.get("from_date", ""), "reason": request.form.get("reason", "")}
    body = {"from_date": chosen["from_date"], "reason": chosen["reason"] or None}
    try:
        applied = call("POST", f"/api/roster/rosters/{roster_id}/replan", body=body)
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc), "error")
        return redirect(
            url_for(
                "scheduler.replan",
                roster_id=roster_id,
                from_date=chosen["from_date"],
                reason=chosen["reason"] or None,
            )
        )
    roster = call("GET", f"/api/roster/rosters/{roster_id}")
    differs = request.form.get("digest", "") != replan_digest(applied)
    return _replan_page(roster, chosen, applied=applied, differs=differs)


# ------------------------------------------------------------------------------------------------ cost


@dataclass
class RegionCost:
    region_code: str
    year: int | None
    total: Decimal = Decimal("0")
    duties: int = 0
    unpriced: int = 0
    budget_remaining: Decimal | None = None

    @property
    def over(self) -> bool:
        return self.budget_remaining is not None and self.total > self.budget_remaining


def planned_duties(
    assignments: Iterable[Mapping[str, Any]], stations: Mapping[str, Mapping[str, Any]], kinds: DayKind
) -> list[dict[str, Any]]:
    """A roster's duties as the estimates API prices them (region and level from the station; a rest day or
    holiday by the roster's calendar)."""
    duties = []
    for a in assignments:
        station = stations.get(a["station_id"])
        if station is None:
            continue
        duties.append(
            {
                "region_code": station["region_code"],
                "station_level": station["level"],
                "date": a["date"],
                "start_time": a["start_time"],
                "end_time": a["end_time"],
                "holiday": kinds.of(date.fromisoformat(a["date"])) in ("rest", "holiday"),
            }
        )
    return duties


ESTIMATE_CAP = 20_000  # duties in one call of POST /api/subsidy/estimates


def estimate(duties: list[dict[str, Any]]) -> tuple[Decimal, list[RegionCost]]:
    """The cost of the duties, asked in chunks the API accepts and summed (Decimal) per region and year."""
    total = Decimal("0")
    regions: dict[tuple[str, int | None], RegionCost] = {}
    for first in range(0, len(duties), ESTIMATE_CAP):
        answer = call("POST", "/api/subsidy/estimates", body={"duties": duties[first : first + ESTIMATE_CAP]})
        total += Decimal(str(answer["total"]))
        for item in answer["by_region"]:
            key = (item["region_code"], item.get("year"))
            cost = regions.setdefault(key, RegionCost(*key))
            cost.total += Decimal(str(item["total"]))
            cost.duties += int(item.get("duties") or 0)
            cost.unpriced += int(item.get("unpriced") or 0)
            if item.get("budget_remaining") is not None:
                cost.budget_remaining = Decimal(str(item["budget_remaining"]))
    return total, sorted(regions.values(), key=lambda r: (r.region_code, r.year or 0))


@bp.get("/rosters/<roster_id>/cost")
@login_required(*KEEPERS)
def cost(roster_id: str) -> str:
    """What a roster's duties would cost in station-duty subsidies, per region beside its budget's remainder:
    a page of its own, so the grid does not wait for the estimate."""
    roster = call("GET", f"/api/roster/rosters/{roster_id}")
    assignments = (
        every(f"/api/roster/rosters/{roster_id}/assignments") if roster["status"] not in BUSY else []
    )
    start, end = date.fromisoformat(roster["period_start"]), date.fromisoformat(roster["period_end"])
    duties = planned_duties(assignments, index_by(every("/api/roster/stations")), day_kinds(start, end))
    total = Decimal("0")
    regions: list[RegionCost] = []
    if duties:
        try:
            total, regions = estimate(duties)
        except ApiError as exc:
            raise_unless_shown(exc)
            flash(problem_text(exc), "error")
    return render_template(
        "scheduler/cost.html",
        roster=roster,
        duties=len(duties),
        total=total,
        regions=regions,
        over=[r for r in regions if r.over],
        month=formats.period_title(start, end, _lang()),
    )


# ------------------------------------------------------------------------------------------------ imports

IMPORT_MODES = ("create", "upsert")
ROW_ERROR = re.compile(r"^row (\d+)(?:\.(\w+))?$")


@dataclass(frozen=True)
class BadRow:
    row: int | None
    field: str
    reasons: list[str]


def bad_rows(errors: Mapping[str, list[str]]) -> list[BadRow]:
    """An import's refusal as rows: `row 7.license_no` is row 7's licence number; `file` or a header stands
    alone (row None)."""
    rows = []
    for key, reasons in errors.items():
        match = ROW_ERROR.match(key)
        if match:
            rows.append(BadRow(int(match.group(1)), match.group(2) or "", list(reasons)))
        else:
            rows.append(BadRow(None, key, list(reasons)))
    rows.sort(key=lambda r: (r.row is not None, r.row or 0))
    return rows


def send_import(kind: str) -> list[BadRow] | None:
    """Send the chosen file to the import API and flash what it did; the bad rows when it refused them."""
    file = chosen_file()
    if file is None:
        flash(_("Choose a file to import."), "error")
        return None
    mode = request.form.get("mode") if request.form.get("mode") in IMPORT_MODES else "create"
    try:
        result = upload(f"/api/roster/imports/{kind}", file, {"mode": mode})
    except ApiError as exc:
        raise_unless_shown(exc)
        flash(problem_text(exc) if exc.status != 422 or not exc.errors else api_words(exc.detail), "error")
        return bad_rows(exc.errors) if exc.status == 422 else None
    flash(
        _(
            "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=result.get("created", 0),
            updated=result.get("updated", 0),
            unchanged=result.get("unchanged", 0),
        ),
        "ok",
    )
    if result.get("ignored_columns"):
        flash(_("Columns not read: %(names)s", names=", ".join(result["ignored_columns"])), "warn")
    return None


@bp.post("/lawyers/import")
@login_required(*KEEPERS)
def import_lawyers() -> Response | tuple[str, int]:
    bad = send_import("lawyers")
    if bad:
        return lawyers(bad=bad), 422
    return redirect(url_for("scheduler.lawyers"))


@bp.post("/stations/import")
@login_required(*KEEPERS)
def import_stations() -> Response | tuple[str, int]:
    bad = send_import("stations")
    if bad:
        return stations(bad=bad), 422
    return redirect(url_for("scheduler.stations"))
