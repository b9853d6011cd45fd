"""The drill: the whole system as `make run` starts it, with LEGALDUTY_REPLICAS relays and workers per service, on
RabbitMQ + PostgreSQL, while a chaos thread SIGKILLs a random relay or worker every few seconds (supervisord
starts it again) and the broker drops every connection of the system once.

Meanwhile lawyers check in and out of their duties of today (straight at the roster service, signed as the
gateway signs them) and a scheduler queues large rosters for the generation workers. Then it waits until
everything drained and collects what must hold: every check-out answered 2xx, one station-duty claim per
duty, every queued roster generated once, no dead letter. `tests/reliability/test_drill.py` runs a short
one and asserts; `python -m bench.drill` runs a long one and prints the figures as JSON lines, beside the
event pipeline's throughput with 1 and with 3 consumer processes, and one relay's publishing rate.

The broker's interruption: by default `rabbitmqctl close_all_connections --vhost <the drill's vhost>`, which
RabbitMQ's own servers share with other users of the machine; the relays and consumers see the same
dropped connections as on a broker restart and go through the same reconnect path. `--restart-broker`
(bench only, on a RabbitMQ nobody else uses) does `rabbitmqctl stop_app` / `start_app` instead.

python -m bench.drill [--duties 2000] [--replicas 3] [--events 5000] [--restart-broker]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import psycopg
import requests

from services.common.auth import IDENTITY_HEADER, Identity, sign_identity
from services.common.settings import DEV_INTERNAL_SECRET
from services.roster.service.duties import today_in_beijing
from tests.e2e.stack import Stack

PG_ADMIN = os.environ.get("LEGALDUTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = "127.0.0.1:5672"
REGION, QUEUED_REGION = "654021", "654022"
HEADCOUNT = 50  # the most a duty pattern seats
QUEUED_PATTERNS = 60  # × the days of a month > the roster service's inline limit (1500 slots): queued


def rabbitmqctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=120)


@dataclass
class Figures:
    """What a drill saw."""

    duties: int
    replicas: int
    checkout_failures: list[str] = field(default_factory=list)
    checkout_seconds: float = 0.0
    drain_seconds: float = 0.0
    events: int = 0
    events_per_s: float = 0.0
    kills: Counter[str] = field(default_factory=Counter)
    restarted: int = 0  # relays and workers running with another pid at the end than at the start
    programs: tuple[int, int] = (0, 0)  # relays and workers running at the start, and at the end
    broker_interruptions: int = 0
    claims_per_duty: Counter[int] = field(default_factory=Counter)  # claims a duty has -> how many duties
    duties_without_claim: int = 0
    rosters: dict[str, str] = field(default_factory=dict)  # queued roster -> status at the end
    roster_versions_after_queue: dict[str, int] = field(default_factory=dict)
    roster_versions_at_end: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "duties": self.duties,
            "replicas": self.replicas,
            "checkout_failures": len(self.checkout_failures),
            "checkout_seconds": round(self.checkout_seconds, 1),
            "drain_seconds": round(self.drain_seconds, 1),
            "events": self.events,
            "events_per_s": round(self.events_per_s, 1),
            "kills": sum(self.kills.values()),
            "kills_by_program": dict(self.kills),
            "restarts_seen": self.restarted,
            "programs_running": list(self.programs),
            "broker_interruptions": self.broker_interruptions,
            "claims_per_duty": {str(k): v for k, v in sorted(self.claims_per_duty.items())},
            "duties_without_claim": self.duties_without_claim,
            "queued_rosters": self.rosters,
            "dead_letters": sum(self.dead_letters.values()),
        }


class Drill:
    """One drill: its own vhost, databases and stack; `with Drill(...) as d: figures = d.run()`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        duties: int,
        replicas: int = 3,
        kill_every: float = 2.0,
        restart_broker: bool = False,
        queued_rosters: int = 3,
        min_seconds: float = 14.0,
        log: Any = None,
    ):
        self.data_dir, self.duties, self.replicas = data_dir, duties, replicas
        self.kill_every, self.restart_broker, self.queued_rosters = kill_every, restart_broker, queued_rosters
        self.min_seconds = (
            min_seconds  # check-outs are spread over at least this long, so the chaos meets them
        )
        self.log = log or (lambda *a: print(*a, file=sys.stderr, flush=True))
        self.vhost = f"legalduty_drill_{uuid.uuid4().hex[:8]}"
        self.databases = {
            s: f"legalduty_drill_{s}_{uuid.uuid4().hex[:6]}" for s in ("gateway", "roster", "subsidy")
        }
        self.stack: Stack | None = None
        self.figures = Figures(duties=duties, replicas=replicas)
        self.session = requests.Session()
        self.session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32))

    # ------------------------------------------------------------------------------------------ set-up
    def db_url(self, service: str) -> str:
        return f"{PG_ADMIN.rsplit('/', 1)[0]}/{self.databases[service]}"

    def __enter__(self) -> Drill:
        result = rabbitmqctl("add_vhost", self.vhost)
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl add_vhost: {result.stderr.strip()}")
        rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            for name in self.databases.values():
                conn.execute(f'CREATE DATABASE "{name}"')
        self.stack = Stack(
            self.data_dir,
            LEGALDUTY_DEMO="0",
            LEGALDUTY_REPLICAS=str(self.replicas),
            LEGALDUTY_WEB_WORKERS="2",
            LEGALDUTY_RETRY_BACKOFF="0.1",
            LEGALDUTY_LOG_LEVEL="WARNING",
            LEGALDUTY_BROKER_URL=f"amqp://guest:guest@{RABBIT}/{self.vhost}",
            **{f"{s.upper()}_DATABASE_URL": self.db_url(s) for s in self.databases},
        )
        try:
            began = time.monotonic()
            self.stack.start(timeout=180)
            self.log(f"drill: the stack started in {time.monotonic() - began:.1f}s")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        if self.stack is not None:
            self.stack.stop()
        rabbitmqctl("delete_vhost", self.vhost)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in self.databases.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def call(
        self, method: str, service: str, path: str, identity: Identity, body: Any = None
    ) -> requests.Response:
        """A request straight at a service, signed as the gateway signs the user's identity."""
        assert self.stack is not None
        token = sign_identity(identity, secret=DEV_INTERNAL_SECRET, audience=service)
        return self.session.request(
            method, self.stack.url(service) + path, json=body, timeout=60, headers={IDENTITY_HEADER: token}
        )

    def must(self, method: str, service: str, path: str, identity: Identity, body: Any = None) -> Any:
        response = self.call(method, service, path, identity, body)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    SCHEDULER = Identity("drill-scheduler", "scheduler", "scheduler")
    FINANCE = Identity("drill-finance", "finance", "finance")

    def prepare(self) -> list[dict[str, Any]]:
        """Lawyers, a station, patterns and a published roster of today with `duties` duties; a station-duty
        scheme; a second region whose rosters are large enough to be queued. Returns today's duties."""
        today = today_in_beijing()
        self.must(
            "POST",
            "subsidy",
            "/api/subsidy/schemes",
            self.FINANCE,
            {
                "kind": "station_duty",
                "name": "drill station duty",
                "region_code": None,
                "effective_from": "2026-01-01",
                "effective_to": None,
                "rates": [
                    {"when": {"length": "full_day"}, "amount": "150.00"},
                    {"when": {"length": "half_day"}, "amount": "90.00"},
                ],
                "adjustments": [{"when": {"holiday": True}, "multiply": "1.50"}],
            },
        )
        station = self.must(
            "POST",
            "roster",
            "/api/roster/stations",
            self.SCHEDULER,
            {"name": "drill county centre", "level": "county", "region_code": REGION},
        )
        for _ in range(-(-self.duties // HEADCOUNT)):
            self.must(
                "POST",
                "roster",
                "/api/roster/duty-patterns",
                self.SCHEDULER,
                {
                    "station_id": station["id"],
                    "days": "daily",
                    "start_time": "09:00",
                    "end_time": "17:00",
                    "headcount": HEADCOUNT,
                    "languages": [],
                    "intern_seats": 0,
                },
            )
        prefix = uuid.uuid4().int % 10**6

        def lawyer(i: int) -> None:
            self.must(
                "POST",
                "roster",
                "/api/roster/lawyers",
                self.SCHEDULER,
                {
                    "name": f"drill lawyer {i}",
                    "license_no": f"1654{prefix:06d}{i:07d}",
                    "status": "practising",
                    "region_code": REGION,
                    "languages": ["zh"],
                    "max_duties_per_month": 8,
                },
            )

        seats = -(-self.duties // HEADCOUNT) * HEADCOUNT
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lawyer, range(seats)))
        roster = self.must(
            "POST",
            "roster",
            "/api/roster/rosters",
            self.SCHEDULER,
            {"region_code": REGION, "period_start": today.isoformat(), "period_end": today.isoformat()},
        )
        self.must("POST", "roster", f"/api/roster/rosters/{roster['id']}/generate", self.SCHEDULER)
        self.must("POST", "roster", f"/api/roster/rosters/{roster['id']}/publish", self.SCHEDULER)
        duties = []
        while len(duties) < seats:
            page = self.must(
                "GET",
                "roster",
                f"/api/roster/rosters/{roster['id']}/assignments?limit=1000&offset={len(duties)}",
                self.SCHEDULER,
            )
            duties += page["items"]
            if not page["items"]:
                break
        queued_station = self.must(
            "POST",
            "roster",
            "/api/roster/stations",
            self.SCHEDULER,
            {"name": "drill hotline", "level": "county", "region_code": QUEUED_REGION},
        )
        for _ in range(QUEUED_PATTERNS):
            self.must(
                "POST",
                "roster",
                "/api/roster/duty-patterns",
                self.SCHEDULER,
                {
                    "station_id": queued_station["id"],
                    "days": "daily",
                    "start_time": "09:00",
                    "end_time": "12:00",
                    "headcount": 1,
                    "languages": [],
                    "intern_seats": 0,
                },
            )
        return duties[: self.duties]

    # ------------------------------------------------------------------------------------------ the drill
    def programs(self) -> dict[str, int]:
        assert self.stack is not None
        return {name: pid for name, pid in self.stack.pids().items() if "-relay" in name or "-worker" in name}

    def chaos(self, stop: threading.Event, interrupt_at: float) -> None:
        started = time.monotonic()
        interrupted = False
        rng = random.Random()
        while not stop.wait(self.kill_every):
            running = self.programs()
            if running:
                name = rng.choice(sorted(running))
                try:
                    os.kill(running[name], signal.SIGKILL)
                    self.figures.kills[name.split(":")[0]] += 1
                except ProcessLookupError:
                    pass
            if not interrupted and time.monotonic() - started >= interrupt_at:
                interrupted = True
                self.interrupt_broker()

    def interrupt_broker(self) -> None:
        if self.restart_broker:
            self.log("drill: rabbitmqctl stop_app / start_app")
            rabbitmqctl("stop_app")
            time.sleep(2)
            rabbitmqctl("start_app")
        else:
            self.log(f"drill: rabbitmqctl close_all_connections --vhost {self.vhost}")
            result = rabbitmqctl("close_all_connections", "--vhost", self.vhost, "legalduty drill")
            if result.returncode != 0:
                raise RuntimeError(f"close_all_connections: {result.stderr.strip()}")
        self.figures.broker_interruptions += 1

    def check_out(self, duty: dict[str, Any], not_before: float = 0.0) -> None:
        if (wait := not_before - time.monotonic()) > 0:
            time.sleep(wait)
        lawyer = Identity(
            f"drill-{duty['lawyer_id'][:8]}", f"lawyer-{duty['lawyer_id'][:8]}", "lawyer", duty["lawyer_id"]
        )
        for step in ("check-in", "check-out"):
            response = self.call("POST", "roster", f"/api/roster/assignments/{duty['id']}/{step}", lawyer)
            if not 200 <= response.status_code < 300:
                self.figures.checkout_failures.append(
                    f"{step} {duty['id']}: {response.status_code} {response.text[:200]}"
                )
                return

    def queue_rosters(self) -> None:
        first = today_in_beijing().replace(day=1)
        for i in range(self.queued_rosters):
            month = (first + timedelta(days=32 * (i + 2))).replace(day=1)
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            roster = self.must(
                "POST",
                "roster",
                "/api/roster/rosters",
                self.SCHEDULER,
                {
                    "region_code": QUEUED_REGION,
                    "period_start": month.isoformat(),
                    "period_end": last.isoformat(),
                },
            )
            response = self.call(
                "POST", "roster", f"/api/roster/rosters/{roster['id']}/generate", self.SCHEDULER
            )
            if response.status_code != 202:
                raise RuntimeError(f"a large roster was not queued: {response.status_code} {response.text}")
            self.figures.roster_versions_after_queue[roster["id"]] = int(
                self.scalar("roster", "SELECT version FROM rosters WHERE id = %(id)s", id=roster["id"])
            )

    def run(self, *, drain_timeout: float = 120.0) -> Figures:
        began = time.monotonic()
        duties = self.prepare()
        self.log(
            f"drill: {len(duties)} duties ready in {time.monotonic() - began:.1f}s, "
            f"{len(self.programs())} relays and workers running"
        )
        events_before = self.events_published()
        stop = threading.Event()
        # interrupt the broker a third of the way through the check-outs
        chaos = threading.Thread(target=self.chaos, args=(stop, self.min_seconds / 3), daemon=True)
        before = self.programs()
        started = time.monotonic()
        chaos.start()
        try:
            self.queue_rosters()
            pace = self.min_seconds / max(len(duties), 1)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(self.check_out, duties, [started + i * pace for i in range(len(duties))]))
            self.figures.checkout_seconds = time.monotonic() - started
            while self.figures.broker_interruptions == 0 and chaos.is_alive():
                time.sleep(0.2)  # a short drill: the broker's interruption still happens during the chaos
        finally:
            stop.set()
            chaos.join(timeout=60)
        ids = {d["id"] for d in duties}
        ended = time.monotonic()
        deadline = ended + drain_timeout
        while time.monotonic() < deadline:
            if self.claims_of(ids) >= len(ids) and self.rosters_done() and self.backlog() == 0:
                break
            time.sleep(0.5)
        self.figures.drain_seconds = time.monotonic() - ended
        elapsed = time.monotonic() - started
        self.figures.events = self.events_published() - events_before
        self.figures.events_per_s = self.figures.events / elapsed if elapsed else 0.0
        after = self.wait_all_running(len(before))
        self.figures.restarted = sum(1 for name, pid in before.items() if after.get(name) != pid)
        self.figures.programs = (len(before), len(after))
        self.collect(ids)
        return self.figures

    # ------------------------------------------------------------------------------------------ figures
    def scalar(self, service: str, sql: str, **params: Any) -> Any:
        with psycopg.connect(self.db_url(service), autocommit=True) as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def events_published(self) -> int:
        return sum(
            int(self.scalar(s, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"))
            for s in self.databases
        )

    def backlog(self) -> int:
        return sum(
            int(self.scalar(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            for s in self.databases
        )

    def claims_of(self, ids: set[str]) -> int:
        return int(
            self.scalar(
                "subsidy",
                "SELECT count(DISTINCT assignment_id) FROM claims WHERE assignment_id = ANY(%(ids)s)",
                ids=list(ids),
            )
        )

    def rosters_done(self) -> bool:
        statuses = [
            self.scalar("roster", "SELECT status FROM rosters WHERE id = %(id)s", id=rid)
            for rid in self.figures.roster_versions_after_queue
        ]
        return all(s in ("generated", "failed") for s in statuses)

    def wait_all_running(self, expected: int, timeout: float = 60) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        running = self.programs()
        while len(running) < expected and time.monotonic() < deadline:
            time.sleep(0.5)
            running = self.programs()
        return running

    def collect(self, ids: set[str]) -> None:
        with psycopg.connect(self.db_url("subsidy"), autocommit=True) as conn:
            per_duty = dict(
                conn.execute(
                    "SELECT assignment_id, count(*) FROM claims WHERE assignment_id = ANY(%(ids)s) "
                    "GROUP BY assignment_id",
                    {"ids": list(ids)},
                ).fetchall()
            )
        self.figures.claims_per_duty = Counter(per_duty.values())
        self.figures.duties_without_claim = len(ids - set(per_duty))
        with psycopg.connect(self.db_url("roster"), autocommit=True) as conn:
            for rid in self.figures.roster_versions_after_queue:
                status, version = conn.execute(
                    "SELECT status, version FROM rosters WHERE id = %(id)s", {"id": rid}
                ).fetchone()
                self.figures.rosters[rid] = status
                self.figures.roster_versions_at_end[rid] = version
        listed = rabbitmqctl("list_queues", "-p", self.vhost, "name", "messages")
        for line in listed.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].endswith(".dlq") and parts[1].isdigit():
                self.figures.dead_letters[parts[0]] = int(parts[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duties", type=int, default=2000)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument(
        "--events", type=int, default=5000, help="events for the 1 vs 3 consumers measurement"
    )
    parser.add_argument(
        "--restart-broker",
        action="store_true",
        help="rabbitmqctl stop_app/start_app (only on a RabbitMQ nobody else uses)",
    )
    parser.add_argument("--skip-drill", action="store_true")
    args = parser.parse_args(argv)
    ok = True
    if not args.skip_drill:
        with Drill(
            Path(mkdtemp()) / "var",
            duties=args.duties,
            replicas=args.replicas,
            restart_broker=args.restart_broker,
        ) as drill:
            figures = drill.run(drain_timeout=300)
        ok = (
            not figures.checkout_failures
            and set(figures.claims_per_duty) == {1}
            and not figures.duties_without_claim
            and not any(figures.dead_letters.values())
            and all(s == "generated" for s in figures.rosters.values())
        )
        print(
            json.dumps(
                {
                    "bench": "drill",
                    "ok": ok,
                    **figures.as_json(),
                    "broker": "stop_app/start_app" if args.restart_broker else "close_all_connections",
                }
            ),
            flush=True,
        )
    from bench.pipeline_replicas import consumer_replicas, relay_rate

    print(
        json.dumps(
            {
                "bench": "relay",
                "what": "one relay empties an outbox into RabbitMQ (publish + confirm + mark published)",
                **relay_rate(args.events),
            }
        ),
        flush=True,
    )
    one = consumer_replicas(args.events, 1)
    three = consumer_replicas(args.events, 3)
    print(
        json.dumps(
            {
                "bench": "consumer_replicas",
                "one": one,
                "three": three,
                "speedup": round(three["events_per_s"] / one["events_per_s"], 2),
            }
        ),
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
