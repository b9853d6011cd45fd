"""List and replay dead letters: `python -m services.<service> deadletters list|replay <queue> [event-id...]`."""

from __future__ import annotations

import json
from typing import Any

from kombu import Connection, Queue

from services.common.connections import connect, connection_for
from services.common.consumer import ATTEMPT_HEADER, ERROR_HEADER
from services.common.publisher import Outgoing, Publisher
from services.common.queues import declare_topology
from services.common.settings import Settings
from services.common.topology import TOPOLOGY, Topology


def _drain(conn: Connection, queue_name: str, limit: int = 10_000) -> list[Any]:
    """Take up to `limit` messages from a queue without acking them."""
    channel = conn.channel()
    taken = []
    bound = Queue(queue_name, no_declare=True)(channel)
    for _ in range(limit):
        message = bound.get(no_ack=False)
        if message is None:
            break
        taken.append(message)
    return taken


def list_dead_letters(
    conn: Connection, queue_name: str, topology: Topology = TOPOLOGY, max_deliveries: int = 5
) -> list[dict[str, Any]]:
    """What is in `<queue>.dlq`, without removing it."""
    connect(conn)
    declare_topology(conn, topology, max_deliveries=max_deliveries)
    spec = topology.queue(queue_name)
    messages = _drain(conn, spec.dead_letter_queue)
    out = []
    for message in messages:
        body = message.body if isinstance(message.body, (bytes, str)) else json.dumps(message.body)
        try:
            envelope = json.loads(body)
        except ValueError:
            envelope = {"raw": str(body)[:200]}
        headers = message.headers or {}
        out.append(
            {
                "event_id": envelope.get("id"),
                "type": envelope.get("type"),
                "attempts": headers.get(ATTEMPT_HEADER) or headers.get("x-delivery-count"),
                "error": headers.get(ERROR_HEADER) or "delivery limit reached",
            }
        )
    for message in messages:
        message.reject(requeue=True)
    return out


def replay(
    conn: Connection,
    queue_name: str,
    event_ids: set[str] | None = None,
    topology: Topology = TOPOLOGY,
    max_deliveries: int = 5,
) -> int:
    """Move dead letters (all, or the given event ids) back to their queue with a fresh attempt count."""
    connect(conn)
    declare_topology(conn, topology, max_deliveries=max_deliveries)
    spec = topology.queue(queue_name)
    publisher = Publisher(conn.clone(), topology, max_deliveries=max_deliveries)
    replayed = 0
    try:
        messages = _drain(conn, spec.dead_letter_queue)
        for message in messages:
            body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
            try:
                event_id = json.loads(body).get("id")
            except ValueError:
                event_id = None
            if event_ids is not None and event_id not in event_ids:
                message.reject(requeue=True)
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-death")}
            headers[ATTEMPT_HEADER] = 1
            headers["x-legalduty-replayed"] = int(headers.get("x-legalduty-replayed") or 0) + 1
            out = Outgoing(
                message_id=event_id or "replay",
                routing_key=queue_name,
                body=body,
                headers=headers,
                exchange="",
            )
            result = publisher.publish([out])
            if out.message_id in result.confirmed:
                message.ack()
                replayed += 1
            else:
                message.reject(requeue=True)
    finally:
        publisher.close()
    return replayed


def cli(settings: Settings, args: list[str]) -> int:
    if len(args) < 2 or args[0] not in ("list", "replay"):
        print("usage: deadletters list|replay <queue> [event-id ...]")
        print("queues:", ", ".join(q.name for q in TOPOLOGY.queues))
        return 2
    conn = connection_for(settings.data_dir, settings.broker_url)
    try:
        if args[0] == "list":
            for row in list_dead_letters(conn, args[1], max_deliveries=settings.max_deliveries):
                print(json.dumps(row, ensure_ascii=False))
        else:
            ids = set(args[2:]) or None
            print(f"replayed {replay(conn, args[1], ids, max_deliveries=settings.max_deliveries)}")
    except TimeoutError:
        print("broker did not answer")
        return 1
    finally:
        conn.release()
    return 0
