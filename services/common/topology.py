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


CLAIM_EVENTS = (
    "subsidy.claim.created",
    "subsidy.claim.approved",
    "subsidy.claim.rejected",
    "subsidy.claim.paid",
)

# Every event type has at least one consumer: an event no queue takes is unroutable and stays in the outbox.
TOPOLOGY = Topology(
    queues=(
        QueueSpec("subsidy.on_duty_completed", ("roster.duty.completed",)),
        QueueSpec("subsidy.on_lawyer_upserted", ("roster.lawyer.upserted",)),
        QueueSpec("subsidy.on_station_upserted", ("roster.station.upserted",)),
        QueueSpec("gateway.on_lawyer_upserted", ("roster.lawyer.upserted",)),
        QueueSpec("gateway.on_roster_published", ("roster.roster.published",)),
        QueueSpec("gateway.on_duty_changed", ("roster.duty.changed",)),
        QueueSpec("gateway.on_swap_changed", ("roster.swap.changed",)),
        QueueSpec("gateway.on_claim_changed", CLAIM_EVENTS),
        QueueSpec("gateway.on_budget_threshold_reached", ("subsidy.budget.threshold_reached",)),
    )
)


def rabbitmq_definitions(
    topology: Topology = TOPOLOGY,
    *,
    vhost: str = "/",
    max_deliveries: int = 5,
    user: str = "legalduty",
    password_hash: str = "",
) -> dict:
    """The topology as a RabbitMQ definitions file (deploy/rabbitmq/definitions.json is generated from it)."""
    queues, bindings = [], []
    for spec in topology.queues:
        queues.append(
            {
                "name": spec.name,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {
                    "x-queue-type": "quorum",
                    "x-delivery-limit": max_deliveries,
                    "x-dead-letter-exchange": topology.dead_letter_exchange,
                    "x-dead-letter-routing-key": spec.dead_letter_queue,
                },
            }
        )
        queues.append(
            {
                "name": spec.dead_letter_queue,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {"x-queue-type": "quorum"},
            }
        )
        for key in spec.routing_keys:
            bindings.append(
                {
                    "source": topology.exchange,
                    "vhost": vhost,
                    "destination": spec.name,
                    "destination_type": "queue",
                    "routing_key": key,
                    "arguments": {},
                }
            )
        bindings.append(
            {
                "source": topology.dead_letter_exchange,
                "vhost": vhost,
                "destination": spec.dead_letter_queue,
                "destination_type": "queue",
                "routing_key": spec.dead_letter_queue,
                "arguments": {},
            }
        )
    return {
        "users": [
            {
                "name": user,
                "password_hash": password_hash,
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": ["administrator"],
            }
        ],
        "vhosts": [{"name": vhost}],
        "permissions": [{"user": user, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}],
        "exchanges": [
            {
                "name": topology.exchange,
                "vhost": vhost,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            },
            {
                "name": topology.dead_letter_exchange,
                "vhost": vhost,
                "type": "direct",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            },
        ],
        "queues": queues,
        "bindings": bindings,
        "policies": [],
    }


def rabbitmq_password_hash(password: str, salt: bytes) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    import base64
    import hashlib

    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


if __name__ == "__main__":
    import json
    import sys

    # python -m services.common.topology > deploy/rabbitmq/definitions.json
    json.dump(
        rabbitmq_definitions(password_hash=rabbitmq_password_hash("legalduty", b"\x90\x8f\x8e\x8d")),
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")
