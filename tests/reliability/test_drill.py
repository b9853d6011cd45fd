"""The drill (bench/drill.py), short: the system as `make run` starts it with three relays and three workers per
service on RabbitMQ + PostgreSQL, lawyers checking out while a relay or worker is SIGKILLed every 2 s and
RabbitMQ is restarted once (`rabbitmqctl stop_app` / `start_app`, as tests/reliability/test_broker_outage.py
does; on a broker other people use, LEGALDUTY_DRILL_SHARED_BROKER=1 makes it drop only the drill's own
connections instead). Nothing is lost and nothing is done twice. And the relays' leader lock: a standby takes over soon after the leader dies."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.migrate import upgrade
from tests.buskit import wait_for
from tests.conftest import (
    RABBIT_HOST,
    RABBIT_PORT,
    drop_postgres_database,
    new_postgres_database,
    port_open,
    unavailable,
)

ROOT = Path(__file__).resolve().parents[2]
DUTIES = (
    120  # sized so the whole drill takes about a minute on a loaded two-core machine; the bench runs 2,000
)


@pytest.fixture
def servers() -> None:
    if not port_open(RABBIT_HOST, RABBIT_PORT) or shutil.which("rabbitmqctl") is None:
        unavailable("RabbitMQ on 127.0.0.1:5672")
    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL on 127.0.0.1:5432")


@pytest.mark.rabbitmq
@pytest.mark.postgres
@pytest.mark.drill
def test_under_kills_and_a_broker_interruption_every_check_out_counts_once_and_every_queued_roster_is_generated_once(
    servers: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.drill import Drill

    restart = os.environ.get("LEGALDUTY_DRILL_SHARED_BROKER", "") != "1"
    with Drill(tmp_path / "var", duties=DUTIES, replicas=3, kill_every=2.0, restart_broker=restart) as drill:
        figures = drill.run(drain_timeout=90)
    with capsys.disabled():  # the figures, in make test's output
        print("\ndrill:", json.dumps(figures.as_json()))
    assert figures.checkout_failures == []
    assert figures.duties_without_claim == 0
    assert dict(figures.claims_per_duty) == {1: DUTIES}, "a duty has no claim or more than one"
    assert set(figures.rosters.values()) == {"generated"}
    assert figures.roster_versions_at_end == {
        rid: v + 1 for rid, v in figures.roster_versions_after_queue.items()
    }, "a queued roster was stored more than once"
    assert figures.dead_letters, "the dead-letter queues were not listed"
    assert sum(figures.dead_letters.values()) == 0, figures.dead_letters
    # the drill did what it says: 3 relays and 3 workers per service, kills, restarts, one interruption
    assert figures.programs == (18, 18)
    assert sum(figures.kills.values()) >= 3
    assert figures.restarted >= 1
    assert figures.broker_interruptions == 1


@pytest.fixture
def roster_database() -> Iterator[str]:
    try:
        url = new_postgres_database()
    except Exception:
        unavailable("PostgreSQL on 127.0.0.1:5432")
        raise
    upgrade(url, ROOT / "services" / "roster" / "migrations")
    yield url
    drop_postgres_database(url)


def start_relay(roster_database: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LEGALDUTY_DATA_DIR": str(data_dir),
        "ROSTER_DATABASE_URL": roster_database,
        "LEGALDUTY_LOG_LEVEL": "INFO",
    }
    env.pop("LEGALDUTY_BROKER_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "services.roster", "relay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


@pytest.mark.postgres
def test_a_standby_relay_takes_over_within_three_seconds_of_the_leaders_death(
    roster_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    leader = start_relay(roster_database, tmp_path, leader_log)
    standby = None
    try:
        wait_for(
            lambda: "relay started" in leader_log.read_text(), timeout=30, what="the first relay to lead"
        )
        standby = start_relay(roster_database, tmp_path, standby_log)
        wait_for(
            lambda: "relay waiting for leadership" in standby_log.read_text(),
            timeout=30,
            what="the second relay to stand by",
        )
        time.sleep(2.5)  # the scenario: the leader lives on for a few of the standby's polls
        assert "relay started" not in standby_log.read_text(), "two relays lead at once"
        killed = time.monotonic()
        leader.send_signal(signal.SIGKILL)
        wait_for(
            lambda: "relay started" in standby_log.read_text(),
            timeout=15,
            interval=0.02,
            what="the standby to take over",
        )
        took = time.monotonic() - killed
        with capsys.disabled():
            print(f"\nrelay takeover after the leader's SIGKILL: {took:.2f}s")
        assert took < 3.0
    finally:
        for proc in (leader, standby):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)


@pytest.mark.postgres
def test_a_leading_relay_whose_lock_session_dies_stops_publishing(
    roster_database: str, tmp_path: Path
) -> None:
    import psycopg

    from services.common.db import make_engine
    from services.common.relay import LeaderLock, Relay

    engine = make_engine(roster_database)
    lock = LeaderLock(engine, "roster-relay", tmp_path)
    try:
        assert lock.try_acquire()
        assert lock.held()
        with psycopg.connect(roster_database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = %s)",
                (roster_database.rsplit("/", 1)[1],),
            )
        assert not lock.held(), "the lock's session was terminated: the lock is gone"
        published = []

        class Watching(Relay):
            def run_once(self) -> int:
                published.append(1)
                return 0

        relay = Watching.__new__(Watching)
        stop = threading.Event()
        runner = threading.Thread(target=Relay.run_forever, args=(relay, stop), kwargs={"leading": lock.held})
        runner.start()
        runner.join(timeout=10)
        stopped_by_itself = not runner.is_alive()
        stop.set()
        assert stopped_by_itself, "the relay went on without its lock"
        assert published == []
    finally:
        lock.release()
        engine.dispose()


def test_make_run_with_three_replicas_runs_three_relays_and_workers_per_service_one_relay_leading_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    from tests.e2e.stack import Stack

    stack = Stack(tmp_path / "var", LEGALDUTY_DEMO="0", LEGALDUTY_REPLICAS="3").start()
    try:
        programs = stack.pids()
        for service in ("gateway", "roster", "subsidy"):
            assert f"{service}-web" in programs
            for part in ("relay", "worker"):
                assert {n for n in programs if n.startswith(f"{service}-{part}:")} == {
                    f"{service}-{part}:{service}-{part}-{i}" for i in range(3)
                }

        def relay_lines(what: str) -> list[dict[str, str]]:
            lines = [json.loads(line) for line in stack.log.read_text().splitlines() if line.startswith("{")]
            return [line for line in lines if line.get("msg") == what]

        wait_for(
            lambda: len(relay_lines("relay waiting for leadership")) == 9, timeout=30, what="9 relays up"
        )
        leaders = wait_for(
            lambda: len(r := relay_lines("relay started")) >= 3 and r, timeout=30, what="leaders"
        )
        assert sorted(line["service"] for line in leaders) == ["gateway", "roster", "subsidy"]
    finally:
        took = stack.stop()
    assert took < 10, f"stopping took {took:.1f}s"
