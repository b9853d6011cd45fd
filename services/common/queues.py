"""The topology (`topology.py`) on a live broker: declare its exchanges, queues, bindings and dead-letter
queues, and count the messages waiting in them."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import amqp
from kombu import Connection, Exchange, Queue

from services.common.connections import connect, is_embedded
from services.common.topology import TOPOLOGY, Topology


def queue_arguments(
    topology: Topology, queue_name: str, max_deliveries: int, embedded: bool
) -> dict[str, Any]:
    if embedded:
        return {}
    return {
        "x-queue-type": "quorum",
        # backstop for consumers that crash mid-message: the broker counts returns and dead-letters after
        # the limit; ordinary handler failures are counted by the consumer itself (consumer.py)
        "x-delivery-limit": max_deliveries,
        "x-dead-letter-exchange": topology.dead_letter_exchange,
        "x-dead-letter-routing-key": f"{queue_name}.dlq",
    }


def kombu_queues(
    topology: Topology, *, max_deliveries: int, embedded: bool
) -> tuple[Exchange, Exchange, list[Queue]]:
    exchange = Exchange(topology.exchange, type="topic", durable=True)
    dlx = Exchange(topology.dead_letter_exchange, type="direct", durable=True)
    queues: list[Queue] = []
    for spec in topology.queues:
        args = queue_arguments(topology, spec.name, max_deliveries, embedded)
        dlq_args = {} if embedded else {"x-queue-type": "quorum"}
        for i, rk in enumerate(spec.routing_keys):
            queues.append(
                Queue(
                    spec.name, exchange, routing_key=rk, durable=True, queue_arguments=args, no_declare=i > 0
                )
            )
        queues.append(
            Queue(
                spec.dead_letter_queue,
                dlx,
                routing_key=spec.dead_letter_queue,
                durable=True,
                queue_arguments=dlq_args,
            )
        )
    return exchange, dlx, queues


def declare_topology(conn: Connection, topology: Topology = TOPOLOGY, *, max_deliveries: int = 5) -> None:
    """Declare exchanges, queues, bindings and dead-letter queues (idempotent)."""
    embedded = is_embedded(conn)
    exchange, dlx, queues = kombu_queues(topology, max_deliveries=max_deliveries, embedded=embedded)
    channel = conn.default_channel
    exchange(channel).declare()
    dlx(channel).declare()
    for queue in queues:
        bound = queue(channel)
        if not getattr(queue, "no_declare", False):
            bound.queue_declare()
        bound.queue_bind()


def queue_depths(conn: Connection, topology: Topology = TOPOLOGY) -> tuple[dict[str, int], dict[str, int]]:
    """Messages waiting per queue and per dead-letter queue."""
    queues: dict[str, int] = {}
    dead: dict[str, int] = {}
    if is_embedded(conn):
        counts: dict[str, int] = {}
        options: dict[str, Any] = dict(conn.transport_options or {})
        folder = options["data_folder_in"]
        for filename in os.listdir(folder):
            name = filename.partition(".")[2].removesuffix(".msg")
            counts[name] = counts.get(name, 0) + 1
        for spec in topology.queues:
            queues[spec.name] = counts.get(spec.name, 0)
            dead[spec.dead_letter_queue] = counts.get(spec.dead_letter_queue, 0)
        return queues, dead
    connect(conn, retries=0)  # a scrape must stay quick when the broker is down
    channel = conn.connection.channel()
    try:
        for spec in topology.queues:
            for name, target in ((spec.name, queues), (spec.dead_letter_queue, dead)):
                try:
                    ok = channel.queue_declare(name, passive=True)
                    target[name] = ok.message_count
                except amqp.exceptions.NotFound:
                    channel = conn.connection.channel()
    finally:
        with contextlib.suppress(Exception):  # a channel the broker closed cannot be closed again
            channel.close()
    return queues, dead
