"""Transactional outbox and processed-events tables, and the writer used inside a unit of work.

Each service adds the two tables to its metadata once, in its `adapters/orm.py`
(`add_messaging_tables(metadata)`), and hands them on: the unit of work writes events to `outbox`, the relay
publishes from it, the consumer records each handled event id in `processed_events`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

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

from services.common.columns import UTCDateTime
from services.common.events import make_envelope

ID_TYPE = BigInteger().with_variant(Integer, "sqlite")
OUTBOX = "outbox"
PROCESSED_EVENTS = "processed_events"


class MessagingTables(NamedTuple):
    """A service's outbox (events written with its state, for the relay to publish) and processed-events
    key (the events its consumers handled)."""

    outbox: Table
    processed_events: Table


def add_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Add the outbox and processed-events tables to a service's metadata (once, where it defines its tables)."""
    outbox = Table(
        OUTBOX,
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
        PROCESSED_EVENTS,
        metadata,
        Column("event_id", String(36), nullable=False),
        Column("consumer", String(100), nullable=False),
        Column("processed_at", UTCDateTime(), nullable=False),
        PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
    )
    return MessagingTables(outbox, processed)


def messaging_tables_of(metadata: MetaData) -> MessagingTables:
    """The messaging tables `add_messaging_tables` added to this metadata."""
    try:
        return MessagingTables(metadata.tables[OUTBOX], metadata.tables[PROCESSED_EVENTS])
    except KeyError:
        raise LookupError(
            "this metadata has no outbox: call services.common.outbox.add_messaging_tables(metadata) "
            "where the service defines its tables"
        ) from None


def add_event(
    session: Session,
    outbox: Table,
    event_type: str,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
) -> str:
    """Validate an event and write it to the outbox in the session's transaction; returns its id."""
    envelope = make_envelope(event_type, data, producer=producer, correlation_id=correlation_id)
    session.execute(
        insert(outbox).values(
            event_id=envelope["id"],
            event_type=event_type,
            body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":")),
            created_at=datetime.now(UTC),
            attempts=0,
            unroutable=False,
        )
    )
    return envelope["id"]
