"""The lifecycles of rosters, duties and swaps, as pure domain transitions (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.roster.domain import duties, rosters, swaps
from services.roster.domain.duties import Duty, DutyStatus
from services.roster.domain.errors import Conflict, Forbidden, Invalid
from services.roster.domain.rosters import Roster, RosterStatus
from services.roster.domain.swaps import Swap, SwapStatus

AT = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
DAY = date(2026, 12, 1)


def roster(status: RosterStatus = RosterStatus.DRAFT) -> Roster:
    return Roster(id="r1", status=status)


def duty(
    status: DutyStatus = DutyStatus.SCHEDULED,
    roster_status: RosterStatus = RosterStatus.PUBLISHED,
    lawyer_id: str = "ayi",
) -> Duty:
    return Duty(id="d1", roster_status=roster_status, lawyer_id=lawyer_id, date=DAY, status=status)


def requested() -> Swap:
    return swaps.request(duty(), swap_id="s1", to_lawyer_id="li", requested_by="u-ayi", at=AT)


# ------------------------------------------------------------------------------------------------ rosters


def test_a_draft_roster_is_generated_then_published() -> None:
    done = rosters.generated(roster(), at=AT)
    assert (done.status, done.progress, done.generated_at) == (RosterStatus.GENERATED, 1.0, AT)
    published = rosters.publish(done, at=AT)
    assert published.status == RosterStatus.PUBLISHED
    assert published.published_at == AT


def test_a_large_roster_is_queued_with_its_progress_and_error_reset() -> None:
    queued = rosters.queue(
        Roster(id="r1", status=RosterStatus.FAILED, progress=0.4, error="generation failed")
    )
    assert (queued.status, queued.progress, queued.error) == (RosterStatus.QUEUED, 0.0, None)


@pytest.mark.parametrize(
    "status", [RosterStatus.DRAFT, RosterStatus.QUEUED, RosterStatus.FAILED, RosterStatus.PUBLISHED]
)
def test_only_a_generated_roster_is_published(status: RosterStatus) -> None:
    with pytest.raises(Conflict, match=f"only a generated roster can be published; this one is {status}"):
        rosters.publish(roster(status), at=AT)


def test_a_published_roster_is_not_generated_again() -> None:
    with pytest.raises(Conflict, match="change duties by swap or reassignment"):
        rosters.queue(roster(RosterStatus.PUBLISHED))


@pytest.mark.parametrize("status", [RosterStatus.QUEUED, RosterStatus.GENERATING])
def test_a_roster_under_way_is_not_started_twice(status: RosterStatus) -> None:
    with pytest.raises(Conflict, match="already being generated"):
        rosters.check_can_generate(roster(status))


@pytest.mark.parametrize("status", [RosterStatus.DRAFT, RosterStatus.GENERATED, RosterStatus.FAILED])
def test_a_draft_generated_or_failed_roster_may_be_generated(status: RosterStatus) -> None:
    rosters.check_can_generate(roster(status))


def test_a_failed_generation_tells_the_scheduler_why_in_at_most_a_thousand_characters() -> None:
    failed = rosters.failed(roster(RosterStatus.GENERATING), reason="x" * 2000)
    assert failed.status == RosterStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith("generation failed: x")
    assert len(failed.error) == 1000


def test_a_roster_covers_at_most_three_months_and_never_ends_before_it_starts() -> None:
    rosters.check_period(date(2026, 1, 1), date(2026, 4, 2))  # 92 days
    with pytest.raises(Invalid) as longer:
        rosters.check_period(date(2026, 1, 1), date(2026, 4, 3))
    assert longer.value.errors == {"period_end": ["at most 92 days after start"]}
    with pytest.raises(Invalid) as backwards:
        rosters.check_period(date(2026, 1, 2), date(2026, 1, 1))
    assert backwards.value.errors == {"period_end": ["must not be before period_start"]}


@pytest.mark.parametrize("status", [RosterStatus.DRAFT, RosterStatus.QUEUED, RosterStatus.FAILED])
def test_a_roster_without_duties_is_not_exported(status: RosterStatus) -> None:
    with pytest.raises(Conflict, match="generate it before exporting it"):
        rosters.check_exportable(roster(status))


# ------------------------------------------------------------------------------------------------ duties


def test_the_lawyer_on_duty_checks_in_on_the_day_and_out_again() -> None:
    arrived = duties.check_in(duty(), lawyer_id="ayi", today=DAY, at=AT)
    assert arrived.status == DutyStatus.CHECKED_IN
    assert arrived.checked_in_at == AT
    left = duties.check_out(arrived, lawyer_id="ayi", at=AT)
    assert left.status == DutyStatus.COMPLETED
    assert left.checked_out_at == AT


def test_another_lawyer_does_not_check_in_or_out_for_the_one_on_duty() -> None:
    with pytest.raises(Forbidden):
        duties.check_in(duty(), lawyer_id="li", today=DAY, at=AT)
    with pytest.raises(Forbidden):
        duties.check_out(duty(DutyStatus.CHECKED_IN), lawyer_id="li", at=AT)


@pytest.mark.parametrize("status", [RosterStatus.DRAFT, RosterStatus.GENERATED])
def test_no_check_in_before_the_roster_is_published(status: RosterStatus) -> None:
    with pytest.raises(Conflict, match="not published yet"):
        duties.check_in(duty(roster_status=status), lawyer_id="ayi", today=DAY, at=AT)


def test_a_check_in_on_another_day_names_the_duty_s_date() -> None:
    with pytest.raises(
        Conflict, match="this duty is on 2026-12-01; check in on that day .today is 2026-12-02."
    ):
        duties.check_in(duty(), lawyer_id="ayi", today=date(2026, 12, 2), at=AT)


def test_a_second_check_in_is_refused() -> None:
    with pytest.raises(Conflict, match="already checked in"):
        duties.check_in(duty(DutyStatus.CHECKED_IN), lawyer_id="ayi", today=DAY, at=AT)


def test_a_check_out_needs_a_check_in_and_happens_once() -> None:
    with pytest.raises(Conflict, match="check in before checking out"):
        duties.check_out(duty(), lawyer_id="ayi", at=AT)
    with pytest.raises(Conflict, match="already checked out"):
        duties.check_out(duty(DutyStatus.COMPLETED), lawyer_id="ayi", at=AT)


def test_a_scheduled_duty_changes_hands_but_not_to_its_own_lawyer() -> None:
    assert duties.reassign(duty(), to_lawyer_id="li").lawyer_id == "li"
    with pytest.raises(Conflict, match="already has this duty"):
        duties.reassign(duty(), to_lawyer_id="ayi")


def test_a_duty_once_checked_in_no_longer_changes_hands() -> None:
    with pytest.raises(Conflict, match="the duty is already checked in; it cannot change hands"):
        duties.reassign(duty(DutyStatus.CHECKED_IN), to_lawyer_id="li")


# ------------------------------------------------------------------------------------------------ swaps


def test_a_swap_asked_accepted_and_approved_hands_the_duty_over() -> None:
    swap = requested()
    assert (swap.status, swap.from_lawyer_id, swap.to_lawyer_id) == (SwapStatus.REQUESTED, "ayi", "li")
    accepted = swaps.accept(swap, lawyer_id="li", at=AT)
    assert accepted.status == SwapStatus.ACCEPTED
    assert accepted.accepted_at == AT
    approved, handed = swaps.approve(accepted, duty(), by="u-scheduler", at=AT)
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        SwapStatus.APPROVED,
        "u-scheduler",
        AT,
    )
    assert handed.lawyer_id == "li"
    assert handed.status == DutyStatus.SCHEDULED


def test_a_duty_of_a_draft_roster_is_not_swapped() -> None:
    with pytest.raises(Conflict, match="draft roster"):
        swaps.request(
            duty(roster_status=RosterStatus.DRAFT), swap_id="s1", to_lawyer_id="li", requested_by="u", at=AT
        )


def test_a_duty_of_a_generated_roster_may_be_swapped_before_publication() -> None:
    swap = swaps.request(
        duty(roster_status=RosterStatus.GENERATED), swap_id="s1", to_lawyer_id="li", requested_by="u", at=AT
    )
    assert swap.status == SwapStatus.REQUESTED


def test_a_duty_already_served_is_not_swapped() -> None:
    with pytest.raises(Conflict, match="already completed"):
        swaps.request(duty(DutyStatus.COMPLETED), swap_id="s1", to_lawyer_id="li", requested_by="u", at=AT)


def test_a_lawyer_does_not_swap_with_themself() -> None:
    with pytest.raises(Invalid) as refused:
        swaps.request(duty(), swap_id="s1", to_lawyer_id="ayi", requested_by="u", at=AT)
    assert refused.value.errors == {"to_lawyer_id": ["must be another lawyer"]}


def test_only_the_lawyer_asked_accepts_a_swap_and_only_once() -> None:
    with pytest.raises(Forbidden):
        swaps.accept(requested(), lawyer_id="ayi", at=AT)
    accepted = swaps.accept(requested(), lawyer_id="li", at=AT)
    with pytest.raises(Conflict, match="the swap is accepted, not awaiting your answer"):
        swaps.accept(accepted, lawyer_id="li", at=AT)


def test_the_asker_withdrawing_cancels_and_anyone_else_declines() -> None:
    withdrawn = swaps.decline(requested(), asker_withdraws=True, reason=None, by="u-ayi", at=AT)
    assert withdrawn.status == SwapStatus.CANCELLED
    declined = swaps.decline(
        swaps.accept(requested(), lawyer_id="li", at=AT),
        asker_withdraws=False,
        reason="busy",
        by="u-li",
        at=AT,
    )
    assert (declined.status, declined.reason, declined.decided_by) == (SwapStatus.DECLINED, "busy", "u-li")


@pytest.mark.parametrize("status", [SwapStatus.APPROVED, SwapStatus.DECLINED, SwapStatus.CANCELLED])
def test_a_decided_swap_is_not_declined_again(status: SwapStatus) -> None:
    with pytest.raises(Conflict, match=f"the swap is already {status}"):
        swaps.decline(
            Swap(id="s1", assignment_id="d1", from_lawyer_id="ayi", to_lawyer_id="li", status=status),
            asker_withdraws=False,
            reason=None,
            by="u",
            at=AT,
        )


def test_only_an_accepted_swap_is_approved() -> None:
    with pytest.raises(Conflict, match="only an accepted swap can be approved; this one is requested"):
        swaps.approve(requested(), duty(), by="u", at=AT)


@pytest.mark.parametrize("changed", [duty(lawyer_id="wang"), duty(DutyStatus.CHECKED_IN)])
def test_a_swap_is_not_approved_when_the_duty_changed_since_it_was_asked(changed: Duty) -> None:
    accepted = swaps.accept(requested(), lawyer_id="li", at=AT)
    with pytest.raises(Conflict, match="the duty changed since the swap was asked for"):
        swaps.approve(accepted, changed, by="u", at=AT)
