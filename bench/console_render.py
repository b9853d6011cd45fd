"""The console's server time: the scheduler's month grid and the finance claims queue, beside the API calls
that feed them, measured in the same run.

Starts the whole system as `make run` does (tests/e2e/stack.py: free ports, a temporary data directory, the
demo prefecture loaded, two web workers per service), then makes through the API:

- a county (654022) of ~100 stations (a county centre, townships, village posts, each with a working-day
  duty) and ~300 lawyers, and its December roster, generated and published;
- 10,000 pending case claims, through the subsidy service's own bulk path (`submit_claims_in_bulk`, priced,
  audited and announced as an import would be) into the stack's subsidy database, for the demo's lawyers;

logs in to the console as a scheduler and as a finance user (GET /login for the CSRF token, POST /login, the
session cookie kept), and times, alternating page and API so both see the same machine:

- `county_grid`: `GET /scheduler/rosters/<county roster>` vs the calls that page makes to the API (the
  roster, every page of its assignments, of the county's stations and of the lawyers, the year's calendar,
  one after another: the sum of the API's work, where the page asks for all but the roster at once);
- `prefecture_grid`: the same for the demo prefecture's roster (measured before the county is added, so
  it is the demo prefecture as `make run` loads it);
- `finance_queue`: `GET /finance/claims` (pending, first page of 100) vs `GET /api/subsidy/claims?status=
  pending&sort=-service_date&limit=100&offset=0`.

Every request goes through the gateway, as a browser's does; `page_direct` is the same page straight from
the console's port (the gateway's proxying left out). Prints one JSON document (p50/p95 in ms over
`--requests` each, the machine, load average at start and end, whether the goal is met: p95 < 300 ms for
the county grid and the queue) and writes it to bench/results/console_render.json.

    python -m bench.console_render [--requests 50] [--claims 10000] [--stations 100] [--lawyers 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.stack import Stack  # noqa: E402

PASSWORD = "console-bench-password"
COUNTY = "654022"  # 察布查尔锡伯自治县: an Ili county the demo prefecture leaves out
MONTH = (date(2026, 12, 1), date(2026, 12, 31))
GOAL_P95_MS = 300.0
GOAL_PAGES = ("county_grid", "finance_queue")
MAX_PAGE = 1000
QUEUE_FIRST_PAGE: dict[str, str | int] = {
    "status": "pending",
    "sort": "-service_date",
    "limit": 100,
    "offset": 0,
}  # what /finance/claims asks (the page also lists the schemes once, to offer grading where one asks)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def summary(ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


# ---- setting up through the API ---------------------------------------------------------------------------


def api_session(stack: Stack, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token(username, password)}"
    return session


def post(session: requests.Session, url: str, body: Any) -> dict[str, Any]:
    response = session.post(url, json=body, timeout=60)
    if response.status_code >= 300:
        raise RuntimeError(f"POST {url}: {response.status_code} {response.text[:500]}")
    return dict(response.json()) if response.content else {}


def make_county(api: str, scheduler: requests.Session, stations: int, lawyers: int) -> None:
    """A county centre, a fifth of the stations townships, the rest village posts; a duty every working day
    at each; lawyers enough to staff most of it (8 duties a month each)."""
    centre = post(
        scheduler,
        api + "/roster/stations",
        {"name": "察布查尔县公共法律服务中心", "level": "county", "region_code": COUNTY},
    )
    for n in range(1, stations):
        level = "township" if n <= stations // 5 else "village"
        station = post(
            scheduler,
            api + "/roster/stations",
            {
                "name": f"察布查尔第{n:03d}{'工作站' if level == 'township' else '服务室'}",
                "level": level,
                "region_code": COUNTY,
                "parent_id": centre["id"],
            },
        )
        post(
            scheduler,
            api + "/roster/duty-patterns",
            {
                "station_id": station["id"],
                "days": "workdays",
                "start_time": "10:00",
                "end_time": "14:00",
                "headcount": 1,
                "languages": [],
                "intern_seats": 0,
            },
        )
    post(
        scheduler,
        api + "/roster/duty-patterns",
        {
            "station_id": centre["id"],
            "days": "daily",
            "start_time": "09:30",
            "end_time": "13:30",
            "headcount": 1,
            "languages": [],
            "intern_seats": 0,
        },
    )
    for n in range(1, lawyers + 1):
        post(
            scheduler,
            api + "/roster/lawyers",
            {
                "name": f"律师{n:04d}",
                "license_no": f"1{COUNTY}201920{n:04d}",
                "status": "practising",
                "region_code": COUNTY,
                "languages": ["zh", "sjo"] if n % 5 == 0 else ["zh"],
            },
        )


def generate_and_publish(
    api: str, scheduler: requests.Session, region: str, timeout: float = 600
) -> dict[str, Any]:
    roster = post(
        scheduler,
        api + "/roster/rosters",
        {"region_code": region, "period_start": MONTH[0].isoformat(), "period_end": MONTH[1].isoformat()},
    )
    url = api + f"/roster/rosters/{roster['id']}"
    began = time.monotonic()
    post(scheduler, url + "/generate", None)
    while True:
        roster = scheduler.get(url, timeout=30).json()
        if roster["status"] == "generated":
            break
        if roster["status"] == "failed" or time.monotonic() - began > timeout:
            raise RuntimeError(
                f"the county roster did not generate: {roster.get('status')} {roster.get('error')}"
            )
        time.sleep(1)
    roster["generate_seconds"] = round(time.monotonic() - began, 1)
    post(scheduler, url + "/publish", None)
    return roster


def pending_claims(stack: Stack, n: int, seed: int = 11) -> float:
    """n pending case claims through the subsidy service's bulk path, into the stack's subsidy database, for the
    lawyers its directory knows; returns the seconds it took."""
    from sqlalchemy import select

    from services.common.db import UnitOfWork, make_engine, make_session_factory
    from services.subsidy.adapters.orm import LawyerEntry, metadata
    from services.subsidy.service.bulk import submit_claims_in_bulk
    from services.subsidy.service.unit_of_work import PRODUCER

    engine = make_engine(f"sqlite:///{stack.data_dir / 'subsidy.sqlite3'}")
    factory = make_session_factory(engine, metadata)
    deadline = time.monotonic() + 60
    while True:  # the directory fills from roster's events
        with factory() as session:
            known = [
                (r.id, r.region_code)
                for r in session.execute(
                    select(LawyerEntry.id, LawyerEntry.region_code).where(LawyerEntry.status == "practising")
                )
            ]
        counties = [k for k in known if k[1] != "654000" and k[1] != COUNTY]
        if len(counties) >= 40 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if not counties:
        raise RuntimeError("the subsidy service's lawyer directory stayed empty")
    rng = random.Random(seed)
    legal_aid = [
        ("criminal", "investigation"),
        ("criminal", "prosecution"),
        ("criminal", "first_instance"),
        ("civil", "first_instance"),
        ("civil", "arbitration"),
        ("administrative", "first_instance"),
    ]
    today = date.today()
    claims = []
    for i in range(n):
        lawyer_id, region = rng.choice(counties)
        if rng.random() < 0.6:
            case_type, stage = rng.choice(legal_aid)
            kind, attributes = (
                "legal_aid_case",
                {"case_type": case_type, "stage": stage, "remote_area": rng.random() < 0.2},
            )
        else:
            kind, attributes = (
                "mediation_case",
                {
                    "difficulty": rng.choice(["simple", "ordinary", "difficult"]),
                    "agreement": rng.random() < 0.6,
                },
            )
        claims.append(
            {
                "kind": kind,
                "lawyer_id": lawyer_id,
                "region_code": region,
                "case_no": f"(2026)伊{kind[:2]}字第{i:06d}号",
                "service_date": today.replace(day=rng.randint(1, today.day)),
                "attributes": attributes,
            }
        )
    began = time.perf_counter()
    with UnitOfWork(factory, producer=PRODUCER) as uow:
        submit_claims_in_bulk(uow, claims=claims, submitted_by="bench-import")
        uow.commit()
    engine.dispose()
    return time.perf_counter() - began


# ---- the console ------------------------------------------------------------------------------------------


def console_login(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(base + "/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise RuntimeError(f"no CSRF token in the log-in form: {form.status_code} {form.text[:300]}")
    answer = browser.post(
        base + "/login",
        data={"csrf_token": token.group(1), "username": username, "password": PASSWORD, "next": ""},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "login" in answer.headers.get("Location", ""):
        raise RuntimeError(f"log-in as {username} failed: {answer.status_code} {answer.text[:300]}")
    return browser


def every(api: requests.Session, url: str, params: dict[str, Any] | None = None) -> int:
    """Every page of a list, as the console's `every` reads it; returns how many items."""
    offset = total = 0
    while True:
        response = api.get(url, params={**(params or {}), "limit": MAX_PAGE, "offset": offset}, timeout=60)
        response.raise_for_status()
        page = response.json()
        offset += len(page["items"])
        total = page.get("total", 0)
        if not page["items"] or offset >= total:
            return offset


