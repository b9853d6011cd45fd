"""A roster's lifecycle: draft -> (queued -> generating ->) generated -> published, or failed.

A small roster is generated at once; a large one is queued for the worker, which claims it (generating),
solves it and stores the result (generated) or the reason it could not (failed). A generated or failed
roster may be generated again; only a generated one is published, and a published one never changes but by
swap or reassignment. Objects are immutable: every transition returns a new one and the caller stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import Conflict, Invalid

MAX_PERIOD_DAYS = 92


class RosterStatus(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    GENERATING = "generating"
    GENERATED = "generated"
    FAILED = "failed"
    PUBLISHED = "published"


# rosters whose duties are real: they count against a lawyer elsewhere, can be swapped and exported
SCHEDULED = (RosterStatus.GENERATED, RosterStatus.PUBLISHED)


@dataclass(frozen=True, kw_only=True)
class Roster:
    id: str
    status: RosterStatus
    progress: float = 0.0
    error: str | None = None
    generated_at: datetime | None = None
    published_at: datetime | None = None


def check_period(first: date, last: date) -> None:
    """A roster covers at least one day and at most three months."""
    if last < first:
        raise Invalid(
            "the period ends before it starts", errors={"period_end": ["must not be before period_start"]}
        )
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(
            "a roster covers at most three months",
            errors={"period_end": [f"at most {MAX_PERIOD_DAYS} days after start"]},
        )


def check_can_generate(roster: Roster) -> None:
    """A published roster is not generated again, and one under way is not started twice."""
    if roster.status == RosterStatus.PUBLISHED:
        raise Conflict("a published roster is not generated again; change duties by swap or reassignment")
    if roster.status in (RosterStatus.QUEUED, RosterStatus.GENERATING):
        raise Conflict("this roster is already being generated; follow its progress")


def queue(roster: Roster) -> Roster:
    """Leave the roster to the worker."""
    check_can_generate(roster)
    return replace(roster, status=RosterStatus.QUEUED, progress=0.0, error=None)


def generated(roster: Roster, *, at: datetime) -> Roster:
    """The solver's result is stored: the roster can be checked, exported and published."""
    return replace(roster, status=RosterStatus.GENERATED, progress=1.0, error=None, generated_at=at)


def failed(roster: Roster, *, reason: str) -> Roster:
    """The worker could not generate the roster; the scheduler sees why and may try again."""
    return replace(roster, status=RosterStatus.FAILED, error=f"generation failed: {reason}"[:1000])


def publish(roster: Roster, *, at: datetime) -> Roster:
    """Lawyers see their duties of a published roster."""
    if roster.status != RosterStatus.GENERATED:
        raise Conflict(f"only a generated roster can be published; this one is {roster.status}")
    return replace(roster, status=RosterStatus.PUBLISHED, published_at=at)


def check_exportable(roster: Roster) -> None:
    """Only a roster with duties is laid out as a workbook."""
    if roster.status not in SCHEDULED:
        raise Conflict(f"the roster is {roster.status}; generate it before exporting it")
