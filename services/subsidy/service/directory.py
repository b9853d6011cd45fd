"""The subsidy service's copies of roster lawyers and stations, kept from roster's events.

Events arrive at least once and in any order: an older version arriving after a newer one changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.subsidy.adapters.orm import LawyerEntry, StationEntry
from services.subsidy.service.unit import Unit


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _newer(known: datetime | None, incoming: datetime | None) -> bool:
    """Whether an event from `incoming` may overwrite what was copied from `known`."""
    if known is None or incoming is None:
        return True
    return _utc(incoming) >= _utc(known)  # type: ignore[operator]


def upsert_lawyer(unit: Unit, *, lawyer: dict[str, Any], occurred_at: datetime | None) -> bool:
    """Copy a lawyer's contract fields; returns False when the stored copy is newer."""
    entry = unit.session.get(LawyerEntry, lawyer["id"])
    if entry is not None and not _newer(entry.source_at, occurred_at):
        return False
    entry = entry or LawyerEntry(id=lawyer["id"])
    entry.name = lawyer["name"]
    entry.license_no = lawyer["license_no"]
    entry.status = lawyer["status"]
    entry.region_code = lawyer["region_code"]
    entry.languages = list(lawyer.get("languages") or [])
    entry.source_at = _utc(occurred_at)
    entry.updated_at = datetime.now(UTC)
    unit.session.add(entry)
    unit.session.flush()
    return True


def upsert_station(unit: Unit, *, station: dict[str, Any], occurred_at: datetime | None) -> bool:
    """Copy a station's contract fields; returns False when the stored copy is newer."""
    entry = unit.session.get(StationEntry, station["id"])
    if entry is not None and not _newer(entry.source_at, occurred_at):
        return False
    entry = entry or StationEntry(id=station["id"])
    entry.name = station["name"]
    entry.level = station["level"]
    entry.region_code = station["region_code"]
    entry.parent_id = station.get("parent_id")
    entry.source_at = _utc(occurred_at)
    entry.updated_at = datetime.now(UTC)
    unit.session.add(entry)
    unit.session.flush()
    return True
