"""The audit trail, stored: append records to the hash chain in the caller's transaction, verify it.

The chain is one sequence, so its appenders must queue: on the one `audit_head` row (SELECT .. FOR UPDATE on
PostgreSQL; SQLite's write transactions already run one at a time). Every writing use case calls `begin`
before it reads what it will change, so the head is always the first lock a writer takes: no two writers
can wait for each other (no deadlocks), every check a writer makes (budget left, monthly cap, overlapping
schemes) sees what the writer before it committed, and the chain never forks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.paging import page, where_given
from services.subsidy.adapters.fast_insert import insert_many
from services.subsidy.adapters.orm import AuditHead, AuditRecordRow, audit_table
from services.subsidy.domain.audit import (
    GENESIS_HASH,
    AuditRecord,
    json_text,
    record_hash,
    record_hash_of_texts,
    verify_chain,
)
from services.subsidy.service.unit_of_work import Unit, insert_or_nothing

HEAD_ID = 1


def jsonable(value: Any) -> Any:
    """A value as it is stored in JSON (and hashed): Decimals and dates as text."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def begin(unit: Unit) -> None:
    """Take this transaction's place in the queue of writers (call it first in every writing use case)."""
    _lock_head(unit)


def _lock_head(unit: Unit) -> AuditHead:
    session = unit.session
    session.execute(insert_or_nothing(unit, AuditHead).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
    return session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _fields(seq: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": entry["at"],
        "actor": entry["actor"],
        "action": entry["action"],
        "entity": entry["entity"],
        "entity_id": entry["entity_id"],
        "before": entry.get("before"),
        "after": entry.get("after"),
        "reason": entry.get("reason"),
    }


def record(
    unit: Unit,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> int:
    """Append one audit record in the caller's transaction; returns its sequence number."""
    return record_many(
        unit,
        [
            {
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
                "reason": reason,
            }
        ],
    )


def record_many(
    unit: Unit, entries: Sequence[Mapping[str, Any]], *, chunk: int = 5000, json_ready: bool = False
) -> int:
    """Append records in order (one lock, batched inserts); returns the last sequence number.

    Before and after are stored as their canonical JSON text (`json_text`: sorted keys, compact).
    `json_ready`: the entries' before/after already hold only JSON values (str, int, bool, None, lists and
    dicts of them; no floats), as `jsonable` makes them; then each record is hashed from those texts
    (`record_hash_of_texts`, the same digest) instead of walking its values again."""
    if not entries:
        raise ValueError("nothing to record")
    head = _lock_head(unit)
    seq, prev = head.seq, head.hash
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        before, after = entry.get("before"), entry.get("after")
        if not json_ready:
            before = None if before is None else jsonable(before)
            after = None if after is None else jsonable(after)
        row = {
            "seq": seq,
            "at": entry.get("at") or now,
            "actor": entry["actor"],
            "action": entry["action"],
            "entity": entry["entity"],
            "entity_id": entry["entity_id"],
            "before": None if before is None else json_text(before),
            "after": None if after is None else json_text(after),
            "reason": entry.get("reason"),
            "prev_hash": prev,
        }
        if json_ready:
            prev = record_hash_of_texts(
                prev,
                seq=seq,
                at=row["at"],
                actor=row["actor"],
                action=row["action"],
                entity=row["entity"],
                entity_id=row["entity_id"],
                reason=row["reason"],
                before=row["before"],
                after=row["after"],
            )
        else:
            prev = record_hash(prev, _fields(seq, {**row, "before": before, "after": after}))
        row["hash"] = prev
        rows.append(row)
    insert_many(unit.session.connection(), audit_table, rows, chunk=chunk, json_text=("before", "after"))
    head.seq, head.hash = seq, prev
    unit.session.flush()
    return seq


def _stored(session: Session) -> Iterator[AuditRecord]:
    statement = select(audit_table).order_by(audit_table.c.seq).execution_options(yield_per=2000)
    for row in session.execute(statement):
        fields = _fields(row.seq, dict(row._mapping))
        yield AuditRecord(id=str(row.seq), fields=fields, prev_hash=row.prev_hash, hash=row.hash)


def verify(unit: Unit) -> dict[str, Any]:
    """Check every record's link and content, and that none was cut off the end; name the first bad one."""
    session = unit.session
    count = session.execute(select(func.count()).select_from(audit_table)).scalar_one()
    bad = verify_chain(_stored(session))
    head = session.get(AuditHead, HEAD_ID)
    result: dict[str, Any] = {
        "ok": True,
        "records": count,
        "first_bad": None,
        "detail": "the audit chain is intact",
    }
    if bad is not None:
        row = session.get(AuditRecordRow, int(bad))
        result.update(
            ok=False,
            first_bad=_describe(row),
            detail=f"audit record {bad} was changed, removed or reordered: its hash or link does not check out",
        )
        return result
    last = session.execute(
        select(audit_table.c.seq, audit_table.c.hash).order_by(audit_table.c.seq.desc()).limit(1)
    ).first()
    last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash):
        result.update(
            ok=False,
            first_bad={
                "seq": last_seq + 1,
                "at": None,
                "actor": None,
                "action": None,
                "entity": None,
                "entity_id": None,
            },
            detail=f"the chain ends at record {last_seq} but its head says {head.seq}: records were removed from the end",
        )
    return result


def _describe(row: AuditRecordRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "seq": row.seq,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
    }


def list_records(
    unit: Unit, *, entity: str | None = None, entity_id: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """Audit records, newest first, optionally of one entity."""
    statement = where_given(
        select(AuditRecordRow), (AuditRecordRow.entity, entity), (AuditRecordRow.entity_id, entity_id)
    )
    return page(
        unit.session,
        statement,
        order_by=(AuditRecordRow.seq.desc(),),
        limit=limit,
        offset=offset,
        view=_record_view,
    )


def _record_view(r: AuditRecordRow) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "at": r.at,
        "actor": r.actor,
        "action": r.action,
        "entity": r.entity,
        "entity_id": r.entity_id,
        "before": r.before,
        "after": r.after,
        "reason": r.reason,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    }
