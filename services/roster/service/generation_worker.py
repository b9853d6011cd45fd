"""The generation worker: generates the rosters too large to generate within a request.

One roster at a time, in one clear sequence, each step its own short transaction:

1. `claim_queued_roster`: take the oldest queued roster (queued -> generating); another worker may win it.
2. `load_problem`: read everything the roster is generated against, then close the transaction.
3. `solve`: run the solver with no transaction open, reporting progress now and then (`ProgressReport`).
4. `store_generated`: replace the roster's assignments with the result (-> generated).
5. on any failure, `mark_failed` (-> failed, with the reason the scheduler sees).

A roster left generating by a killed worker is queued again when the worker starts (`requeue_abandoned`).
"""

from __future__ import annotations

import logging
import threading
import time as clock
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
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


@dataclass(frozen=True)
class Claim:
    roster_id: str
    ours: bool  # False: another worker claimed it first


def claim_queued_roster(sessions: Sessions) -> Claim | None:
    """Mark the oldest queued roster generating; None when none is queued."""
    with sessions() as session:
        roster_id = session.scalar(
            select(RosterRow.id)
            .where(RosterRow.status == RosterStatus.QUEUED)
            .order_by(RosterRow.updated_at)
            .limit(1)
        )
        if roster_id is None:
            session.rollback()
            return None
        claimed = session.execute(
            update(RosterRow)
            .where(RosterRow.id == roster_id, RosterRow.status == RosterStatus.QUEUED)
            .values(status=str(RosterStatus.GENERATING), progress=0.0)
        )
        session.commit()
    return Claim(roster_id, ours=bool(getattr(claimed, "rowcount", 0)))


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

    def __init__(self, sessions: Sessions, roster_id: str) -> None:
        self.sessions, self.roster_id, self.last = sessions, roster_id, 0.0

    def __call__(self, fraction: float) -> None:
        if clock.monotonic() - self.last < REPORT_EVERY and fraction < 1.0:
            return
        self.last = clock.monotonic()
        with self.sessions() as session:
            session.execute(
                update(RosterRow)
                .where(RosterRow.id == self.roster_id)
                .values(progress=round(min(fraction, 0.99), 3))
            )
            session.commit()


def solve(problem: RosterProblem, progress: Callable[[float], None]) -> Result:
    """Generate the roster; no transaction is open meanwhile."""
    return generate(problem, progress=progress)


def store_generated(
    sessions: Sessions, roster_id: str, problem: RosterProblem, result: Result, calendar: WorkCalendar
) -> None:
    with sessions() as session:
        row = session.get(RosterRow, roster_id)
        assert row is not None
        store_result(session, row, problem, result, calendar)
        session.commit()


def mark_failed(sessions: Sessions, roster_id: str, reason: Exception) -> None:
    with sessions() as session:
        row = session.get(RosterRow, roster_id)
        assert row is not None
        failed = lifecycle.failed(as_roster(row), reason=str(reason))
        session.execute(
            update(RosterRow)
            .where(RosterRow.id == roster_id)
            .values(status=str(failed.status), error=failed.error)
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
        problem, calendar = load_problem(sessions, claim.roster_id)
        result = solve(problem, ProgressReport(sessions, claim.roster_id))
        store_generated(sessions, claim.roster_id, problem, result, calendar)
    except Exception as exc:
        log.exception("roster generation failed", extra={"roster_id": claim.roster_id})
        mark_failed(sessions, claim.roster_id, exc)
    return True


def requeue_abandoned(sessions: Sessions) -> None:
    """Queue again the rosters a killed worker left generating."""
    with sessions() as session:
        session.execute(
            update(RosterRow)
            .where(RosterRow.status == RosterStatus.GENERATING)
            .values(status=str(RosterStatus.QUEUED))
        )
        session.commit()


def generation_loop(sessions: Sessions) -> Callable[[threading.Event], None]:
    """The generation worker's background job: generate queued rosters until stopped."""

    def loop(stop: threading.Event) -> None:
        requeue_abandoned(sessions)
        while not stop.is_set():
            try:
                if not run_queued_generation(sessions):
                    stop.wait(1.0)
            except Exception:
                log.exception("generation loop error")
                stop.wait(5.0)

    loop.__name__ = "roster-generation"
    return loop
