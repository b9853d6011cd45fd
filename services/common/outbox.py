"""Transactional outbox and processed-events tables, and the writer used inside a unit of work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.orm import Session

from services.common.db import UTCDateTime
from services.common.events import make_envelope

ID_TYPE = BigInteger().with_variant(Integer, "sqlite")


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the outbox and processed-events tables to a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Column("unroutable", Boolean, nullable=False, default=False),
        Index("ix_outbox_unpublished", "published_at", "id"),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), nullable=False),
        Column("consumer", String(100), nullable=False),
        Column("processed_at", UTCDateTime(), nullable=False),
        PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
    )
    return outbox, processed


def outbox_table(session: Session) -> Table:
    return _tables(session)[0]


_REGISTRY: dict[int, tuple[Table, Table]] = {}


def register(metadata: MetaData) -> tuple[Table, Table]:
    """Create (once) and remember the messaging tables of a metadata."""
    key = id(metadata)
    if key not in _REGISTRY:
        _REGISTRY[key] = messaging_tables(metadata)
    return _REGISTRY[key]


def _tables(session: Session) -> tuple[Table, Table]:
    metadata = session.info.get("metadata")
    if metadata is None:
        raise RuntimeError("session has no metadata in session.info; use services.common.db sessions")
    return register(metadata)


def add_event(
    session: Session, event_type: str, data: dict[str, Any], *, producer: str, correlation_id: str | None = None
) -> str:
    """Validate an event and write it to the outbox in the session's transaction; returns its id."""
    envelope = make_envelope(event_type, data, producer=producer, correlation_id=correlation_id)
    session.execute(
        insert(outbox_table(session)).values(
            event_id=envelope["id"],
            event_type=event_type,
            body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":")),
            created_at=datetime.now(UTC),
            attempts=0,
            unroutable=False,
        )
    )
    return envelope["id"]
