"""What the roster use cases do with stored rows: new ids and times, load one or refuse, optimistic
locking on the version, a row's fields as the plain dict a use case returns, ids in chunks for IN queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from services.roster.service.errors import NotFound, Stale

T = TypeVar("T")


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC)


def load(session: Session, model: type[T], id_: str, what: str) -> T:
    """The stored row `id_` of `model`, or NotFound naming `what`."""
    row = session.get(model, id_)
    if row is None:
        raise NotFound(f"no {what} {id_}")
    return row


def check_version(row: Any, expected: int | None, what: str) -> None:
    """Optimistic locking: refuse a write based on an older version (Stale)."""
    if expected is not None and row.version != expected:
        raise Stale(
            f"the {what} was changed by someone else (version {row.version}, you had {expected}); "
            "reload it and try again"
        )


def touch(row: Any) -> None:
    row.version = (row.version or 0) + 1
    row.updated_at = now()


def columns(row: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def in_chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Distinct values, sorted, in lists of `size` (one `IN (...)` query each)."""
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]
