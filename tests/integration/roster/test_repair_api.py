"""A published roster is repaired: leave names the duties it takes away, the roster shows them as needing
cover, the scheduler sees who could take one, and replan hands exactly those duties to others."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.roster.adapters.orm import outbox
from services.roster.service.duties import today_in_beijing
from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, pattern_body, station_body


def events(api: Api, event_type: str) -> list[dict]:
    with api.app.extensions["legalduty"].session_factory() as session:
        rows = session.execute(select(outbox.c.body).where(outbox.c.event_type == event_type)).all()
    return [json.loads(r.body)["data"] for r in rows]


@pytest.fixture
def county(api: Api) -> dict:
    """A county centre staffed daily by one Uyghur speaker; three Uyghur speakers, one Chinese, one Kazakh."""
    centre = api.post("/api/roster/stations", json=station_body()).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily", languages=["ug"]))
    lawyers = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {i}", languages=langs)).get_json()
        for i, langs in enumerate([["zh", "ug"], ["zh", "ug"], ["zh", "ug"], ["zh"], ["zh", "kk"]])
    ]
    return {"centre": centre, "lawyers": lawyers}


def roster_of(api: Api, first_day: int, days: int, *, publish: bool = True) -> dict:
    first = today_in_beijing() + timedelta(days=first_day)
    roster = api.post(
        "/api/roster/rosters",
        json={
            "region_code": "654021",
            "period_start": first.isoformat(),
            "period_end": (first + timedelta(days=days - 1)).isoformat(),
        },
    ).get_json()
    assert api.post(f"/api/roster/rosters/{roster['id']}/generate").status_code == 200
    if publish:
        assert api.post(f"/api/roster/rosters/{roster['id']}/publish").status_code == 200
    return roster


def duties(api: Api, roster: dict) -> list[dict]:
    return api.get(f"/api/roster/rosters/{roster['id']}/assignments").get_json()["items"]


def busiest(api: Api, roster: dict) -> tuple[str, list[dict]]:
    items = duties(api, roster)
    lawyer_id = max(
        sorted({d["lawyer_id"] for d in items}), key=lambda i: sum(d["lawyer_id"] == i for d in items)
    )
    return lawyer_id, [d for d in items if d["lawyer_id"] == lawyer_id]


def test_leave_names_the_duties_it_takes_and_replan_hands_exactly_those_to_other_uyghur_speakers(
    api: Api, county: dict
) -> None:
    roster = roster_of(api, 7, 6)
    lawyer_id, theirs = busiest(api, roster)
    first, last = theirs[0]["date"], roster["period_end"]
    leave = api.post(
        "/api/roster/leaves", json={"lawyer_id": lawyer_id, "start_date": first, "end_date": last}
    )
    assert leave.status_code == 201, leave.get_json()
    assert leave.get_json()["affected_assignments"] == [d["id"] for d in theirs]
    stats = api.get(f"/api/roster/rosters/{roster['id']}").get_json()["stats"]
    assert stats["needs_cover"] == [d["id"] for d in theirs]

    replanned = api.post(
        f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": first, "reason": "ill"}
    )
    assert replanned.status_code == 200, replanned.get_json()
    changes = replanned.get_json()["changes"]
    assert sorted(c["assignment_id"] for c in changes) == sorted(d["id"] for d in theirs)
    uyghur = {lw["id"] for lw in county["lawyers"] if "ug" in lw["languages"]} - {lawyer_id}
    assert all(c["from_lawyer_id"] == lawyer_id and c["to_lawyer_id"] in uyghur for c in changes)
    assert replanned.get_json()["unfilled"] == []
    announced = {e["assignment_id"]: e for e in events(api, "roster.duty.changed")}
    assert set(announced) == {c["assignment_id"] for c in changes}
    assert all(announced[c["assignment_id"]]["previous_lawyer_id"] == lawyer_id for c in changes)
    assert not [d for d in duties(api, roster) if d["lawyer_id"] == lawyer_id and d["date"] >= first]
    after = api.get(f"/api/roster/rosters/{roster['id']}").get_json()["stats"]
    assert after["needs_cover"] == []
    assert after["last_replan"] == {"from_date": first, "reason": "ill", "changes": len(changes)}


def test_substitutes_are_free_speakers_of_the_duty_s_language_fewest_duties_first(
    api: Api, county: dict
) -> None:
    roster = roster_of(api, 7, 6)
    lawyer_id, theirs = busiest(api, roster)
    found = api.get(f"/api/roster/assignments/{theirs[0]['id']}/substitutes")
    assert found.status_code == 200, found.get_json()
    items = found.get_json()["items"]
    uyghur = {lw["id"] for lw in county["lawyers"] if "ug" in lw["languages"]} - {lawyer_id}
    assert {s["lawyer_id"] for s in items} == uyghur
    assert [s["duties_this_month"] for s in items] == sorted(s["duties_this_month"] for s in items)
    assert all(s["burden"] >= s["duties_this_month"] for s in items)


def test_a_draft_roster_is_not_replanned_and_nothing_changes(api: Api, county: dict) -> None:
    roster = roster_of(api, 7, 3, publish=False)
    before = duties(api, roster)
    refused = api.post(
        f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": roster["period_start"]}
    )
    assert refused.status_code == 409
    assert "published" in refused.get_json()["detail"]
    assert duties(api, roster) == before


def test_a_from_date_outside_the_roster_is_refused_naming_the_field(api: Api, county: dict) -> None:
    roster = roster_of(api, 7, 3)
    before = duties(api, roster)
    outside = (today_in_beijing() + timedelta(days=30)).isoformat()
    refused = api.post(f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": outside})
    assert refused.status_code == 422
    assert "from_date" in refused.get_json()["errors"]
    assert duties(api, roster) == before
    assert events(api, "roster.duty.changed") == []


def test_substitutes_for_a_checked_in_duty_are_refused(api: Api, county: dict) -> None:
    roster = roster_of(api, 0, 2)
    [duty] = [d for d in duties(api, roster) if d["date"] == today_in_beijing().isoformat()]
    api.as_role("lawyer", lawyer_id=duty["lawyer_id"])
    assert api.post(f"/api/roster/assignments/{duty['id']}/check-in").status_code == 200
    api.as_role("scheduler")
    refused = api.get(f"/api/roster/assignments/{duty['id']}/substitutes")
    assert refused.status_code == 409
    assert "checked in" in refused.get_json()["detail"]


def test_replan_never_moves_a_checked_in_duty(api: Api, county: dict) -> None:
    roster = roster_of(api, 0, 3)
    [duty] = [d for d in duties(api, roster) if d["date"] == today_in_beijing().isoformat()]
    api.as_role("lawyer", lawyer_id=duty["lawyer_id"])
    api.post(f"/api/roster/assignments/{duty['id']}/check-in")
    api.as_role("scheduler")
    api.patch(f"/api/roster/lawyers/{duty['lawyer_id']}", json={"status": "suspended"})
    replanned = api.post(
        f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": roster["period_start"]}
    )
    assert replanned.status_code == 200, replanned.get_json()
    assert duty["id"] not in {c["assignment_id"] for c in replanned.get_json()["changes"]}
    assert not [
        d for d in duties(api, roster) if d["lawyer_id"] == duty["lawyer_id"] and d["id"] != duty["id"]
    ]


def test_substitutes_for_a_past_duty_are_refused(api: Api, county: dict) -> None:
    roster = roster_of(api, -2, 2)
    [duty, *_] = duties(api, roster)
    refused = api.get(f"/api/roster/assignments/{duty['id']}/substitutes")
    assert refused.status_code == 409
    assert "past" in refused.get_json()["detail"]


def test_replan_never_moves_a_duty_handed_over_by_an_approved_swap(api: Api, county: dict) -> None:
    roster = roster_of(api, 7, 6)
    giver, theirs = busiest(api, roster)
    taker = next(
        lw["id"]
        for lw in county["lawyers"]
        if "ug" in lw["languages"]
        and lw["id"] != giver
        and all(d["date"] != theirs[0]["date"] for d in duties(api, roster) if d["lawyer_id"] == lw["id"])
    )
    duty = theirs[0]
    api.as_role("lawyer", lawyer_id=giver)
    swap_id = api.post(
        "/api/roster/swaps", json={"assignment_id": duty["id"], "to_lawyer_id": taker}
    ).get_json()["id"]
    api.as_role("lawyer", lawyer_id=taker)
    assert api.post(f"/api/roster/swaps/{swap_id}/accept").status_code == 200
    api.as_role("scheduler")
    assert api.post(f"/api/roster/swaps/{swap_id}/approve").status_code == 200
    api.post(
        "/api/roster/leaves", json={"lawyer_id": taker, "start_date": duty["date"], "end_date": duty["date"]}
    )
    replanned = api.post(
        f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": roster["period_start"]}
    )
    assert replanned.status_code == 200, replanned.get_json()
    assert duty["id"] not in {c["assignment_id"] for c in replanned.get_json()["changes"]}
    assert [d["lawyer_id"] for d in duties(api, roster) if d["id"] == duty["id"]] == [taker]


def test_substitutes_come_in_pages(api: Api, county: dict) -> None:
    roster = roster_of(api, 7, 6)
    _, theirs = busiest(api, roster)
    whole = api.get(f"/api/roster/assignments/{theirs[0]['id']}/substitutes").get_json()
    first = api.get(f"/api/roster/assignments/{theirs[0]['id']}/substitutes?limit=1").get_json()
    assert first["total"] == whole["total"] == 2
    assert first["items"] == whole["items"][:1]


def test_an_intern_whose_duties_lose_their_lawyer_is_taken_off_them_and_reported_short(
    api: Api, county: dict
) -> None:
    township = api.post(
        "/api/roster/stations",
        json=station_body(name="萨木于孜乡工作站", level="township", parent_id=county["centre"]["id"]),
    ).get_json()
    api.post(
        "/api/roster/duty-patterns",
        json=pattern_body(township["id"], days="daily", languages=["kk"], intern_seats=1),
    )
    kazakh = next(lw["id"] for lw in county["lawyers"] if "kk" in lw["languages"])
    today = today_in_beijing()
    intern = api.post(
        "/api/roster/lawyers",
        json=lawyer_body(
            name="Intern",
            status="intern",
            languages=["zh"],
            supervisor_id=kazakh,
            intern_start=(today - timedelta(days=30)).isoformat(),
            intern_end=(today + timedelta(days=300)).isoformat(),
        ),
    ).get_json()
    roster = roster_of(api, 7, 6)
    seats = [d for d in duties(api, roster) if d["lawyer_id"] == intern["id"]]
    assert len(seats) >= 4
    api.post(
        "/api/roster/leaves",
        json={"lawyer_id": kazakh, "start_date": roster["period_start"], "end_date": roster["period_end"]},
    )
    replanned = api.post(
        f"/api/roster/rosters/{roster['id']}/replan", json={"from_date": roster["period_start"]}
    )
    assert replanned.status_code == 200, replanned.get_json()
    removed = {c["assignment_id"] for c in replanned.get_json()["changes"] if c["to_lawyer_id"] is None}
    assert {d["id"] for d in seats} <= removed
    told = {e["assignment_id"]: e for e in events(api, "roster.duty.changed")}
    for duty in seats:  # each duty taken away is announced, so its lawyer hears of it
        assert told[duty["id"]]["lawyer_id"] is None
        assert told[duty["id"]]["previous_lawyer_id"] == intern["id"]
    stats = api.get(f"/api/roster/rosters/{roster['id']}").get_json()["stats"]
    assert [s["lawyer_id"] for s in stats["intern_shortfalls"]] == [intern["id"]]
    assert "replan" in stats["intern_shortfalls"][0]["reason"]


def outbox_size(api: Api) -> int:
    with api.app.extensions["legalduty"].session_factory() as session:
        return len(session.execute(select(outbox.c.event_type)).all())


def comparable(changes: list[dict]) -> list[dict]:
    """A replan's changes without the ids a real run gives new duties (a dry run has none yet)."""
    return sorted(
        ({**c, "assignment_id": c["assignment_id"] if c["from_lawyer_id"] else None} for c in changes),
        key=lambda c: (c["date"], c["start_time"], c["station_id"], c["assignment_id"] or ""),
    )


