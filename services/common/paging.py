"""One page of a list query: the `{items, total}` every collection answers, counted and sliced in the
database (never loaded whole to be cut in Python)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def where_given(statement: Select[Any], *filters: tuple[ColumnElement[Any] | Any, Any]) -> Select[Any]:
    """`statement` narrowed to `column == value` for each (column, value) whose value was given (not None):
    the optional equality filters of a list."""
    for column, value in filters:
        if value is not None:
            statement = statement.where(column == value)
    return statement


def page(
    session: Session,
    statement: Select[Any],
    *,
    order_by: Sequence[ColumnElement[Any] | Any],
    limit: int,
    offset: int,
    view: Callable[[Any], Any] | None = None,
    scalars: bool = True,
    mappings: bool = False,
) -> dict[str, Any]:
    """Count what `statement` selects, then fetch `limit` rows from `offset` in `order_by` order.

    `scalars` picks the first column of each row (the ORM object of a `select(Model)`), `mappings` gives
    each row as a mapping of its columns; `view` turns each row into what the API answers."""
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    result = session.execute(statement.order_by(*order_by).limit(limit).offset(offset))
    rows: Sequence[Any] = (
        result.scalars().all() if scalars else result.mappings().all() if mappings else result.all()
    )
    return {"items": [view(r) for r in rows] if view else list(rows), "total": total}
