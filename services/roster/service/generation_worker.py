"""The generation worker: generates the rosters too large to generate within a request.

One roster at a time, in one clear sequence, each step its own short transaction:

1. `claim_queued_roster`: take the oldest queued roster (queued -> generating) under a lease of LEASE;
   another worker may win it. While it solves, the worker renews the lease every RENEW_EVERY seconds
   (`LeaseRenewal`).
2. `load_problem`: read everything the roster is generated against, then close the transaction.
3. `solve`: run the solver with no transaction open, reporting progress now and then (`ProgressReport`).
4. `store_generated`: replace the roster's assignments with the result (-> generated).
5. on any failure, `mark_failed` (-> failed, with the reason the scheduler sees).

Any number of workers may run. A worker that dies stops renewing: once its lease has run out, the next
worker looking for work takes the roster over (still `generating`, lease expired) and generates it from the
start. Steps 4 and 5 write only while the lease is still the worker's own (the roster row locked), so a
worker that was merely slow and lost its roster leaves the new owner's work alone. A worker that starts
never touches a roster whose lease holds: its owner is alive.
"""

from __future__ import annotations

import logging
import threading
import time as clock
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.roster.adapters.orm import RosterRow
from services.roster.domain import rosters as lifecycle
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.model import RosterProblem
from services.roster.domain.rosters import RosterStatus
from services.roster.domain.solver import Result, generate
from services.roster.service.calendar import load_calendar
from services.roster.service.problem import build_problem
from services.roster.service.rosters import as_roster, store_result

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]
REPORT_EVERY = 0.5  # seconds between progress writes
LEASE = timedelta(seconds=30)  # a claim not renewed for this long is a dead worker's: another takes it over
RENEW_EVERY = 10.0  # seconds between renewals, well inside LEASE (a busy database may delay one)


@dataclass(frozen=True)
class Claim:
    roster_id: str
    ours: bool  # False: another worker claimed it first
    owner: str = ""  # the lease's owner: this claim's own id


def _takeable(now: datetime) -> ColumnElement[bool]:
    """Queued, or generating under a lease that ran out (no lease: a roster left by a worker before leases)."""
    expired = or_(RosterRow.lease_until.is_(None), RosterRow.lease_until < now)
    return or_(
        RosterRow.status == RosterStatus.QUEUED, and_(RosterRow.status == RosterStatus.GENERATING, expired)
    )


def claim_queued_roster(sessions: Sessions, *, now: datetime | None = None) -> Claim | None:
    """Mark the oldest queued roster (or one whose worker's lease ran out) generating under a lease of ours;
    None when there is none."""
    now = now or datetime.now(UTC)
    owner = uuid.uuid4().hex
    with sessions() as session:
        roster_id = session.scalar(
            select(RosterRow.id).where(_takeable(now)).order_by(RosterRow.updated_at).limit(1)
        )
        if roster_id is None:
            session.rollback()
            return None
        claimed = session.execute(
            update(RosterRow)
            .where(RosterRow.id == roster_id, _takeable(now))
            .values(
                status=str(RosterStatus.GENERATING), progress=0.0, lease_owner=owner, lease_until=now + LEASE
            )
        )
        session.commit()
    return Claim(roster_id, ours=bool(getattr(claimed, "rowcount", 0)), owner=owner)


def renew_lease(sessions: Sessions, claim: Claim, *, now: datetime | None = None) -> bool:
    """Extend the claim's lease by LEASE; False when the roster is no longer ours."""
    now = now or datetime.now(UTC)
    with sessions() as session:
        renewed = session.execute(
            update(RosterRow)
            .where(
                RosterRow.id == claim.roster_id,
                RosterRow.lease_owner == claim.owner,
                RosterRow.status == RosterStatus.GENERATING,
            )
            .values(lease_until=now + LEASE)
        )
        session.commit()
    return bool(getattr(renewed, "rowcount", 0))


class LeaseRenewal:
    """Renews a claim's lease every RENEW_EVERY seconds from a thread, while the solver runs."""

    def __init__(self, sessions: Sessions, claim: Claim) -> None:
        self.sessions, self.claim, self.done = sessions, claim, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{claim.roster_id[:8]}")

    def _run(self) -> None:
        while not self.done.wait(RENEW_EVERY):
            try:
                if not renew_lease(self.sessions, self.claim):
                    log.warning("roster generation lease lost", extra={"roster_id": self.claim.roster_id})
                    return
            except Exception:  # a database hiccup: the next renewal may succeed, LEASE allows it
                log.exception(
                    "roster generation lease renewal failed", extra={"roster_id": self.claim.roster_id}
                )

    def __enter__(self) -> LeaseRenewal:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=RENEW_EVERY)


