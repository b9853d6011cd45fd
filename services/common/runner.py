"""Long-running worker processes (relay, consumer) with clean SIGTERM/SIGINT handling."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import MetaData

from services.common.connections import connection_for
from services.common.consumer import EventConsumer, Handler
from services.common.db import make_engine, make_session_factory
from services.common.logs import configure_logging
from services.common.outbox import messaging_tables_of
from services.common.publisher import Publisher
from services.common.relay import LeaderLock, Relay
from services.common.settings import Settings

log = logging.getLogger(__name__)


def stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _handler(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


def run_relay(settings: Settings, metadata: MetaData) -> None:
    """Publish this service's outbox until stopped."""
    configure_logging(settings.service, "relay", settings.log_level)
    stop = stop_on_signals()
    engine = make_engine(settings.database_url)
    lock = LeaderLock(engine, f"{settings.service}-relay", settings.data_dir)
    log.info("relay waiting for leadership")
    if not lock.acquire(stop):
        return
    log.info("relay started")
    publisher = Publisher(
        connection_for(settings.data_dir, settings.broker_url), max_deliveries=settings.max_deliveries
    )
    relay = Relay(
        session_factory=make_session_factory(engine, metadata),
        tables=messaging_tables_of(metadata),
        publisher=publisher,
    )
    try:
        relay.run_forever(stop, leading=lock.held)
    finally:
        publisher.close()
        lock.release()
        log.info("relay stopped")


def run_worker(
    settings: Settings,
    metadata: MetaData,
    handlers: dict[str, Handler],
    background: list[Callable[[threading.Event], None]] | None = None,
) -> None:
    """Consume this service's queues (and run its background loops) until stopped."""
    configure_logging(settings.service, "worker", settings.log_level)
    stop = stop_on_signals()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine, metadata)
    threads = []
    for loop in background or []:
        thread = threading.Thread(
            target=loop, args=(stop,), daemon=True, name=getattr(loop, "__name__", "loop")
        )
        thread.start()
        threads.append(thread)
    if handlers:
        consumer = EventConsumer(
            session_factory=session_factory,
            tables=messaging_tables_of(metadata),
            connection_factory=lambda: connection_for(settings.data_dir, settings.broker_url),
            handlers=handlers,
            max_deliveries=settings.max_deliveries,
            retry_backoff=settings.retry_backoff,
        )
        log.info("worker consuming %s", sorted(handlers))
        consumer.run(stop)
    else:
        stop.wait()
    for thread in threads:
        thread.join(timeout=5)
    log.info("worker stopped")
