"""Many rows into one table straight through the driver, for the bulk paths: executemany in chunks on SQLite,
COPY on PostgreSQL (in the caller's transaction either way).

SQLAlchemy Core's executemany runs its type processing for every row in Python; for the append-only rows a
bulk import writes two of per claim (audit records, outbox events) that is a good share of the import's
time. `insert_many` converts each column's value once, by its type, exactly as Core would store it (JSON as
`json.dumps` text unless the caller gives the text, instants in UTC in SQLite's DATETIME text form, booleans
as 0/1 on SQLite); only the column types these tables use are supported, anything else is refused rather
than stored differently. `insert_as_core` (the claims of an import) runs every value through its column
type's own bind processor, as Core's executemany does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.exc import DBAPIError

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _sqlite_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: give timestamps a time zone")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _pg_instant(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: give timestamps a time zone")
    return value.astimezone(UTC)


def _sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _last(convert: Convert) -> Convert:
    """`convert` remembering its last answer: a bulk write stamps most rows with the same instant."""
    memo: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not memo[0]:
            memo[0], memo[1] = value, convert(value)
        return memo[1]

    return cached


def _converter(column_type: Any, dialect: str) -> Convert:
    kind = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(kind, JSON):
        return _json
    if isinstance(kind, DateTime):
        return _last(_sqlite_instant if dialect == "sqlite" else _pg_instant)
    if isinstance(kind, Boolean):
        return _sqlite_bool if dialect == "sqlite" else _same
    if isinstance(kind, String | Text | Integer | BigInteger):
        return _same
    raise TypeError(f"fast_insert does not store {column_type!r} columns")


def insert_many(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    chunk: int = 5000,
    json_text: Collection[str] = (),
) -> None:
    """INSERT the rows (all with the same keys): on SQLite in chunks of `chunk`, one executemany each.

    `json_text`: JSON columns whose values the caller has already written as JSON text (or None)."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"unsupported database {dialect.name}")  # pragma: no cover
    names = list(rows[0])
    for name in json_text:
        if not isinstance(table.c[name].type, JSON):
            raise TypeError(f"{table.name}.{name} is no JSON column")
    converters = [
        _same if name in json_text else _converter(table.c[name].type, dialect.name) for name in names
    ]
    _execute(connection, table, rows, names, converters, chunk=chunk)


def insert_as_core(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, chunk: int = 5000
) -> None:
    """INSERT the rows (all with the same keys) as Core's executemany stores them, every value through its
    column type's own bind processor (JSON None as JSON null, as Core writes it), without Core's per-row
    machinery around it. A JSON value shared by many rows (the same object) is serialised once."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"unsupported database {dialect.name}")  # pragma: no cover
    names = list(rows[0])
    converters: list[Convert] = []
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            converters.append(_shared(_core_json(column_type, dialect)))
            continue
        process = column_type._cached_bind_processor(dialect)  # what Core calls for each value
        converters.append(_same if process is None else _last(process))  # (rows share instants, Nones)
    _execute(connection, table, rows, names, converters, chunk=chunk)


def _core_json(column_type: JSON, dialect: Any) -> Convert:
    """JSON as Core's bind processor writes it (None as JSON null unless the column says none_as_null), as
    text: on PostgreSQL Core hands psycopg the value wrapped to be dumped by the same serialiser."""
    serialise = getattr(dialect, "_json_serializer", None) or json.dumps

    def process(value: Any) -> Any:
        return None if value is None and column_type.none_as_null else serialise(value)

    return process


def _shared(convert: Convert) -> Convert:
    """`convert` answering once per object (by identity; the rows being written keep the objects alive)."""
    memo: dict[int, Any] = {}

    def cached(value: Any) -> Any:
        key = id(value)
        if key not in memo:
            memo[key] = convert(value)
        return memo[key]

    return cached


def _execute(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    names: list[str],
    converters: list[Convert],
    *,
    chunk: int,
) -> None:
    pick = itemgetter(*names)
    changes = [(i, convert) for i, convert in enumerate(converters) if convert is not _same]

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        found = list(pick(row)) if len(names) > 1 else [pick(row)]
        for i, convert in changes:
            found[i] = convert(found[i])
        return tuple(found)

    quote = connection.dialect.identifier_preparer.quote
    columns = f"{quote(table.name)} ({', '.join(quote(n) for n in names)})"
    if connection.dialect.name == "postgresql":
        _copy(connection, f"COPY {columns} FROM STDIN", (values(row) for row in rows))
        return
    statement = f"INSERT INTO {columns} VALUES ({', '.join('?' for _ in names)})"
    for start in range(0, len(rows), chunk):
        connection.exec_driver_sql(statement, [values(row) for row in rows[start : start + chunk]])


def _copy(connection: Connection, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY of the rows, in the connection's transaction (the values adapted by psycopg as for an
    INSERT's parameters); its errors raised as SQLAlchemy's (IntegrityError for a duplicate)."""
    import psycopg

    cursor: Any = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()