def _still_ours(session: Session, claim: Claim) -> RosterRow | None:
    """The claimed roster, locked until the transaction ends, when the claim still holds; None otherwise."""
    row = session.get(RosterRow, claim.roster_id, with_for_update=True, populate_existing=True)
    if row is None or row.status != RosterStatus.GENERATING or row.lease_owner != claim.owner:
        log.warning(
            "roster taken over by another worker: result dropped", extra={"roster_id": claim.roster_id}
        )
        return None
    return row


def load_problem(sessions: Sessions, roster_id: str) -> tuple[RosterProblem, WorkCalendar]:
    """What the roster is generated against, read in one transaction that is closed before solving."""
    with sessions() as session:
        row = session.get(RosterRow, roster_id)
        assert row is not None
        calendar = load_calendar(session)
        problem = build_problem(session, row, calendar)
        session.rollback()
    return problem, calendar


class ProgressReport:
    """Writes the solver's progress on the roster, at most every REPORT_EVERY seconds (the last one always)."""

    def __init__(self, sessions: Sessions, roster_id: str, owner: str | None = None) -> None:
        self.sessions, self.roster_id, self.owner, self.last = sessions, roster_id, owner, 0.0

    def __call__(self, fraction: float) -> None:
        if clock.monotonic() - self.last < REPORT_EVERY and fraction < 1.0:
            return
        self.last = clock.monotonic()
        ours = (
            [RosterRow.lease_owner == self.owner] if self.owner else []
        )  # a lost roster's progress is not ours
        with self.sessions() as session:
            session.execute(
                update(RosterRow)
                .where(RosterRow.id == self.roster_id, *ours)
                .values(progress=round(min(fraction, 0.99), 3))
            )
            session.commit()


def solve(problem: RosterProblem, progress: Callable[[float], None]) -> Result:
    """Generate the roster; no transaction is open meanwhile."""
    return generate(problem, progress=progress)


def store_generated(
    sessions: Sessions, claim: Claim, problem: RosterProblem, result: Result, calendar: WorkCalendar
) -> bool:
    """Store the result while the claim holds (-> generated); False, and nothing written, when it does not."""
    with sessions() as session:
        row = _still_ours(session, claim)
        if row is None:
            session.rollback()
            return False
        store_result(session, row, problem, result, calendar)
        row.lease_owner, row.lease_until = None, None
        session.commit()
    return True


def mark_failed(sessions: Sessions, claim: Claim, reason: Exception) -> None:
    """The roster failed, with the reason the scheduler sees, when the claim still holds."""
    with sessions() as session:
        row = _still_ours(session, claim)
        if row is None:
            session.rollback()
            return
        failed = lifecycle.failed(as_roster(row), reason=str(reason))
        session.execute(
            update(RosterRow)
            .where(RosterRow.id == claim.roster_id)
            .values(status=str(failed.status), error=failed.error, lease_owner=None, lease_until=None)
        )
        session.commit()


def run_queued_generation(sessions: Sessions) -> bool:
    """Generate one queued roster (the worker's job); returns whether there was one."""
    claim = claim_queued_roster(sessions)
    if claim is None:
        return False
    if not claim.ours:
        return True
    try:
        with LeaseRenewal(sessions, claim):
            problem, calendar = load_problem(sessions, claim.roster_id)
            result = solve(problem, ProgressReport(sessions, claim.roster_id, claim.owner))
            store_generated(sessions, claim, problem, result, calendar)
    except Exception as exc:  # the scheduler sees the failure on the roster
        log.exception("roster generation failed", extra={"roster_id": claim.roster_id})
        mark_failed(sessions, claim, exc)
    return True


def generation_loop(sessions: Sessions) -> Callable[[threading.Event], None]:
    """The generation worker's background job: generate queued rosters until stopped."""

    def loop(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if not run_queued_generation(sessions):
                    stop.wait(1.0)
            except Exception:
                log.exception("generation loop error")
                stop.wait(5.0)

    loop.__name__ = "roster-generation"
    return loop
