"""A lawyer of next month's published roster (on the demo's data) falls ill, through the gateway only: the leave names the duties it
takes away, the roster shows them as needing cover, the scheduler sees who could take one and replans; the
lawyer who took a duty hears of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from services.roster.service.duties import today_in_beijing
from tests.buskit import wait_for
from tests.e2e.stack import Client, Stack, running_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_demo(tmp_path_factory, "repair")


def test_a_lawyer_falls_ill_and_the_scheduler_replans_the_published_roster(stack: Stack) -> None:
    admin = Client(stack, stack.token())
    assert (
        admin.post(
            "/users", {"username": "scheduler", "password": "scheduler-pass", "role": "scheduler"}
        ).status_code
        == 201
    )
    scheduler = Client(stack, stack.token("scheduler", "scheduler-pass"))
    today = today_in_beijing()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    roster = scheduler.post(
        "/roster/rosters",
        {"region_code": "654021", "period_start": first.isoformat(), "period_end": last.isoformat()},
    ).json()
    assert scheduler.post(f"/roster/rosters/{roster['id']}/generate").status_code in (200, 202)
    wait_for(
        lambda: scheduler.get(f"/roster/rosters/{roster['id']}").json()["status"] == "generated",
        timeout=60,
        what="next month's roster to be generated",
    )
    assert scheduler.post(f"/roster/rosters/{roster['id']}/publish").status_code == 200
    start = first + timedelta(days=9)
    ahead = [
        d
        for d in scheduler.get(f"/roster/rosters/{roster['id']}/assignments", limit="1000").json()["items"]
        if d["date"] >= start.isoformat() and d["role"] == "lawyer"
    ]
    ill = ahead[0]["lawyer_id"]
    theirs = [d["id"] for d in ahead if d["lawyer_id"] == ill]

    leave = scheduler.post(
        "/roster/leaves",
        {
            "lawyer_id": ill,
            "start_date": start.isoformat(),
            "end_date": roster["period_end"],
            "reason": "ill",
        },
    )
    assert leave.status_code == 201, leave.text
    assert sorted(leave.json()["affected_assignments"]) == sorted(theirs)
    assert sorted(scheduler.get(f"/roster/rosters/{roster['id']}").json()["stats"]["needs_cover"]) == sorted(
        theirs
    )
    found = scheduler.get(f"/roster/assignments/{theirs[0]}/substitutes")
    assert found.status_code == 200, found.text
    assert ill not in {s["lawyer_id"] for s in found.json()["items"]}

    replanned = scheduler.post(f"/roster/rosters/{roster['id']}/replan", {"from_date": start.isoformat()})
    assert replanned.status_code == 200, replanned.text
    changes = replanned.json()["changes"]
    taken = [c for c in changes if c["from_lawyer_id"] == ill]
    assert sorted(c["assignment_id"] for c in taken) == sorted(theirs)
    assert scheduler.get(f"/roster/rosters/{roster['id']}").json()["stats"]["needs_cover"] == []

    handed = next(c for c in changes if c["to_lawyer_id"])
    taker = wait_for(
        lambda: (
            (
                r := admin.post(
                    "/users",
                    {
                        "username": "taker",
                        "password": "taker-pass",
                        "role": "lawyer",
                        "lawyer_id": handed["to_lawyer_id"],
                    },
                )
            ).status_code
            == 201
            and r
        ),
        timeout=60,
        interval=0.5,
        what="the gateway's lawyer directory to know the lawyer",
    )
    assert taker.json()["lawyer_id"] == handed["to_lawyer_id"]
    lawyer = Client(stack, stack.token("taker", "taker-pass"))
    wait_for(
        lambda: any(n["kind"] == "duty_assigned" for n in lawyer.get("/me/notifications").json()["items"]),
        timeout=60,
        what="the lawyer who took a duty to hear of it",
    )
