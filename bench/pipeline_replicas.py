"""The event pipeline with 1 and with N consumer processes, and one relay's publishing rate, on RabbitMQ +
PostgreSQL (fresh vhost and database each): the figures `python -m bench.drill` prints beside the drill's.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import psycopg

from bench.drill import PG_ADMIN, RABBIT, rabbitmqctl


def relay_rate(events: int) -> dict[str, Any]:
    """How fast one relay empties an outbox of `events` rows into RabbitMQ (publishing only)."""
    from sqlalchemy import MetaData, func, select

    from services.common.connections import connection_for
    from services.common.db import make_engine, make_session_factory
    from services.common.outbox import add_messaging_tables
    from services.common.publisher import Publisher
    from services.common.relay import Relay

    vhost, dbname = f"bench_relay_{uuid.uuid4().hex[:8]}", f"bench_relay_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        metadata = MetaData()
        tables = add_messaging_tables(metadata)
        engine = make_engine(f"{PG_ADMIN.rsplit('/', 1)[0]}/{dbname}")
        metadata.create_all(engine)
        factory = make_session_factory(engine, metadata)
        topology = _topology()
        _fill_outbox(factory, events)
        publisher = Publisher(
            connection_for(Path(mkdtemp()), f"amqp://guest:guest@{RABBIT}/{vhost}"), topology
        )
        relay = Relay(session_factory=factory, tables=tables, publisher=publisher, batch_size=500)
        started = time.perf_counter()
        while relay.run_once():
            pass
        took = time.perf_counter() - started
        with factory() as session:
            left = session.scalar(
                select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
            )
        publisher.close()
        engine.dispose()
        return {
            "events": events,
            "left": left,
            "seconds": round(took, 3),
            "events_per_s": round(events / took, 1),
        }
    finally:
        rabbitmqctl("delete_vhost", vhost)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def consumer_replicas(events: int, replicas: int) -> dict[str, Any]:
    """The event pipeline (outbox -> relay -> RabbitMQ -> consumer -> committed effect) with `replicas`
    consumer processes."""
    return _pipeline_with(events, replicas)


def _consume(db_url: str, amqp_url: str, data_dir: str, topology: Any, stop: Any) -> None:
    from sqlalchemy import Column, Integer, MetaData, String, Table

    from services.common.connections import connection_for
    from services.common.consumer import EventConsumer
    from services.common.db import make_engine, make_session_factory
    from services.common.outbox import add_messaging_tables

    metadata = MetaData()
    effects = Table(
        "effects", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(36))
    )
    tables = add_messaging_tables(metadata)
    factory = make_session_factory(make_engine(db_url), metadata)

    def handler(session: Any, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        session.execute(effects.insert().values(event_id=envelope["id"]))

    consumer = EventConsumer(
        session_factory=factory,
        tables=tables,
        connection_factory=lambda: connection_for(Path(data_dir), amqp_url),
        handlers={topology.queues[0].name: handler},
        topology=topology,
    )
    event = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), event.set()), daemon=True).start()
    consumer.run(event)


def _pipeline_with(events: int, replicas: int) -> dict[str, Any]:
    import multiprocessing

    from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

    from bench.event_pipeline import run_relay
    from services.common.db import make_engine, make_session_factory
    from services.common.outbox import add_messaging_tables

    vhost, dbname = f"bench_pipe_{uuid.uuid4().hex[:8]}", f"bench_pipe_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    db_url, amqp_url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{dbname}", f"amqp://guest:guest@{RABBIT}/{vhost}"
    data_dir = mkdtemp()
    try:
        metadata = MetaData()
        effects = Table(
            "effects", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(36))
        )
        add_messaging_tables(metadata)
        engine = make_engine(db_url)
        metadata.create_all(engine)
        factory = make_session_factory(engine, metadata)
        topology = _topology()
        _fill_outbox(factory, events)
        ctx = multiprocessing.get_context("spawn")
        stop = ctx.Event()
        consumers = [
            ctx.Process(target=_consume, args=(db_url, amqp_url, data_dir, topology, stop))
            for _ in range(replicas)
        ]
        for proc in consumers:
            proc.start()
        time.sleep(3)  # the consumers declare the queue and connect before the relay publishes
        relay = ctx.Process(target=run_relay, args=(db_url, amqp_url, data_dir, topology, stop))
        started = time.perf_counter()
        relay.start()
        count = 0
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with factory() as session:
                count = int(session.scalar(select(func.count()).select_from(effects)) or 0)
            if count >= events:
                break
            time.sleep(0.05)
        took = time.perf_counter() - started
        stop.set()
        for proc in [relay, *consumers]:
            proc.join(15)
        engine.dispose()
        return {
            "consumers": replicas,
            "events": count,
            "seconds": round(took, 3),
            "events_per_s": round(count / took, 1),
        }
    finally:
        rabbitmqctl("delete_vhost", vhost)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _topology() -> Any:
    """A topology of its own for one run: an exchange, its dead-letter exchange and one consumer queue."""
    from services.common.topology import QueueSpec, Topology

    suffix = uuid.uuid4().hex[:8]
    return Topology(
        f"bench.{suffix}",
        f"bench.{suffix}.dlx",
        (QueueSpec(f"bench{suffix}.on_lawyer_upserted", ("roster.lawyer.upserted",)),),
    )


def _fill_outbox(factory: Any, events: int) -> None:
    """`events` roster.lawyer.upserted events written to the outbox, 500 a transaction."""
    from bench.event_pipeline import lawyer
    from services.common.db import UnitOfWork

    for start in range(0, events, 500):
        with UnitOfWork(factory, producer="bench") as uow:
            for i in range(start, min(events, start + 500)):
                uow.emit("roster.lawyer.upserted", lawyer(i))
            uow.commit()
