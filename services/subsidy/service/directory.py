"""The subsidy service's copies of roster lawyers and stations, kept from roster's events.

Events arrive at least once and in any order: an older version arriving after a newer one changes nothing
(`services.common.copies`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.copies import copy_if_newer
from services.subsidy.adapters.orm import LawyerEntry, StationEntry
from services.subsidy.service.unit_of_work import Unit


def upsert_lawyer(unit: Unit, *, lawyer: dict[str, Any], occurred_at: datetime | None) -> bool:
    """Copy a lawyer's contract fields; returns False when the stored copy is newer."""
    return copy_if_newer(
        unit.session,
        LawyerEntry,
        lawyer["id"],
        {
            "name": lawyer["name"],
            "license_no": lawyer["license_no"],
            "status": lawyer["status"],
            "region_code": lawyer["region_code"],
            "languages": list(lawyer.get("languages") or []),
        },
        occurred_at=occurred_at,
    )


def upsert_station(unit: Unit, *, station: dict[str, Any], occurred_at: datetime | None) -> bool:
    """Copy a station's contract fields; returns False when the stored copy is newer."""
    return copy_if_newer(
        unit.session,
        StationEntry,
        station["id"],
        {
            "name": station["name"],
            "level": station["level"],
            "region_code": station["region_code"],
            "parent_id": station.get("parent_id"),
        },
        occurred_at=occurred_at,
    )