def test_a_dry_run_previews_the_replan_storing_and_announcing_nothing_and_the_real_one_matches_it(
    api: Api, county: dict
) -> None:
    roster = roster_of(api, 7, 6)
    lawyer_id, theirs = busiest(api, roster)
    first = theirs[0]["date"]
    api.post(
        "/api/roster/leaves",
        json={"lawyer_id": lawyer_id, "start_date": first, "end_date": roster["period_end"]},
    )
    before = duties(api, roster)
    roster_before = api.get(f"/api/roster/rosters/{roster['id']}").get_json()
    events_before = outbox_size(api)
    body = {"from_date": first, "reason": "ill"}

    preview = api.post(f"/api/roster/rosters/{roster['id']}/replan", json={**body, "dry_run": True})

    assert preview.status_code == 200, preview.get_json()
    previewed = preview.get_json()
    assert sorted(c["assignment_id"] for c in previewed["changes"]) == sorted(d["id"] for d in theirs)
    assert duties(api, roster) == before
    assert outbox_size(api) == events_before
    assert api.get(f"/api/roster/rosters/{roster['id']}").get_json() == roster_before
    real = api.post(f"/api/roster/rosters/{roster['id']}/replan", json={**body, "dry_run": False})
    assert real.status_code == 200, real.get_json()
    assert comparable(real.get_json()["changes"]) == comparable(previewed["changes"])
    assert real.get_json()["unfilled"] == previewed["unfilled"]
    assert outbox_size(api) == events_before + len(previewed["changes"])


