"""Test helpers for the event bus: one object per transport/database pair, and polling with a deadline."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session, sessionmaker

from services.common.connections import connection_for
from services.common.consumer import EventConsumer, Handler
from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.outbox import add_messaging_tables, messaging_tables_of
from services.common.publisher import Publisher
from services.common.relay import Relay
from services.common.topology import QueueSpec, Topology


def make_metadata() -> tuple[MetaData, Table]:
    metadata = MetaData()
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),  # deliberately not unique: counts double effects
        Column("note", String(200)),
    )
    add_messaging_tables(metadata)
    return metadata, effects


def wait_for(
    predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll until `predicate()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


@dataclass
class Bus:
    kind: str
    data_dir: Path
    database_url: str
    broker_url: str | None
    max_deliveries: int = 3
    topology: Topology = field(default_factory=Topology)
    fresh: bool = True  # drop and create the tables (a child process joining a test passes False)

    def __post_init__(self) -> None:
        self.metadata, self.effects = make_metadata()
        self.tables = messaging_tables_of(self.metadata)
        self.engine = make_engine(self.database_url)
        if self.fresh:
            self.metadata.drop_all(self.engine)
            self.metadata.create_all(self.engine)
        self.session_factory: sessionmaker[Session] = make_session_factory(self.engine, self.metadata)
        suffix = uuid.uuid4().hex[:8]
        self.exchange = f"legal.events.t{suffix}"
        self.queue = f"test{suffix}.on_lawyer_upserted"
        self.topology = Topology(
            exchange=self.exchange,
            dead_letter_exchange=f"{self.exchange}.dlx",
            queues=(QueueSpec(self.queue, ("roster.lawyer.upserted",)),),
        )

    def connection(self) -> Any:
        return connection_for(self.data_dir, self.broker_url)

    def publisher(self) -> Publisher:
        return Publisher(self.connection(), self.topology, max_deliveries=self.max_deliveries)

    def relay(self, **kwargs: Any) -> Relay:
        return Relay(
            session_factory=self.session_factory, tables=self.tables, publisher=self.publisher(), **kwargs
        )

    def consumer(self, handler: Handler, **kwargs: Any) -> EventConsumer:
        kwargs.setdefault("retry_backoff", 0.01)
        return EventConsumer(
            session_factory=self.session_factory,
            tables=self.tables,
            connection_factory=self.connection,
            handlers={self.queue: handler},
            topology=self.topology,
            max_deliveries=self.max_deliveries,
            **kwargs,
        )

    def emit(self, n: int = 1, note: str = "x") -> list[str]:
        """Commit n state changes, each with its event, through a unit of work."""
        ids = []
        for i in range(n):
            with UnitOfWork(self.session_factory, producer="test") as uow:
                ids.append(uow.emit("roster.lawyer.upserted", lawyer_data(f"{note}-{i}")))
                uow.commit()
        return ids

    def effects_count(self, event_id: str | None = None) -> int:
        with self.session_factory() as session:
            query = select(self.effects.c.id)
            if event_id:
                query = query.where(self.effects.c.event_id == event_id)
            return len(session.execute(query).all())

    def record_effect(self, session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        session.execute(self.effects.insert().values(event_id=envelope["id"], note=data["name"]))

    def close(self) -> None:
        self.engine.dispose()


class Running:
    """A consumer (or relay) running in a thread until the block ends."""

    def __init__(self, target: Callable[[threading.Event], None]):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=target, args=(self.stop,), daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=15)


def lawyer_data(name: str = "Aygul") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "license_no": "16540202010123456",
        "status": "practising",
        "region_code": "654002",
        "languages": ["zh", "ug"],
        "max_duties_per_month": 8,
        "intern_start": None,
        "intern_end": None,
        "supervisor_id": None,
    }
