"""Broker connections on both transports, the topology declaration and a publisher with confirms.

Embedded mode uses kombu's filesystem transport, hardened so that a consumer killed mid-message does not
lose it (see `SafeFilesystemTransport`). RabbitMQ mode uses py-amqp through kombu with heartbeats, bounded
connect retries, pipelined publisher confirms and `mandatory` returns.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import amqp
from kombu import Connection, Exchange, Queue
from kombu.transport import filesystem

from services.common.topology import TOPOLOGY, Topology

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
CONFIRM_TIMEOUT = 10.0
HEARTBEAT = 30
CONNECT_RETRIES = 3


class BrokerUnavailable(RuntimeError):
    """The broker cannot be reached within the bounded retries."""


# ---------------------------------------------------------------------------------------------- embedded


def broker_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "broker"


class SafeFilesystemChannel(filesystem.Channel):
    """Filesystem channel that parks a delivered message in `unacked/<pid>/` until it is acked.

    kombu's own filesystem channel deletes the file on delivery, so a consumer killed before ack loses
    the message. Here ack (or reject) removes the parked file and `recover_orphans` puts back the files
    of dead processes.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._parked: dict[str, str] = {}

    @property
    def unacked_folder(self) -> str:
        folder = os.path.join(self.transport_options["unacked_folder"], str(os.getpid()))
        os.makedirs(folder, exist_ok=True)
        return folder

    def _get(self, queue: str, timeout: Any = None) -> dict[str, Any]:
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            parked = os.path.join(self.unacked_folder, filename)
            try:
                os.rename(os.path.join(self.data_folder_in, filename), parked)
            except OSError:
                continue  # another consumer took it
            with open(parked, "rb") as f:
                payload = json.loads(f.read())
            self._parked[payload["properties"]["delivery_tag"]] = parked
            return payload
        raise Empty()

    def _unpark(self, delivery_tag: str) -> None:
        path = self._parked.pop(delivery_tag, None)
        if path:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def basic_ack(self, delivery_tag: Any, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple=multiple)
        self._unpark(delivery_tag)

    def basic_reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue=requeue)
        self._unpark(delivery_tag)

    def _restore(self, message: Any) -> None:
        super()._restore(message)
        self._unpark(message.delivery_tag)


class SafeFilesystemTransport(filesystem.Transport):
    Channel = SafeFilesystemChannel


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_orphans(data_dir: Path) -> int:
    """Put back the messages that dead consumer processes had taken but not acked."""
    root = broker_dir(data_dir)
    unacked, messages = root / "unacked", root / "messages"
    count = 0
    if not unacked.exists():
        return 0
    for folder in unacked.iterdir():
        if not folder.name.isdigit() or _pid_alive(int(folder.name)):
            continue
        for file in folder.iterdir():
            os.rename(file, messages / file.name)
            count += 1
        folder.rmdir()
    if count:
        log.warning("recovered %d unacked messages of dead consumers", count)
    return count


# ---------------------------------------------------------------------------------------------- connect


