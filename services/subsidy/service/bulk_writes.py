"""What the bulk paths share: chunk sizes, lookups of many values at once, and many events into the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, Select, String, bindparam, func, select

from services.common.events import make_envelope
from services.subsidy.adapters.fast_insert import insert_many
from services.subsidy.adapters.orm import outbox
from services.subsidy.service.claims import new_ids
from services.subsidy.service.unit_of_work import PRODUCER, Unit

CHUNK = 5000
IN_CHUNK = 900  # ids per IN (...) list: under SQLite's parameter limit


def matching(unit: Unit, column: Any, values: list[str], *where: Any) -> list[Select[Any]]:
    """Queries of `column`'s values among `values`: on PostgreSQL one join with the values as an array (a hash
    join whatever the planner thinks of a table just filled: an IN list of bound parameters in a prepared,
    generic plan is searched row by row, seconds for a few thousand claims), elsewhere IN lists in chunks."""
    if unit.session.get_bind().dialect.name == "postgresql":
        given = (
            func.unnest(bindparam("values", values, type_=ARRAY(String)))
            .table_valued("value")
            .render_derived()
        )
        return [select(column).join(given, column == given.c.value).where(*where)]
    return [
        select(column).where(*where, column.in_(values[start : start + IN_CHUNK]))
        for start in range(0, len(values), IN_CHUNK)
    ]


def _envelopes(
    event_type: str, data: list[dict[str, Any]], *, correlation_id: str | None
) -> list[dict[str, Any]]:
    """Outbox rows for many events of one type, all of one shape: the first is built and validated by the
    contract's own `make_envelope`, the rest the same way without validating each again."""
    if not data:
        return []
    now = datetime.now(UTC)
    first = make_envelope(event_type, data[0], producer=PRODUCER, correlation_id=correlation_id)
    compact: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
    # everything but the event id and the claim's own fields, as the first envelope spells it
    head = json.dumps(
        {k: first[k] for k in ("type", "version", "occurred_at", "producer", "correlation_id")}, **compact
    )[1:-1]
    text = json.encoder.encode_basestring  # a JSON string literal, as json.dumps writes one
    rows = [
        {
            "event_id": first["id"],
            "event_type": event_type,
            "body": json.dumps(first, **compact),
            "created_at": now,
            "attempts": 0,
            "unroutable": False,
        }
    ]
    for item, event_id in zip(data[1:], new_ids(len(data) - 1), strict=True):
        body = (
            f'{{"id":"{event_id}",{head},"data":{{"claim_id":{text(item["claim_id"])},'
            f'"kind":"{item["kind"]}","lawyer_id":{text(item["lawyer_id"])},'
            f'"amount":"{item["amount"]:f}","status":"{item["status"]}",'
            f'"service_date":"{item["service_date"].isoformat()}"}}}}'
        )
        rows.append(
            {
                "event_id": event_id,
                "event_type": event_type,
                "body": body,
                "created_at": now,
                "attempts": 0,
                "unroutable": False,
            }
        )
    return rows


def emit_many(unit: Unit, event_type: str, data: list[dict[str, Any]]) -> None:
    rows = _envelopes(event_type, data, correlation_id=getattr(unit, "correlation_id", None))
    insert_many(unit.session.connection(), outbox, rows, chunk=CHUNK)
