"""Event pipeline throughput on RabbitMQ + PostgreSQL: outbox → relay → broker → consumer → committed effect,
beside raw pika publish (with confirms) + consume (manual ack) of the same persistent messages, same run.

python -m bench.event_pipeline [--events N]   (prints one JSON line per measurement)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import subprocess
import threading
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp

import pika
import psycopg
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from services.common.connections import connection_for
from services.common.consumer import EventConsumer
from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.outbox import add_messaging_tables
from services.common.publisher import Publisher
from services.common.relay import Relay
from services.common.topology import QueueSpec, Topology

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def lawyer(i: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": f"lawyer {i}",
        "license_no": "16540202010123456",
        "status": "practising",
        "region_code": "654002",
        "languages": ["zh"],
        "max_duties_per_month": 8,
        "intern_start": None,
        "intern_end": None,
        "supervisor_id": None,
    }


def machine() -> dict:
    import os

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "rabbitmq": subprocess.run(
            ["rabbitmqctl", "-q", "version"], capture_output=True, text=True
        ).stdout.strip(),
        "postgresql": "15",
    }


def raw_pika(url: str, queue: str, n: int, body: bytes) -> dict:
    params = pika.URLParameters(url)
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.confirm_delivery()
    started = time.perf_counter()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    for _ in range(n):
        ch.basic_publish("", queue, body, props, mandatory=True)
    published = time.perf_counter()
    ch.basic_qos(prefetch_count=100)
    got = 0
    for method, _props, _body in ch.consume(queue, inactivity_timeout=10):
        if method is None:
            break
        ch.basic_ack(method.delivery_tag)
        got += 1
        if got == n:
            break
    ch.cancel()
    done = time.perf_counter()
    conn.close()
    return {
        "events": got,
        "seconds": round(done - started, 3),
        "publish_seconds": round(published - started, 3),
        "events_per_s": round(got / (done - started), 1),
    }


def run_relay(db_url: str, amqp_url: str, data_dir: str, topology: Topology, stop) -> None:
    metadata = MetaData()
    Table("effects", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(36)))
    tables = add_messaging_tables(metadata)
    factory = make_session_factory(make_engine(db_url), metadata)
    relay = Relay(
        session_factory=factory,
        tables=tables,
        publisher=Publisher(connection_for(Path(data_dir), amqp_url), topology),
        batch_size=500,
    )
    event = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), event.set()), daemon=True).start()
    relay.run_forever(event)


def pipeline(db_url: str, amqp_url: str, n: int, data_dir: Path) -> dict:
    metadata = MetaData()
    effects = Table(
        "effects", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(36))
    )
    tables = add_messaging_tables(metadata)
    engine = make_engine(db_url, pool_size=10)
    metadata.create_all(engine)
    factory = make_session_factory(engine, metadata)
    suffix = uuid.uuid4().hex[:8]
    topology = Topology(
        f"bench.{suffix}",
        f"bench.{suffix}.dlx",
        (QueueSpec(f"bench{suffix}.on_lawyer_upserted", ("roster.lawyer.upserted",)),),
    )
    batch = 500
    for start in range(0, n, batch):
        with UnitOfWork(factory, producer="bench") as uow:
            for i in range(start, min(n, start + batch)):
                uow.emit("roster.lawyer.upserted", lawyer(i))
            uow.commit()

    def handler(session, envelope, data):
        session.execute(effects.insert().values(event_id=envelope["id"]))

    conn_factory = lambda: connection_for(data_dir, amqp_url)  # noqa: E731
    consumer = EventConsumer(
        session_factory=factory,
        tables=tables,
        connection_factory=conn_factory,
        handlers={topology.queues[0].name: handler},
        topology=topology,
    )
    # declare the queue before the relay publishes
    warm = threading.Event()
    t = threading.Thread(target=consumer.run, args=(warm,), daemon=True)
    warm.set()
    t.start()
    t.join()
    stop = threading.Event()
    # as in production, the relay is its own process
    ctx = multiprocessing.get_context("spawn")
    relay_stop = ctx.Event()
    relay_proc = ctx.Process(target=run_relay, args=(db_url, amqp_url, str(data_dir), topology, relay_stop))
    started = time.perf_counter()
    relay_proc.start()
    threads = [threading.Thread(target=consumer.run, args=(stop,), daemon=True)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 600
    count = 0
    while time.monotonic() < deadline:
        with factory() as session:
            count = session.scalar(select(func.count()).select_from(effects))
        if count >= n:
            break
        time.sleep(0.05)
    done = time.perf_counter()
    stop.set()
    relay_stop.set()
    relay_proc.join(15)
    for th in threads:
        th.join(15)
    engine.dispose()
    return {
        "events": count,
        "seconds": round(done - started, 3),
        "events_per_s": round(count / (done - started), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args(argv)
    vhost = f"bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True
    )
    dbname = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{dbname}"')
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    db_url = f"postgresql://postgres@127.0.0.1:5432/{dbname}"
    try:
        body = json.dumps(
            {"id": str(uuid.uuid4()), "type": "roster.lawyer.upserted", "data": lawyer(0)}
        ).encode()
        raw = raw_pika(amqp_url, f"raw.{uuid.uuid4().hex[:6]}", args.events, body)
        ours = pipeline(db_url, amqp_url, args.events, Path(mkdtemp()))
        result = {
            "bench": "event_pipeline",
            "machine": machine(),
            "reference": {
                "what": "raw pika: publish with confirms, then consume with manual ack (quorum queue)",
                **raw,
            },
            "pipeline": {
                "what": "outbox (PostgreSQL) -> relay (pipelined confirms) -> RabbitMQ -> consumer "
                "(processed key + effect committed, then ack)",
                **ours,
            },
            "ratio": round(ours["events_per_s"] / raw["events_per_s"], 3),
            "goal": {"ratio": 0.5, "events_per_s": 2000},
        }
        print(json.dumps(result))
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost])
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    main()