def test_a_dry_run_shows_a_duty_nobody_can_take_as_unfilled_and_a_new_duty_without_an_id(
    api: Api, county: dict
) -> None:
    roster = roster_of(api, 7, 3)
    url = f"/api/roster/rosters/{roster['id']}/replan"
    uyghur = [lw["id"] for lw in county["lawyers"] if "ug" in lw["languages"]]
    for lawyer_id in uyghur:
        api.patch(f"/api/roster/lawyers/{lawyer_id}", json={"status": "suspended"})
    before = duties(api, roster)
    preview = api.post(url, json={"from_date": roster["period_start"], "dry_run": True}).get_json()
    assert {c["to_lawyer_id"] for c in preview["changes"]} == {None}
    assert len(preview["unfilled"]) == len(before) == 3
    assert duties(api, roster) == before
    assert api.get(f"/api/roster/rosters/{roster['id']}").get_json()["stats"]["unfilled"] == []
    assert (
        api.post(url, json={"from_date": roster["period_start"]}).get_json()["unfilled"]
        == preview["unfilled"]
    )
    assert duties(api, roster) == []

    api.patch(f"/api/roster/lawyers/{uyghur[0]}", json={"status": "practising"})
    refill = api.post(url, json={"from_date": roster["period_start"], "dry_run": True}).get_json()
    assert len(refill["changes"]) == 3
    assert all(c["assignment_id"] is None and c["from_lawyer_id"] is None for c in refill["changes"])
    assert {c["to_lawyer_id"] for c in refill["changes"]} == {uyghur[0]}
    assert duties(api, roster) == []
    real = api.post(url, json={"from_date": roster["period_start"]}).get_json()
    assert comparable(real["changes"]) == comparable(refill["changes"])
    assert {c["assignment_id"] for c in real["changes"]} == {d["id"] for d in duties(api, roster)}


def test_a_dry_run_is_refused_as_the_replan_would_be(api: Api, county: dict) -> None:
    roster = roster_of(api, 7, 3, publish=False)
    refused = api.post(
        f"/api/roster/rosters/{roster['id']}/replan",
        json={"from_date": roster["period_start"], "dry_run": True},
    )
    assert refused.status_code == 409
    bad = api.post(
        f"/api/roster/rosters/{roster['id']}/replan",
        json={"from_date": roster["period_start"], "dry_run": "perhaps"},
    )
    assert bad.status_code == 422
    assert "dry_run" in bad.get_json()["errors"]