def connection_for(data_dir: Path, broker_url: str | None) -> Connection:
    """A kombu connection (not yet connected) for the embedded transport or RabbitMQ."""
    if not broker_url:
        root = broker_dir(data_dir)
        for sub in ("messages", "control", "unacked", "processed"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        return Connection(
            transport=SafeFilesystemTransport,
            transport_options={
                "data_folder_in": str(root / "messages"),
                "data_folder_out": str(root / "messages"),
                "control_folder": str(root / "control"),
                "processed_folder": str(root / "processed"),
                "unacked_folder": str(root / "unacked"),
                "store_processed": False,
                "polling_interval": 0.05,
            },
        )
    return Connection(
        broker_url,
        heartbeat=HEARTBEAT,
        connect_timeout=CONNECT_TIMEOUT,
        # a blocked broker (memory alarm) must not hang a publish forever
        transport_options={"confirm_publish": False, "max_retries": CONNECT_RETRIES, "write_timeout": 10},
    )


def is_embedded(conn: Connection) -> bool:
    return isinstance(conn.transport, filesystem.Transport)


def connect(conn: Connection, retries: int = CONNECT_RETRIES) -> Connection:
    """Connect with a bounded number of retries (kombu's default is to retry forever)."""
    try:
        conn.ensure_connection(max_retries=retries, interval_start=0.2, interval_step=0.5, interval_max=2)
    except Exception as exc:  # kombu raises OperationalError / socket errors
        raise BrokerUnavailable(str(exc)) from exc
    return conn


def queue_arguments(topology: Topology, queue_name: str, max_deliveries: int, embedded: bool) -> dict[str, Any]:
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
                Queue(spec.name, exchange, routing_key=rk, durable=True, queue_arguments=args, no_declare=i > 0)
            )
        queues.append(
            Queue(spec.dead_letter_queue, dlx, routing_key=spec.dead_letter_queue, durable=True,
                  queue_arguments=dlq_args)
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


# ---------------------------------------------------------------------------------------------- publish


@dataclass
class Outgoing:
    message_id: str
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    exchange: str | None = None  # None = the topology's exchange; "" = the default exchange


@dataclass
class PublishResult:
    confirmed: list[str]
    unroutable: list[str]
    failed: list[str]


class Publisher:
    """Publishes batches with persistent delivery and learns, per message, whether the broker took it."""

    def __init__(self, conn: Connection, topology: Topology = TOPOLOGY, *, max_deliveries: int = 5):
        self.conn = conn
        self.topology = topology
        self.max_deliveries = max_deliveries
        self._channel: Any = None
        self._next_tag = 1

    def _ensure(self) -> None:
        if self._channel is not None:
            return
        connect(self.conn)
        declare_topology(self.conn, self.topology, max_deliveries=self.max_deliveries)
        if is_embedded(self.conn):
            self._channel = self.conn.default_channel
        else:
            raw: amqp.Connection = self.conn.connection
            channel = raw.channel()
            channel.confirm_select()
            self._channel = channel
            self._next_tag = 1  # confirms count deliveries per channel from 1

    def reset(self) -> None:
        self._channel = None
        try:
            self.conn.release()
        except Exception:  # noqa: BLE001 - the connection is already broken
            pass
        self.conn = self.conn.clone()

    def publish(self, batch: Iterable[Outgoing]) -> PublishResult:
        batch = list(batch)
        self._ensure()
        if is_embedded(self.conn):
            return self._publish_embedded(batch)
        return self._publish_amqp(batch)

    def _publish_embedded(self, batch: list[Outgoing]) -> PublishResult:
        producer = self.conn.Producer(channel=self._channel)
        channel = self._channel
        result = PublishResult([], [], [])
        for out in batch:
            exchange = self.topology.exchange if out.exchange is None else out.exchange
            if exchange:
                table = channel.get_table(exchange)
                routed = channel.typeof(exchange, "topic").lookup(table, exchange, out.routing_key, None)
                if not routed:
                    result.unroutable.append(out.message_id)
                    continue
            producer.publish(
                out.body,
                exchange=exchange,
                routing_key=out.routing_key,
                headers=out.headers,
                message_id=out.message_id,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                retry=False,
            )
            result.confirmed.append(out.message_id)
        return result

    def _publish_amqp(self, batch: list[Outgoing]) -> PublishResult:
        channel = self._channel
        pending: dict[int, str] = {}
        returned: set[str] = set()
        acked: set[str] = set()
        nacked: set[str] = set()

        def on_ack(delivery_tag: int, multiple: bool) -> None:
            for tag in [t for t in pending if t == delivery_tag or (multiple and t <= delivery_tag)]:
                acked.add(pending.pop(tag))

        def on_nack(delivery_tag: int, multiple: bool) -> None:
            for tag in [t for t in pending if t == delivery_tag or (multiple and t <= delivery_tag)]:
                nacked.add(pending.pop(tag))

        def on_return(exc: Exception, exchange: str, routing_key: str, message: Any) -> None:
            returned.add(message.properties.get("message_id"))

        channel.events["basic_ack"] = {on_ack}
        channel.events["basic_nack"] = {on_nack}
        channel.events["basic_return"] = {on_return}
        tag = self._next_tag
        try:
            for out in batch:
                exchange = self.topology.exchange if out.exchange is None else out.exchange
                msg = amqp.Message(
                    out.body,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=out.message_id,
                    application_headers=out.headers,
                )
                pending[tag] = out.message_id
                tag += 1
                channel.basic_publish(msg, exchange=exchange, routing_key=out.routing_key, mandatory=True)
            self._next_tag = tag
            deadline = time.monotonic() + CONFIRM_TIMEOUT
            while pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrokerUnavailable(f"{len(pending)} publisher confirms not received in time")
                try:
                    self.conn.connection.drain_events(timeout=min(remaining, 1.0))
                except TimeoutError:
                    continue
        except BrokerUnavailable:
            self.reset()
            raise
        except Exception as exc:
            self.reset()
            raise BrokerUnavailable(str(exc)) from exc
        unroutable = [m for m in acked if m in returned]
        return PublishResult(
            confirmed=[o.message_id for o in batch if o.message_id in acked and o.message_id not in returned],
            unroutable=unroutable,
            failed=[o.message_id for o in batch if o.message_id in nacked],
        )

    def heartbeat(self) -> None:
        """Keep an idle RabbitMQ connection alive (py-amqp sends heartbeats only when asked)."""
        if self._channel is not None and not is_embedded(self.conn):
            try:
                self.conn.heartbeat_check()
            except Exception:  # noqa: BLE001 - the next publish reconnects
                self.reset()

    def close(self) -> None:
        try:
            if self._channel is not None and not is_embedded(self.conn):
                self._channel.close()
        except Exception:  # noqa: BLE001
            pass
        self._channel = None
        self.conn.release()


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
        try:
            channel.close()
        except Exception:  # noqa: BLE001
            pass
    return queues, dead
