"""The gateway's copy of roster lawyers: what a copy holds, and which of two copies wins.

Copies come from two places. The roster's `roster.lawyer.upserted` events carry the time the roster made
the change (`occurred_at`); an event replaces the copy unless the copy came from a newer event (events
arrive at least once and in any order). And when a user is linked to a lawyer the directory has not heard
of yet, the gateway asks the roster: that answer is kept as a *provisional* copy (no `occurred_at`), which
any event replaces (the events, once they arrive, are the record) and which never replaces a copy an event
made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

PROFILE_FIELDS = (
    "id",
    "name",
    "license_no",
    "status",
    "region_code",
    "languages",
    "max_duties_per_month",
    "intern_start",
    "intern_end",
    "supervisor_id",
)


@dataclass(frozen=True)
class LawyerCard:
    """A roster lawyer as the directory keeps them; `source_at` is None for a provisional copy."""

    id: str
    name: str
    status: str
    region_code: str
    profile: dict[str, Any]
    source_at: datetime | None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def replaces(*, stored: bool, stored_at: datetime | None, incoming_at: datetime | None) -> bool:
    """Whether a copy made at `incoming_at` (None: provisional) replaces the stored one (if any)."""
    if not stored:
        return True
    if incoming_at is None:
        return False  # a provisional copy never replaces one the directory already holds
    return stored_at is None or _utc(incoming_at) >= _utc(stored_at)


def wire(value: Any) -> Any:
    """A loaded event value back in its JSON form (dates as ISO strings)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [wire(v) for v in value]
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def card(lawyer: dict[str, Any], *, source_at: datetime | None) -> LawyerCard:
    """A card from the roster's contract fields (an event's data, or the roster's answer)."""
    profile = {k: wire(v) for k, v in lawyer.items() if k in PROFILE_FIELDS}
    return LawyerCard(
        id=str(lawyer["id"]),
        name=str(lawyer["name"]),
        status=str(lawyer["status"]),
        region_code=str(lawyer["region_code"]),
        profile=profile,
        source_at=source_at,
    )


def profile_of(
    entry_profile: dict[str, Any] | None,
    *,
    id: str,
    name: str,
    status: str,
    region_code: str,
) -> dict[str, Any]:
    """The lawyer's profile as /api/me shows it: what the roster said, with the directory's own columns."""
    profile = dict(entry_profile or {})
    profile.update(id=id, name=name, status=status, region_code=region_code)
    return profile
