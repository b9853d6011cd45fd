"""Broker connections on both transports: the embedded filesystem transport (no broker URL) or RabbitMQ
through py-amqp, with heartbeats and bounded connect retries."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection
from kombu.transport import filesystem

from services.common.embedded_transport import SafeFilesystemTransport, broker_dir

CONNECT_TIMEOUT = 5.0
HEARTBEAT = 30
CONNECT_RETRIES = 3


class BrokerUnavailable(RuntimeError):
    """The broker cannot be reached within the bounded retries."""


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
