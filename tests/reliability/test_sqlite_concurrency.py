"""The embedded default under concurrent writers: WAL, busy timeout and immediate transactions mean no
"database is locked", while a relay publishes and marks the same outbox."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

from sqlalchemy import func, select

from services.common.db import UnitOfWork
from tests.buskit import Bus, lawyer_data

# ten seconds in the suite (hundreds of commits per writer); a longer soak: LEGALDUTY_SQLITE_SOAK_SECONDS=300
SECONDS = float(os.environ.get("LEGALDUTY_SQLITE_SOAK_SECONDS", "10"))
WRITERS = 4


def _writer(args: tuple) -> None:
    data_dir, url, exchange, queue, seconds, results = args
    bus = Bus("embedded", data_dir, url, None, fresh=False)
    done, errors = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with UnitOfWork(bus.session_factory, producer="writer") as uow:
                uow.session.execute(bus.effects.insert().values(event_id="w", note=str(os.getpid())))
                uow.emit("roster.lawyer.upserted", lawyer_data("writer"))
                uow.commit()
            done += 1
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the test
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
    results.put((done, errors))


def _relay(args: tuple) -> None:
    data_dir, url, exchange, queue, seconds, results = args
    from tests.reliability.test_event_bus import _retarget

    bus = Bus("embedded", data_dir, url, None, fresh=False)
    _retarget(bus, exchange, queue)
    relay = bus.relay(batch_size=200)
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    errors: list[str] = []
    try:
        relay.run_forever(stop, idle_sleep=0.05)
    except Exception as exc:  # noqa: BLE001
        errors.append(str(exc))
    results.put((0, errors))


def test_four_writer_processes_writing_for_seconds_never_see_database_is_locked(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'soak.sqlite3'}"
    bus = Bus("embedded", tmp_path, url, None)
    bus.engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    args = (tmp_path, url, bus.exchange, bus.queue, SECONDS, results)
    procs = [ctx.Process(target=_writer, args=(args,)) for _ in range(WRITERS)]
    procs.append(ctx.Process(target=_relay, args=(args,)))
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=SECONDS + 120) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [e for _, errs in outcomes for e in errs]
    written = sum(done for done, _ in outcomes)
    assert errors == [], errors[:5]
    assert written > WRITERS * 10, f"only {written} commits in {SECONDS}s"
    outbox = bus.tables.outbox
    with bus.session_factory() as session:
        rows = session.scalar(select(func.count()).select_from(outbox))
        effects = session.scalar(select(func.count()).select_from(bus.effects))
    assert rows == effects == written  # every committed change has exactly its one event
    print(f"{WRITERS} writers + relay, {SECONDS:.0f}s: {written} commits, 0 lock errors")
