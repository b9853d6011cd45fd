"""The gateway's own rules, without a database or a network: accounts, tokens, throttling, the directory's
newer-wins rule and what lawyers are told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.auth import Identity
from services.gateway.domain import notifications as say
from services.gateway.domain.accounts import (
    UserState,
    check_admin_remains,
    check_role_link,
    check_username,
    next_token_version,
    normalise_username,
    token_holds,
)
from services.gateway.domain.directory import card, replaces
from services.gateway.domain.errors import Conflict, Invalid
from services.gateway.domain.my_page import has_lawyer_sections, period, skeleton
from services.gateway.domain.passwords import check_password
from services.gateway.domain.throttling import ThrottlePolicy, seconds_to_wait

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def user(**changes: object) -> UserState:
    base = {
        "user_id": "u1",
        "username": "li",
        "role": "lawyer",
        "lawyer_id": "L-1",
        "disabled": False,
        "token_version": 3,
    }
    return UserState(**{**base, **changes})  # type: ignore[arg-type]


def test_a_token_holds_only_for_an_enabled_user_at_the_version_it_was_issued_under() -> None:
    assert token_holds(user(), version=3)
    assert not token_holds(user(), version=2)  # password, role or lawyer changed since
    assert not token_holds(user(disabled=True), version=3)
    assert not token_holds(None, version=3)
    assert next_token_version(3) == 4
    assert next_token_version(None) == 1


def test_usernames_are_case_insensitive_and_plain() -> None:
    assert normalise_username("  Sched-MA ") == "sched-ma"
    check_username("sched-ma")
    for bad in ("a", "-li", "li li", "x" * 101):
        with pytest.raises(Invalid) as refused:
            check_username(bad)
        assert "username" in refused.value.errors


def test_passwords_are_8_to_256_characters() -> None:
    check_password("8-chars!")
    check_password("x" * 256)
    for bad in ("7-chars", "x" * 257):
        with pytest.raises(Invalid):
            check_password(bad)


def test_a_lawyer_user_names_a_lawyer_and_a_staff_user_none() -> None:
    check_role_link(role="lawyer", lawyer_id="L-1")
    check_role_link(role="finance", lawyer_id=None)
    for role, lawyer_id, field in (
        ("lawyer", None, "lawyer_id"),
        ("finance", "L-1", "lawyer_id"),
        ("judge", None, "role"),
    ):
        with pytest.raises(Invalid) as refused:
            check_role_link(role=role, lawyer_id=lawyer_id)
        assert field in refused.value.errors


def test_the_last_active_administrator_stays_one() -> None:
    with pytest.raises(Conflict, match="disabled"):
        check_admin_remains(
            role="admin", disabled=False, new_role="admin", new_disabled=True, other_active_admins=0
        )
    with pytest.raises(Conflict, match="admin role"):
        check_admin_remains(
            role="admin", disabled=False, new_role="finance", new_disabled=False, other_active_admins=0
        )
    check_admin_remains(
        role="admin", disabled=False, new_role="finance", new_disabled=False, other_active_admins=1
    )
    check_admin_remains(
        role="admin", disabled=True, new_role="finance", new_disabled=True, other_active_admins=0
    )
    check_admin_remains(
        role="finance", disabled=False, new_role="finance", new_disabled=True, other_active_admins=0
    )


def test_a_throttled_key_waits_until_its_oldest_counted_attempt_leaves_the_window() -> None:
    policy = ThrottlePolicy(per_username=3, per_client=10, window=timedelta(minutes=15))
    recent = [NOW - timedelta(minutes=m) for m in (1, 2, 10)]  # newest first
    assert seconds_to_wait(recent[:2], limit=3, window=policy.window, now=NOW) == 0
    assert seconds_to_wait(recent, limit=3, window=policy.window, now=NOW) == 5 * 60 + 1
    naive_old = [
        (NOW - timedelta(minutes=14, seconds=59)).replace(tzinfo=None)
    ] * 3  # as SQLite hands them back
    assert seconds_to_wait(naive_old, limit=3, window=policy.window, now=NOW) == 2
    assert policy.limits(username_key="user:li", client_key="client:1") == {"user:li": 3, "client:1": 10}


def test_an_event_replaces_an_older_copy_and_a_roster_answer_only_fills_a_gap() -> None:
    earlier, later = NOW - timedelta(minutes=5), NOW
    assert replaces(stored=False, stored_at=None, incoming_at=None)  # the roster's answer, nothing stored
    assert replaces(
        stored=True, stored_at=None, incoming_at=earlier
    )  # any event replaces the roster's answer
    assert replaces(stored=True, stored_at=earlier, incoming_at=later)
    assert replaces(stored=True, stored_at=later, incoming_at=later)  # the same event again
    assert not replaces(stored=True, stored_at=later, incoming_at=earlier)  # a late, older event
    assert not replaces(
        stored=True, stored_at=earlier, incoming_at=None
    )  # the roster's answer never overwrites


def test_a_card_keeps_only_the_lawyers_contract_fields_in_their_json_form() -> None:
    kept = card(
        {
            "id": "L-1",
            "name": "Aygul",
            "status": "intern",
            "region_code": "654021",
            "languages": ["zh"],
            "intern_start": date(2026, 1, 1),
            "phone": "13800000000",
            "version": 4,
        },
        source_at=None,
    )
    assert kept.profile == {
        "id": "L-1",
        "name": "Aygul",
        "status": "intern",
        "region_code": "654021",
        "languages": ["zh"],
        "intern_start": "2026-01-01",
    }


def test_a_published_roster_tells_each_lawyer_their_number_of_duties_once() -> None:
    data = {
        "roster_id": "R-1",
        "period_start": date(2026, 12, 1),
        "period_end": date(2026, 12, 31),
        "assignments": [{"lawyer_id": "L-1"}, {"lawyer_id": "L-2"}, {"lawyer_id": "L-1"}],
    }
    notices = {n.lawyer_id: n for n in say.roster_published(data)}
    assert set(notices) == {"L-1", "L-2"}
    assert "you have 2 duties" in notices["L-1"].message
    assert "assignments" not in notices["L-1"].data
    assert notices["L-1"].data["period_start"] == "2026-12-01"
    assert (notices["L-1"].data["duties"], notices["L-2"].data["duties"]) == (2, 1)


def test_a_duty_given_to_another_lawyer_tells_both() -> None:
    data = {
        "assignment_id": "A-1",
        "lawyer_id": "L-2",
        "previous_lawyer_id": "L-1",
        "date": date(2026, 12, 3),
        "start_time": "09:00",
        "end_time": "17:00",
    }
    assert [(n.lawyer_id, n.kind) for n in say.duty_changed(data)] == [
        ("L-2", "duty_assigned"),
        ("L-1", "duty_released"),
    ]


def test_a_duty_taken_away_with_nobody_to_take_it_tells_only_its_lawyer() -> None:
    data = {
        "assignment_id": "A-1",
        "lawyer_id": None,
        "previous_lawyer_id": "L-1",
        "date": date(2026, 12, 3),
        "start_time": "09:00",
        "end_time": "17:00",
    }
    notices = say.duty_changed(data)
    assert [(n.lawyer_id, n.kind) for n in notices] == [("L-1", "duty_cancelled")]
    assert "nobody" in notices[0].message


def test_a_swap_request_is_told_to_the_asked_lawyer_by_name_and_an_approval_to_nobody() -> None:
    data = {
        "from_lawyer_id": "L-1",
        "to_lawyer_id": "L-2",
        "date": date(2026, 12, 3),
        "start_time": "09:00",
        "end_time": "17:00",
        "status": "requested",
    }
    (notice,) = say.swap_changed(data, name_of={"L-1": "阿依古丽"}.__getitem__)
    assert notice.lawyer_id == "L-2"
    assert notice.message.startswith("阿依古丽 asks you")
    assert say.swap_changed({**data, "status": "approved"}, name_of=str) == []


def test_only_a_linked_lawyer_has_the_lawyer_sections_of_my_page() -> None:
    lawyer = Identity("u1", "li", "lawyer", "L-1")
    assert has_lawyer_sections(lawyer)
    assert not has_lawyer_sections(Identity("u2", "fin", "finance"))
    assert not has_lawyer_sections(Identity("u3", "li2", "lawyer", None))
    assert skeleton(lawyer)["user"] == {"id": "u1", "username": "li", "role": "lawyer", "lawyer_id": "L-1"}
    span = period(date(2026, 12, 20))
    assert (span.until, span.month) == (date(2027, 1, 19), "2026-12")
