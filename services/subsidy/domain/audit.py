"""The audit trail: append-only records, each carrying the hash of the one before it.

Editing, deleting or reordering a stored record breaks the chain at that record (or at the next
one, when whoever edited it also recomputed its own hash). Removing records from the end is only
seen when the caller also keeps the latest hash somewhere else and compares it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64


_PLAIN = (str, int, bool, type(None))


def _canonical(value: Any) -> Any:
    """A JSON-ready value with one spelling per meaning: Decimals as plain strings, dates ISO, UTC instants."""
    kind = type(value)
    if kind in _PLAIN:  # the common cases first (exact types: a StrEnum member goes the Enum way below)
        return value
    if kind is dict:
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return _canonical(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return _canonical_decimal(value)
    if isinstance(value, float):
        raise ValueError("audit records hold no floats; use Decimal")
    if isinstance(value, datetime):
        return _canonical_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise ValueError(f"cannot hash a {type(value).__name__} in an audit record")


def _canonical_decimal(value: Decimal) -> str:
    """1.5 and 1.50 are the same money: the value's plain digits, not the scale a column happened to give it."""
    if not value.is_finite():
        raise ValueError(f"cannot hash the non-finite number {value!r}")
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if value == 0 else text


def _canonical_datetime(value: datetime) -> str:
    """ISO text; an aware instant in UTC, so that one moment has one spelling whatever its zone."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.isoformat()


def canonical_json(record_fields: Mapping[str, Any]) -> str:
    """The record as sorted, compact JSON text: the exact bytes that are hashed."""
    return json.dumps(_canonical(record_fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, record_fields: Mapping[str, Any]) -> str:
    """sha256 (hex) over the previous record's hash and this record's canonical JSON."""
    return _digest(prev_hash, canonical_json(record_fields))


def _digest(prev_hash: str, text: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_text(value: Any) -> str:
    """A JSON value (str, int, bool, None, and lists and str-keyed dicts of them; no floats) as canonical text:
    what `canonical_json` writes for it, and what the audit trail stores of a record's before and after."""
    return _CANONICAL.encode(value)


@lru_cache(maxsize=256)
def _instant_text(value: datetime) -> str:
    """A UTC instant's canonical JSON; the records of one bulk write share theirs (computed once)."""
    return _string(_canonical_datetime(value))


_string = json.encoder.encode_basestring  # a JSON string literal as json.dumps(ensure_ascii=False) writes it


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return str(value)
    if kind is datetime and value.tzinfo is UTC:  # (in other zones equal times may be different instants)
        return _instant_text(value)
    return "null" if value is None else json_text(_canonical(value))


def record_hash_of_texts(
    prev_hash: str,
    *,
    seq: int,
    at: Any,
    actor: Any,
    action: Any,
    entity: Any,
    entity_id: Any,
    reason: Any,
    before: str | None,
    after: str | None,
) -> str:
    """`record_hash` of a record whose before and after are given as their `json_text` (None: none): the same
    digest, written from the texts without walking the values again (a bulk import hashes thousands)."""
    text = (
        f'{{"action":{_scalar(action)},"actor":{_scalar(actor)},"after":{after or "null"},'
        f'"at":{_scalar(at)},"before":{before or "null"},"entity":{_scalar(entity)},'
        f'"entity_id":{_scalar(entity_id)},"reason":{_scalar(reason)},"seq":{_scalar(seq)}}}'
    )
    return _digest(prev_hash, text)


@dataclass(frozen=True)
class AuditRecord:
    """One stored audit record: who, when, what, before/after, reason live in `fields`."""

    id: str
    fields: Mapping[str, Any]
    prev_hash: str
    hash: str


def chain_record(*, id: str, fields: Mapping[str, Any], prev: AuditRecord | None) -> AuditRecord:
    """The record to append after `prev` (None for the first record of the chain)."""
    prev_hash = GENESIS_HASH if prev is None else prev.hash
    return AuditRecord(id=id, fields=fields, prev_hash=prev_hash, hash=record_hash(prev_hash, fields))


def verify_chain(records: Iterable[AuditRecord]) -> str | None:
    """The id of the first record whose link or content does not check out, in chain order; None when intact."""
    expected_prev = GENESIS_HASH
    for record in records:
        if record.prev_hash != expected_prev:
            return record.id
        try:
            actual = record_hash(record.prev_hash, record.fields)
        except ValueError:
            return record.id
        if actual != record.hash:
            return record.id
        expected_prev = record.hash
    return None