def grid_feed(api_base: str, api: requests.Session, roster_id: str) -> Callable[[], None]:
    """The calls the grid page makes: the roster, its assignments, the stations (a county's own), the lawyers,
    the calendar, one after another (the page makes all but the first at once)."""

    def feed() -> None:
        roster = api.get(api_base + f"/roster/rosters/{roster_id}", timeout=60)
        roster.raise_for_status()
        region = roster.json()["region_code"]
        every(api, api_base + f"/roster/rosters/{roster_id}/assignments")
        every(api, api_base + "/roster/stations", None if region.endswith("00") else {"region_code": region})
        every(api, api_base + "/roster/lawyers")
        for year in range(int(roster.json()["period_start"][:4]), int(roster.json()["period_end"][:4]) + 1):
            api.get(api_base + f"/roster/calendar/{year}", timeout=60).raise_for_status()

    return feed


def feed_calls(api_base: str, api: requests.Session, roster_id: str, n: int) -> dict[str, Any]:
    """Each call the grid makes, on its own: which of them the API's share of the page is."""
    calls = {
        "roster": (f"/roster/rosters/{roster_id}", {}),
        "stations": ("/roster/stations", {"limit": MAX_PAGE, "region_code": COUNTY}),
        "lawyers": ("/roster/lawyers", {"limit": MAX_PAGE}),
        "calendar": ("/roster/calendar/2026", {}),
        **{
            f"assignments_offset_{o}": (
                f"/roster/rosters/{roster_id}/assignments",
                {"limit": MAX_PAGE, "offset": o},
            )
            for o in (0, MAX_PAGE, 2 * MAX_PAGE)
        },
    }

    def getter(path: str, params: dict[str, Any]) -> Callable[[], None]:
        return lambda: api.get(api_base + path, params=params, timeout=60).raise_for_status()

    return {
        name: summary_p50(ms) for name, ms in measure(n, **{k: getter(*v) for k, v in calls.items()}).items()
    }


