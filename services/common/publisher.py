"""Publishing with persistent delivery and a per-message answer: RabbitMQ with pipelined publisher confirms and
`mandatory` returns (an event no queue is bound to comes back unroutable); the embedded transport by looking
the routing up before writing."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import amqp
from kombu import Connection

from services.common.connections import BrokerUnavailable, connect, is_embedded
from services.common.queues import declare_topology
from services.common.topology import TOPOLOGY, Topology

CONFIRM_TIMEOUT = 10.0


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
        with contextlib.suppress(Exception):  # the connection is already broken
            self.conn.release()
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
