"""The outbox relay: publishes committed outbox rows in order, with confirms, and marks them published.

A crash between publish and mark republishes the row on restart (a duplicate, never a loss); consumers
apply each event id once. Unroutable events are flagged and left unpublished.

Any number of relays may run per service (LEGALDUTY_REPLICAS, Kubernetes replicas): one holds the leader lock
(a PostgreSQL advisory lock held by its database session, or a file lock on the embedded SQLite default) and
publishes; the others stand by, asking for the lock every second, and take over within about a second of the
leader's death (its session ends, PostgreSQL releases the lock; tests/reliability/test_drill.py times it). A
leader that loses its lock's session (the database restarted under it) stops, and waits for the lock again.

Why a leader and not rows claimed by several relays at once (SELECT ... FOR UPDATE SKIP LOCKED): one relay
publishes far faster than consumers apply (bench/drill.py: `relay` beside `consumer_replicas`), so parallel
relays would buy nothing; a single publisher keeps the outbox's order, needs no claim column and no second
write per row, and works the same on SQLite, which has a single writer anyway. Its cost: standbys hold one
idle database connection each, and publishing pauses for the takeover (about a second).
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from services.common.connections import BrokerUnavailable
from services.common.outbox import MessagingTables
from services.common.publisher import Outgoing, Publisher

log = logging.getLogger(__name__)

OUTBOX_KEEP_DAYS = 7
PROCESSED_KEEP_DAYS = 30
PRUNE_EVERY_S = 3600
LEADERSHIP_CHECK_S = 5.0  # how often a leading relay checks that it still holds its lock


class Relay:
    """Moves outbox rows to the broker."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        tables: MessagingTables,
        publisher: Publisher,
        batch_size: int = 500,
        hook_after_publish: Any = None,
    ):
        self.session_factory = session_factory
        self.outbox = tables.outbox
        self.processed_events = tables.processed_events
        self.publisher = publisher
        self.batch_size = batch_size
        # test seam: called after the broker confirmed a batch and before the rows are marked
        self.hook_after_publish = hook_after_publish
        self.unroutable_total = 0

    def pending(self) -> list[Any]:
        with self.session_factory() as session:
            rows = session.execute(
                select(self.outbox.c.event_id, self.outbox.c.event_type, self.outbox.c.body)
                .where(self.outbox.c.published_at.is_(None), self.outbox.c.unroutable.is_(False))
                .order_by(self.outbox.c.id)
                .limit(self.batch_size)
            ).all()
            session.rollback()
        return list(rows)

    def run_once(self) -> int:
        """Publish one batch; returns how many events the broker confirmed."""
        rows = self.pending()
        if not rows:
            return 0
        batch = []
        for row in rows:
            envelope = json.loads(row.body)
            batch.append(
                Outgoing(
                    message_id=row.event_id,
                    routing_key=row.event_type,
                    body=row.body.encode(),
                    headers={"x-correlation-id": envelope.get("correlation_id") or ""},
                )
            )
        result = self.publisher.publish(batch)
        if self.hook_after_publish:
            self.hook_after_publish(result)
        now = datetime.now(UTC)
        with self.session_factory() as session:
            if result.confirmed:
                session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.event_id.in_(result.confirmed))
                    .values(published_at=now, attempts=self.outbox.c.attempts + 1, last_error=None)
                )
            if result.unroutable:
                self.unroutable_total += len(result.unroutable)
                log.error("unroutable events left unpublished", extra={"event_ids": result.unroutable})
                session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.event_id.in_(result.unroutable))
                    .values(
                        unroutable=True,
                        attempts=self.outbox.c.attempts + 1,
                        last_error="unroutable: no queue is bound to this event type",
                    )
                )
            if result.failed:
                session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.event_id.in_(result.failed))
                    .values(attempts=self.outbox.c.attempts + 1, last_error="nacked by the broker")
                )
            session.commit()
        return len(result.confirmed)

    def run_forever(
        self,
        stop: threading.Event,
        idle_sleep: float = 0.1,
        max_backoff: float = 30.0,
        leading: Callable[[], bool] | None = None,
    ) -> None:
        """Publish until stopped, or until `leading` (checked every LEADERSHIP_CHECK_S) says the lock is lost."""
        backoff = 0.5
        next_prune = time.monotonic() + 60
        next_check = time.monotonic()
        while not stop.is_set():
            if leading is not None and time.monotonic() >= next_check:
                next_check = time.monotonic() + LEADERSHIP_CHECK_S
                if not leading():
                    log.warning("relay lost its leader lock: stopping")
                    return
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY_S
                self.prune()
            try:
                sent = self.run_once()
                backoff = 0.5
            except BrokerUnavailable as exc:
                log.warning("broker unavailable, retrying in %.1fs: %s", backoff, exc)
                self.publisher.reset()
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            except Exception:
                log.exception("relay batch failed, retrying in %.1fs", backoff)
                self.publisher.reset()
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            if sent < self.batch_size:
                self.publisher.heartbeat()
                stop.wait(idle_sleep)

    def prune(self, *, keep_days: int = OUTBOX_KEEP_DAYS, now: datetime | None = None) -> int:
        """Delete outbox rows published more than `keep_days` ago, and processed-event keys older than
        PROCESSED_KEEP_DAYS (far beyond any redelivery); returns how many outbox rows went."""
        now = now or datetime.now(UTC)
        outbox, processed = self.outbox, self.processed_events
        try:
            with self.session_factory() as session:
                gone = session.execute(
                    delete(outbox).where(
                        outbox.c.published_at.is_not(None),
                        outbox.c.published_at < now - timedelta(days=keep_days),
                    )
                )
                session.execute(
                    delete(processed).where(
                        processed.c.processed_at < now - timedelta(days=PROCESSED_KEEP_DAYS)
                    )
                )
                session.commit()
            return int(getattr(gone, "rowcount", 0) or 0)
        except Exception:  # pruning is housekeeping: never stop publishing for it
            log.exception("outbox pruning failed")
            return 0


def backlog(session: Session, outbox: Table) -> tuple[int, int]:
    """(unpublished, unroutable) outbox rows."""
    unpublished = session.scalar(
        select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    )
    unroutable = session.scalar(select(func.count()).select_from(outbox).where(outbox.c.unroutable.is_(True)))
    return int(unpublished or 0), int(unroutable or 0)


class LeaderLock:
    """Only one relay per service publishes: an advisory lock on PostgreSQL, a file lock on SQLite."""

    def __init__(self, engine: Engine, name: str, data_dir: Path):
        self.engine = engine
        self.name = name
        self.data_dir = Path(data_dir)
        self._conn: Any = None
        self._file: Any = None

    def acquire(self, stop: threading.Event, poll: float = 1.0) -> bool:
        while not stop.is_set():
            if self.try_acquire():
                return True
            stop.wait(poll)
        return False

    def try_acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            if self._conn is None:
                self._conn = self.engine.connect()
            key = zlib.crc32(self.name.encode())
            got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            self._conn.commit()
            return bool(got)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._file = open(self.data_dir / f"{self.name}.lock", "w")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            self._file.close()
            self._file = None
            return False

    def held(self) -> bool:
        """Whether the lock is still ours: on PostgreSQL, whether the session holding it is alive."""
        if self._file is not None:
            return True
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1")).scalar()
            self._conn.commit()
            return True
        except Exception:  # the session is gone, and the lock with it
            log.warning("relay leader lock's session lost", exc_info=True)
            return False

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._file is not None:
            self._file.close()
            self._file = None
