"""Event consumers: one durable queue per handler, idempotent, retried with backoff, then dead-lettered.

For every message: open a transaction, insert (event id, consumer) into processed_events, run the handler
in the same transaction, commit, then ack. A redelivered event hits the unique key and has no second
effect. A handler that raises is retried by republishing the message to its queue with an attempt count
(after a backoff) and, after `max_deliveries` attempts, moved to `<queue>.dlq`. The republish is confirmed
before the original is acked, so nothing is lost; a crash in between gives a duplicate that the
processed-events key absorbs. On RabbitMQ the quorum queue's delivery limit is a second line for
consumers that crash mid-message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kombu import Queue
from marshmallow import ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.common.connections import BrokerUnavailable, connect, is_embedded
from services.common.embedded_transport import recover_orphans
from services.common.events import parse_envelope
from services.common.outbox import MessagingTables
from services.common.publisher import Outgoing, Publisher
from services.common.queues import declare_topology, queue_arguments
from services.common.topology import TOPOLOGY, Topology

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-legalduty-attempt"
ERROR_HEADER = "x-legalduty-error"
QUEUE_HEADER = "x-legalduty-queue"

Handler = Callable[[Session, dict[str, Any], dict[str, Any]], None]


@dataclass
class ConsumerStats:
    processed: int = 0
    duplicates: int = 0
    retried: int = 0
    dead_lettered: int = 0
    last_event_at: dict[str, float] = field(default_factory=dict)


class EventConsumer:
    """Runs the handlers of one service, one queue each."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        tables: MessagingTables,
        connection_factory: Callable[[], Any],
        handlers: dict[str, Handler],
        topology: Topology = TOPOLOGY,
        max_deliveries: int = 5,
        retry_backoff: float = 0.5,
        max_backoff: float = 10.0,
        prefetch: int = 100,
    ):
        self.session_factory = session_factory
        self.processed_table = tables.processed_events
        self.connection_factory = connection_factory
        self.handlers = handlers
        self.topology = topology
        self.max_deliveries = max_deliveries
        self.retry_backoff = retry_backoff
        self.max_backoff = max_backoff
        self.prefetch = prefetch
        self.stats = ConsumerStats()
        self._publisher: Publisher | None = None

    # ------------------------------------------------------------------ one message

    def handle(self, queue_name: str, body: bytes, headers: dict[str, Any]) -> str:
        """Process one message; returns 'processed', 'duplicate', 'retried' or 'dead_lettered'.

        The caller acks the message after this returns (whatever the outcome) and never before.
        """
        return self.handle_batch([(queue_name, body, headers)])[0]

    def handle_batch(self, batch: list[tuple[str, bytes, dict[str, Any]]]) -> list[str]:
        """Process messages in one transaction, each in its own savepoint, so one commit serves many.

        A message whose handler fails rolls back only its savepoint and is retried or dead-lettered after
        the others are committed. Returns one outcome per message, in order.
        """
        outcomes: list[str | None] = [None] * len(batch)
        failures: list[tuple[int, Exception, dict[str, Any]]] = []
        parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for i, (queue_name, body, headers) in enumerate(batch):
            try:
                envelope, data = parse_envelope(json.loads(body))
                parsed.append((i, envelope, data))
            except (ValueError, ValidationError, KeyError) as exc:
                # a message that breaks the contract never gets better: straight to the dead letters
                attempt = int(headers.get(ATTEMPT_HEADER) or 1)
                self._dead_letter(queue_name, body, headers, attempt, f"contract: {exc}")
                outcomes[i] = "dead_lettered"
        known_failures: dict[int, Exception] = {}
        if parsed and not self._fast_path(batch, parsed, outcomes, known_failures):
            session = self.session_factory()
            try:
                for i, envelope, data in parsed:
                    queue_name = batch[i][0]
                    outcomes[i], error = self._apply(
                        session, queue_name, envelope, data, known_failures.get(i)
                    )
                    if error is not None:
                        failures.append((i, error, envelope))
                session.commit()
            except Exception:
                session.rollback()
                session.close()
                if len(batch) == 1:
                    raise
                log.warning("batch commit failed; processing its %d messages one by one", len(batch))
                return [self.handle(*item) for item in batch]
            finally:
                session.close()
        for i, outcome in enumerate(outcomes):
            if outcome == "processed":
                self.stats.processed += 1
                self.stats.last_event_at[batch[i][0]] = time.time()
            elif outcome == "duplicate":
                self.stats.duplicates += 1
        for i, error, envelope in failures:
            queue_name, body, headers = batch[i]
            attempt = int(headers.get(ATTEMPT_HEADER) or 1)
            outcomes[i] = self._failed(queue_name, body, headers, attempt, error, envelope)
        return [o or "processed" for o in outcomes]

    def _fast_path(
        self,
        batch: list[tuple[str, bytes, dict[str, Any]]],
        parsed: list[tuple[int, dict[str, Any], dict[str, Any]]],
        outcomes: list[str | None],
        known_failures: dict[int, Exception],
    ) -> bool:
        """Whole batch in one transaction without savepoints: record every event id with one
        INSERT .. ON CONFLICT DO NOTHING RETURNING (which also tells the duplicates), run the handlers,
        commit. Returns False (having rolled back) when anything fails, so the caller redoes the batch
        message by message in savepoints."""
        if len(parsed) < 2:
            return False
        session = self.session_factory()
        try:
            dialect = session.get_bind().dialect.name
            upsert: Any
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as upsert
            elif dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as upsert
            else:
                return False
            now = datetime.now(UTC)
            rows, seen = [], set()
            for i, envelope, _data in parsed:
                key = (envelope["id"], batch[i][0])
                if key not in seen:
                    seen.add(key)
                    rows.append({"event_id": key[0], "consumer": key[1], "processed_at": now})
            t = self.processed_table
            statement = upsert(t).values(rows).on_conflict_do_nothing().returning(t.c.event_id, t.c.consumer)
            fresh = {(r.event_id, r.consumer) for r in session.execute(statement)}
            for i, envelope, data in parsed:
                key = (envelope["id"], batch[i][0])
                if key not in fresh:
                    outcomes[i] = "duplicate"
                    continue
                fresh.discard(key)  # a second copy in the same batch is a duplicate too
                try:
                    self.handlers[batch[i][0]](session, envelope, data)
                except Exception as exc:
                    known_failures[i] = exc  # not run again in the careful pass: it failed this delivery
                    raise
                outcomes[i] = "processed"
            session.commit()
            return True
        except Exception:  # noqa: BLE001 - redo carefully, one savepoint per message
            session.rollback()
            for i, _e, _d in parsed:
                outcomes[i] = None
            return False
        finally:
            session.close()

    def _apply(
        self,
        session: Session,
        queue_name: str,
        envelope: dict[str, Any],
        data: dict[str, Any],
        known_failure: Exception | None = None,
    ) -> tuple[str, Exception | None]:
        """Record the event id and run the handler inside a savepoint of the batch's transaction."""
        savepoint = session.begin_nested()
        try:
            session.execute(
                insert(self.processed_table).values(
                    event_id=envelope["id"], consumer=queue_name, processed_at=datetime.now(UTC)
                )
            )
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            log.info("duplicate event ignored", extra={"event_id": envelope["id"], "queue": queue_name})
            return "duplicate", None
        try:
            if known_failure is not None:
                raise known_failure
            self.handlers[queue_name](session, envelope, data)
            session.flush()
            savepoint.commit()
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
            savepoint.rollback()
            return "failed", exc
        return "processed", None

    def _failed(
        self,
        queue_name: str,
        body: bytes,
        headers: dict[str, Any],
        attempt: int,
        exc: Exception,
        envelope: dict[str, Any],
    ) -> str:
        reason = f"{type(exc).__name__}: {exc}"
        log.warning(
            "handler failed",
            extra={
                "queue": queue_name,
                "event_id": envelope["id"],
                "attempt": attempt,
                "error": reason,
                "correlation_id": envelope.get("correlation_id"),
            },
        )
        if attempt >= self.max_deliveries:
            self._dead_letter(queue_name, body, headers, attempt, reason)
            return "dead_lettered"
        delay = min(self.retry_backoff * (2 ** (attempt - 1)), self.max_backoff)
        time.sleep(delay)
        self._republish(
            Outgoing(
                message_id=envelope["id"],
                routing_key=queue_name,
                body=body,
                headers={**headers, ATTEMPT_HEADER: attempt + 1, ERROR_HEADER: reason[:500]},
                exchange="",
            )
        )
        self.stats.retried += 1
        return "retried"

    def _dead_letter(
        self, queue_name: str, body: bytes, headers: dict[str, Any], attempt: int, reason: str
    ) -> None:
        spec = self.topology.queue(queue_name)
        self._republish(
            Outgoing(
                message_id=str(headers.get("message_id") or uuid.uuid4()),
                routing_key=spec.dead_letter_queue,
                body=body,
                headers={
                    **headers,
                    ATTEMPT_HEADER: attempt,
                    ERROR_HEADER: reason[:500],
                    QUEUE_HEADER: queue_name,
                },
                exchange=self.topology.dead_letter_exchange,
            )
        )
        self.stats.dead_lettered += 1
        log.error("event dead-lettered", extra={"queue": queue_name, "attempt": attempt, "error": reason})

    def _republish(self, out: Outgoing) -> None:
        if self._publisher is None:
            self._publisher = Publisher(
                self.connection_factory(), self.topology, max_deliveries=self.max_deliveries
            )
        try:
            result = self._publisher.publish([out])
        except BrokerUnavailable:
            self._publisher.reset()
            raise
        if out.message_id not in result.confirmed:
            raise BrokerUnavailable(f"could not republish to {out.routing_key}")

    # ------------------------------------------------------------------ the loop

    def run(self, stop: threading.Event, *, idle_timeout: float = 1.0) -> None:
        """Consume until `stop` is set, reconnecting with backoff when the broker goes away."""
        backoff = 0.5
        while not stop.is_set():
            conn = self.connection_factory()
            try:
                connect(conn)
                declare_topology(conn, self.topology, max_deliveries=self.max_deliveries)
                if is_embedded(conn):
                    recover_orphans(Path(conn.transport_options["unacked_folder"]).parent.parent)
                self._consume(conn, stop, idle_timeout)
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - reconnect on any broker trouble
                if stop.is_set():
                    break
                log.warning("consumer connection lost, reconnecting in %.1fs: %s", backoff, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)
            finally:
                with contextlib.suppress(Exception):  # a broken connection may fail to release: it is gone
                    conn.release()
        if self._publisher is not None:
            self._publisher.close()

    def _consume(self, conn: Any, stop: threading.Event, idle_timeout: float) -> None:
        embedded = is_embedded(conn)
        consumers = []
        pending: list[tuple[str, Any]] = []
        for queue_name in self.handlers:
            queue = Queue(
                queue_name,
                durable=True,
                no_declare=True,
                queue_arguments=queue_arguments(self.topology, queue_name, self.max_deliveries, embedded),
            )
            channel = conn.channel()
            consumer = conn.Consumer(
                queues=[queue],
                channel=channel,
                on_message=lambda message, q=queue_name: pending.append((q, message)),
                prefetch_count=self.prefetch,
                accept=["json"],
            )
            consumer.consume()
            consumers.append(consumer)
        try:
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=idle_timeout)
                    # take what has already arrived, up to the prefetch, before committing once for all
                    while len(pending) < self.prefetch:
                        conn.drain_events(timeout=0.005)
                except TimeoutError:
                    if not embedded:
                        conn.heartbeat_check()
                if pending:
                    self._process(pending)
                    pending.clear()
        finally:
            for consumer in consumers:
                with contextlib.suppress(Exception):  # cancelling on a dead channel fails: nothing to cancel
                    consumer.cancel()

    def _process(self, pending: list[tuple[str, Any]]) -> None:
        batch = []
        for queue_name, message in pending:
            headers = dict(message.headers or {})
            headers.setdefault("message_id", message.properties.get("message_id"))
            batch.append((queue_name, message.body, headers))
        self.handle_batch(batch)
        for _queue_name, message in pending:  # ack only after the effects are committed
            message.ack()
