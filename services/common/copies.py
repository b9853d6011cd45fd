"""Local copies of another service's records, kept from its events.

Events arrive at least once and in any order, so a copy remembers when the event it came from happened
(`source_at`, the envelope's `occurred_at`) and only a newer (or equally new) event overwrites it: a late,
older version changes nothing. A copied model has an `id` primary key, `source_at` and `updated_at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session


def as_utc(value: datetime | None) -> datetime | None:
    """A timestamp with a time zone (a naive one, as SQLite gives back, is taken as UTC)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_newer(known: datetime | None, incoming: datetime | None) -> bool:
    """Whether an event from `incoming` may overwrite a copy made from an event of `known` (when either is
    unknown, it may)."""
    if known is None or incoming is None:
        return True
    return as_utc(incoming) >= as_utc(known)  # type: ignore[operator]


def copy_if_newer(
    session: Session, model: type[Any], key: str, values: Mapping[str, Any], *, occurred_at: datetime | None
) -> bool:
    """Insert the copy `model(id=key)` with `values`, or update it unless the stored copy came from a later
    event; returns whether it was written."""
    entry = session.get(model, key)
    if entry is not None and not is_newer(entry.source_at, occurred_at):
        return False
    entry = entry or model(id=key)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.source_at = as_utc(occurred_at)
    entry.updated_at = datetime.now(UTC)
    session.add(entry)
    session.flush()
    return True
