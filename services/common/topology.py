"""Exchanges, queues, bindings and dead-letter queues, declared from this one place.

Queue names say who consumes what (`subsidy.on_duty_completed`). Every process declares the whole
topology on connect, so the embedded transport routes exactly as RabbitMQ does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common.events import EXCHANGE

DEAD_LETTER_EXCHANGE = "legal.events.dlx"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    routing_keys: tuple[str, ...]

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


@dataclass(frozen=True)
class Topology:
    exchange: str = EXCHANGE
    dead_letter_exchange: str = DEAD_LETTER_EXCHANGE
    queues: tuple[QueueSpec, ...] = field(default_factory=tuple)

    def queue(self, name: str) -> QueueSpec:
        for spec in self.queues:
            if spec.name == name:
                return spec
        raise KeyError(f"no queue {name!r} in the topology")

    def routes(self, routing_key: str) -> list[str]:
        """Queues an event of this type reaches."""
        return [q.name for q in self.queues if routing_key in q.routing_keys]

    def with_queues(self, *extra: QueueSpec) -> Topology:
        return Topology(self.exchange, self.dead_letter_exchange, self.queues + tuple(extra))


CLAIM_EVENTS = ("subsidy.claim.created", "subsidy.claim.approved", "subsidy.claim.rejected", "subsidy.claim.paid")

# Every event type has at least one consumer: an event no queue takes is unroutable and stays in the outbox.
TOPOLOGY = Topology(
    queues=(
        QueueSpec("subsidy.on_duty_completed", ("roster.duty.completed",)),
        QueueSpec("subsidy.on_lawyer_upserted", ("roster.lawyer.upserted",)),
        QueueSpec("subsidy.on_station_upserted", ("roster.station.upserted",)),
        QueueSpec("gateway.on_lawyer_upserted", ("roster.lawyer.upserted",)),
        QueueSpec("gateway.on_roster_published", ("roster.roster.published",)),
        QueueSpec("gateway.on_duty_changed", ("roster.duty.changed",)),
        QueueSpec("gateway.on_claim_changed", CLAIM_EVENTS),
    )
)