def summary_p50(figures: dict[str, Any]) -> dict[str, Any]:
    return {"p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"]}


def queue_feed(api_base: str, api: requests.Session) -> Callable[[], None]:
    def feed() -> None:
        api.get(api_base + "/subsidy/claims", params=QUEUE_FIRST_PAGE, timeout=60).raise_for_status()

    return feed


def page_getter(browser: requests.Session, url: str, marker: str) -> Callable[[], None]:
    def get() -> None:
        response = browser.get(url, allow_redirects=False, timeout=60)
        if response.status_code != 200 or marker not in response.text:
            raise RuntimeError(
                f"GET {url}: {response.status_code}, {marker!r} not in it: {response.text[:300]}"
            )

    return get


def timed(fn: Callable[[], None]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def measure(n: int, **subjects: Callable[[], None]) -> dict[str, dict[str, Any]]:
    """n timings of each subject, alternating (a, b, c, a, b, c, ...) after two warm-up rounds."""
    for _ in range(2):
        for fn in subjects.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(n):
        for name, fn in subjects.items():
            times[name].append(timed(fn))
    return {name: summary(ms) for name, ms in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--lawyers", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args(argv)

    result: dict[str, Any] = {
        "bench": "console_render",
        "machine": machine(),
        "load_average_start": load_average(),
        "requests": args.requests,
        "goal": {"p95_ms_below": GOAL_P95_MS, "pages": GOAL_PAGES},
    }
    data_dir = Path(tempfile.mkdtemp(prefix="legalduty-console-bench-"))
    stack = Stack(
        data_dir,
        LEGALDUTY_WEB_WORKERS="2",
        LEGALDUTY_LOG_LEVEL="WARNING",
        LEGALDUTY_ADMIN_PASSWORD="admin-password-for-tests",
    )
    stack.start(timeout=300)
    try:
        gateway, api_base = stack.url(), stack.url() + "/api"
        admin = api_session(stack, "admin", "admin-password-for-tests")
        for username, role in (("scheduler", "scheduler"), ("finance", "finance")):
            post(admin, api_base + "/users", {"username": username, "password": PASSWORD, "role": role})
        scheduler = api_session(stack, "scheduler", PASSWORD)
        finance = api_session(stack, "finance", PASSWORD)
        scheduler_page = console_login(gateway, "scheduler")
        finance_page = console_login(gateway, "finance")
        scheduler_direct = console_login(stack.url("console"), "scheduler")
        finance_direct = console_login(stack.url("console"), "finance")
        results: dict[str, Any] = {}

        def grid(name: str, roster_id: str, marker: str) -> None:
            path = f"/scheduler/rosters/{roster_id}"
            results[name] = measure(
                args.requests,
                page=page_getter(scheduler_page, gateway + path, marker),
                api=grid_feed(api_base, scheduler, roster_id),
                page_direct=page_getter(scheduler_direct, stack.url("console") + path, marker),
            )

        demo = scheduler.get(
            api_base + "/roster/rosters", params={"region_code": "654000", "status": "published"}, timeout=30
        ).json()["items"][0]
        grid("prefecture_grid", demo["id"], "伊犁州公共法律服务中心")
        results["prefecture_grid"]["size"] = {
            "assignments": every(scheduler, api_base + f"/roster/rosters/{demo['id']}/assignments"),
            "days": (date.fromisoformat(demo["period_end"]) - date.fromisoformat(demo["period_start"])).days
            + 1,
        }

        began = time.perf_counter()
        make_county(api_base, scheduler, args.stations, args.lawyers)
        setup = {"county_master_data_seconds": round(time.perf_counter() - began, 1)}
        county = generate_and_publish(api_base, scheduler, COUNTY)
        setup["county_generate_seconds"] = county["generate_seconds"]
        grid("county_grid", county["id"], "察布查尔县公共法律服务中心")
        results["county_grid"]["api_calls"] = feed_calls(api_base, scheduler, county["id"], args.requests)
        results["county_grid"]["size"] = {
            "stations": args.stations,
            "days": 31,
            "lawyers": args.lawyers,
            "assignments": every(scheduler, api_base + f"/roster/rosters/{county['id']}/assignments"),
            "unfilled": len((county.get("stats") or {}).get("unfilled", [])),
        }

        setup["claims_bulk_seconds"] = round(pending_claims(stack, args.claims), 1)
        total = finance.get(api_base + "/subsidy/claims", params=QUEUE_FIRST_PAGE, timeout=30).json()["total"]
        results["finance_queue"] = measure(
            args.requests,
            page=page_getter(finance_page, gateway + "/finance/claims", "字第"),
            api=queue_feed(api_base, finance),
            page_direct=page_getter(finance_direct, stack.url("console") + "/finance/claims", "字第"),
        )
        results["finance_queue"]["size"] = {"pending": total, "page": 100}

        result["setup"] = setup
        result["pages"] = results
        result["load_average_end"] = load_average()
        result["goal_met"] = {name: results[name]["page"]["p95_ms"] < GOAL_P95_MS for name in GOAL_PAGES}
    finally:
        stack.stop()
        if args.keep:
            print(f"data kept in {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    text = json.dumps(result, ensure_ascii=False)
    print(text, flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "console_render.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
