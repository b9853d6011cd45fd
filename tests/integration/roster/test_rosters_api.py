"""A scheduler generates and publishes a roster; lawyers see, swap, check in and out of their duties."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from icalendar import Calendar
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
    """A county with its centre (daily duty, one Uyghur-speaking lawyer), a township, and four lawyers."""
    centre = api.post("/api/roster/stations", json=station_body(address="伊宁县解放路1号")).get_json()
    township = api.post(
        "/api/roster/stations",
        json=station_body(name="萨木于孜乡工作站", level="township", parent_id=centre["id"]),
    ).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily", languages=["ug"]))
    lawyers = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {i}", languages=langs)).get_json()
        for i, langs in enumerate([["zh", "ug"], ["zh", "ug"], ["zh"], ["zh", "kk"]])
    ]
    return {"centre": centre, "township": township, "lawyers": lawyers}


def generated_roster(api: Api, first: date, last: date) -> dict:
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": first.isoformat(), "period_end": last.isoformat()},
    )
    assert roster.status_code == 201, roster.get_json()
    response = api.post(f"/api/roster/rosters/{roster.get_json()['id']}/generate")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_generated_roster_fills_every_slot_with_a_lawyer_who_speaks_the_language(
    api: Api, county: dict
) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 14))
    assert roster["status"] == "generated"
    assert roster["progress"] == 1.0
    assert roster["stats"]["slots"] == 14
    assert roster["stats"]["filled"] == 14
    assert roster["stats"]["unfilled"] == []
    items = api.get(f"/api/roster/rosters/{roster['id']}/assignments?limit=1000").get_json()["items"]
    ug_speakers = {law["id"] for law in county["lawyers"] if "ug" in law["languages"]}
    assert len(items) == 14
    assert all(a["lawyer_id"] in ug_speakers for a in items)
    counts = roster["stats"]["duties_per_lawyer"]
    assert abs(counts[county["lawyers"][0]["id"]] - counts[county["lawyers"][1]["id"]]) <= 1


def test_a_slot_nobody_can_take_is_reported_with_a_reason(api: Api, county: dict) -> None:
    api.post(
        "/api/roster/duty-patterns",
        json=pattern_body(
            county["centre"]["id"], days="daily", start_time="14:00", end_time="18:00", languages=["mn"]
        ),
    )
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 3))
    unfilled = roster["stats"]["unfilled"]
    assert len(unfilled) == 3
    assert all("Mongolian" in u["reason"] for u in unfilled)


def test_a_roster_in_a_year_without_official_calendar_says_so(api: Api, county: dict) -> None:
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": "2027-01-01", "period_end": "2027-01-31"},
    ).get_json()
    assert roster["warnings"] == ["calendar_unofficial:2027"]


def test_publishing_emits_the_roster_and_lawyers_see_their_duties_and_calendar(
    api: Api, county: dict
) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 7))
    draft_view = api.as_role("lawyer", lawyer_id=county["lawyers"][0]["id"]).get("/api/roster/me/duties")
    assert draft_view.get_json()["total"] == 0  # nothing shows before publication
    published = api.as_role("scheduler").post(f"/api/roster/rosters/{roster['id']}/publish")
    assert published.status_code == 200
    assert published.get_json()["status"] == "published"
    assert api.post(f"/api/roster/rosters/{roster['id']}/publish").status_code == 409
    [event] = events(api, "roster.roster.published")
    assert event["roster_id"] == roster["id"]
    assert len(event["assignments"]) == 7
    lawyer = county["lawyers"][0]
    api.as_role("lawyer", lawyer_id=lawyer["id"])
    mine = api.get("/api/roster/me/duties?from=2026-12-01&to=2026-12-31").get_json()
    assert mine["total"] >= 1
    assert all(d["lawyer_id"] == lawyer["id"] for d in mine["items"])
    assert mine["items"][0]["station_name"] == county["centre"]["name"]
    feed = api.get("/api/roster/me/duties.ics")
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert api.get("/api/roster/me/duties.ics").data.count(b"UID:") == len(uids)  # the same UIDs every time


def test_a_swap_is_asked_accepted_approved_and_announced(api: Api, county: dict) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 7))
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    a, b = county["lawyers"][0], county["lawyers"][1]
    duty = api.get(f"/api/roster/rosters/{roster['id']}/assignments?lawyer_id={a['id']}").get_json()["items"][
        0
    ]
    busy_day = {
        d["date"]
        for d in api.get(f"/api/roster/rosters/{roster['id']}/assignments?lawyer_id={b['id']}").get_json()[
            "items"
        ]
    }
    assert duty["date"] not in busy_day
    api.as_role("lawyer", lawyer_id=a["id"])
    swap = api.post("/api/roster/swaps", json={"assignment_id": duty["id"], "to_lawyer_id": b["id"]})
    assert swap.status_code == 201, swap.get_json()
    swap_id = swap.get_json()["id"]
    assert api.post(f"/api/roster/swaps/{swap_id}/accept").status_code == 403  # not the asker's to accept
    api.as_role("lawyer", lawyer_id=b["id"])
    waiting = api.get("/api/roster/swaps?status=pending").get_json()
    assert [s["id"] for s in waiting["items"]] == [swap_id]  # the asked lawyer sees it waiting
    assert api.post(f"/api/roster/swaps/{swap_id}/accept").get_json()["status"] == "accepted"
    api.as_role("scheduler")
    assert api.get("/api/roster/swaps?status=pending").get_json()["total"] == 1  # now the scheduler's turn
    approved = api.post(f"/api/roster/swaps/{swap_id}/approve")
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    assert api.get("/api/roster/swaps?status=pending").get_json()["total"] == 0
    [changed] = events(api, "roster.duty.changed")
    assert (changed["lawyer_id"], changed["previous_lawyer_id"]) == (b["id"], a["id"])


def test_a_swap_that_would_break_a_rule_is_refused_naming_the_rule(api: Api, county: dict) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 7))
    a = county["lawyers"][0]
    no_uyghur = county["lawyers"][2]
    duty = api.get(f"/api/roster/rosters/{roster['id']}/assignments?lawyer_id={a['id']}").get_json()["items"][
        0
    ]
    api.as_role("lawyer", lawyer_id=a["id"])
    refused = api.post(
        "/api/roster/swaps", json={"assignment_id": duty["id"], "to_lawyer_id": no_uyghur["id"]}
    )
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["rule"] == "4"
    assert "Uyghur" in body["detail"]
    api.as_role("scheduler")
    by_hand = api.post(f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": no_uyghur["id"]})
    assert by_hand.status_code == 409
    assert by_hand.get_json()["rule"] == "4"


def test_another_lawyers_duty_cannot_be_swapped_or_checked_into(api: Api, county: dict) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 7))
    a, intruder = county["lawyers"][0], county["lawyers"][3]
    duty = api.get(f"/api/roster/rosters/{roster['id']}/assignments?lawyer_id={a['id']}").get_json()["items"][
        0
    ]
    api.as_role("lawyer", lawyer_id=intruder["id"])
    assert (
        api.post(
            "/api/roster/swaps", json={"assignment_id": duty["id"], "to_lawyer_id": intruder["id"]}
        ).status_code
        == 404
    )
    assert api.post(f"/api/roster/assignments/{duty['id']}/check-in").status_code == 404


def test_check_in_and_out_on_the_day_emits_one_completed_duty(api: Api, county: dict) -> None:
    today = today_in_beijing()
    roster = generated_roster(api, today, today + timedelta(days=1))
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    [duty] = api.get(f"/api/roster/rosters/{roster['id']}/assignments?date={today.isoformat()}").get_json()[
        "items"
    ]
    api.as_role("lawyer", lawyer_id=duty["lawyer_id"])
    assert api.post(f"/api/roster/assignments/{duty['id']}/check-out").status_code == 409  # not checked in
    checked_in = api.post(f"/api/roster/assignments/{duty['id']}/check-in")
    assert checked_in.status_code == 200
    assert checked_in.get_json()["status"] == "checked_in"
    assert api.post(f"/api/roster/assignments/{duty['id']}/check-in").status_code == 409
    out = api.post(f"/api/roster/assignments/{duty['id']}/check-out")
    assert out.status_code == 200
    assert out.get_json()["status"] == "completed"
    again = api.post(f"/api/roster/assignments/{duty['id']}/check-out")
    assert again.status_code == 409
    [completed] = events(api, "roster.duty.completed")
    assert completed["assignment_id"] == duty["id"]
    assert completed["station_level"] == "county"
    assert completed["region_code"] == "654021"
    assert isinstance(completed["holiday"], bool)


def test_check_in_is_refused_on_another_day(api: Api, county: dict) -> None:
    tomorrow = today_in_beijing() + timedelta(days=1)
    roster = generated_roster(api, tomorrow, tomorrow)
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    [duty] = api.get(f"/api/roster/rosters/{roster['id']}/assignments").get_json()["items"]
    api.as_role("lawyer", lawyer_id=duty["lawyer_id"])
    refused = api.post(f"/api/roster/assignments/{duty['id']}/check-in")
    assert refused.status_code == 409
    assert tomorrow.isoformat() in refused.get_json()["detail"]


def test_a_stale_roster_version_cannot_be_published(api: Api, county: dict) -> None:
    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 2))
    stale = api.post(f"/api/roster/rosters/{roster['id']}/publish", headers={"If-Match": '"1"'})
    assert stale.status_code == 412


def test_every_event_the_roster_wrote_keeps_its_wire_contract(api: Api, county: dict) -> None:
    from services.common.events import parse_envelope

    today = today_in_beijing()
    roster = generated_roster(api, today, today + timedelta(days=2))
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    [duty] = api.get(f"/api/roster/rosters/{roster['id']}/assignments?date={today.isoformat()}").get_json()[
        "items"
    ]
    api.as_role("lawyer", lawyer_id=duty["lawyer_id"])
    api.post(f"/api/roster/assignments/{duty['id']}/check-in")
    api.post(f"/api/roster/assignments/{duty['id']}/check-out")
    with api.app.extensions["legalduty"].session_factory() as session:
        bodies = [json.loads(r.body) for r in session.execute(select(outbox.c.body)).all()]
    types = {b["type"] for b in bodies}
    assert {
        "roster.lawyer.upserted",
        "roster.station.upserted",
        "roster.roster.published",
        "roster.duty.completed",
    } <= types
    for body in bodies:
        envelope, _data = parse_envelope(body)
        assert envelope["producer"] == "roster"
        assert envelope["version"] == 1


def test_a_rosters_duties_are_answered_as_their_schema_dumps_them(api: Api, county: dict) -> None:
    from services.roster.api.schemas import AssignmentPage
    from services.roster.service import rosters as rs

    roster = generated_roster(api, date(2026, 12, 1), date(2026, 12, 10))
    answer = api.get(f"/api/roster/rosters/{roster['id']}/assignments?limit=7&offset=2")
    assert answer.status_code == 200
    with api.app.app_context(), api.app.extensions["legalduty"].session_factory() as session:
        found = rs.list_assignments(session=session, roster_id=roster["id"], limit=7, offset=2)
        expected = api.app.json.response(AssignmentPage().dump(found)).get_data()
    assert len(found["items"]) == 7
    assert answer.get_data() == expected  # the same bytes as flask-smorest writing the schema's dump
