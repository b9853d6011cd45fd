"""A lawyer's calendar at a secret address a phone subscribes to (no Authorization header), kept up to date
when duties change hands; through the roster's API on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from services.roster.adapters.orm import CalendarLinkRow, DutyTakenAwayRow
from services.roster.service.duties import today_in_beijing
from services.roster.service.ical import uid_of
from tests.calendar_feeds import events
from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, pattern_body, station_body


@pytest.fixture
def published(api: Api) -> dict:
    """Next week's roster for a county centre (daily duty), published; three lawyers."""
    centre = api.post("/api/roster/stations", json=station_body()).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily"))
    lawyers = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {i}")).get_json()["id"]
        for i in range(3)
    ]
    first = today_in_beijing() + timedelta(days=1)
    roster = api.post(
        "/api/roster/rosters",
        json={
            "region_code": "654021",
            "period_start": first.isoformat(),
            "period_end": (first + timedelta(days=5)).isoformat(),
        },
    ).get_json()
    assert api.post(f"/api/roster/rosters/{roster['id']}/generate").status_code == 200
    assert api.post(f"/api/roster/rosters/{roster['id']}/publish").status_code == 200
    duties = api.get(f"/api/roster/rosters/{roster['id']}/assignments?limit=1000").get_json()["items"]
    return {"roster": roster, "lawyers": lawyers, "duties": duties}


def link(api: Api, lawyer_id: str) -> str:
    """A new calendar link of the lawyer: the path of its address."""
    response = api.as_role("lawyer", lawyer_id=lawyer_id).post("/api/roster/me/calendar-link")
    assert response.status_code == 201, response.get_json()
    return urlsplit(response.get_json()["url"]).path


def fetch(api: Api, path: str) -> tuple[int, bytes]:
    response = api.client.get(path)  # no identity, no Authorization: as a phone asks
    return response.status_code, response.data


def state(api: Api, path: str, uid: str) -> tuple[str, int]:
    """(STATUS, SEQUENCE) of one event of the feed at `path`."""
    event = events(fetch(api, path)[1])[uid]
    return event["status"], event["sequence"]


def test_a_lawyers_link_serves_their_feed_to_a_phone_that_sends_no_credentials(
    api: Api, published: dict
) -> None:
    lawyer = published["lawyers"][0]
    response = api.as_role("lawyer", lawyer_id=lawyer).post(
        "/api/roster/me/calendar-link",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "duty.example.cn"},
    )
    body = response.get_json()
    assert response.status_code == 201
    assert body["url"].startswith("https://duty.example.cn/api/roster/calendar-feeds/")
    assert body["webcal_url"] == "webcal://" + body["url"].removeprefix("https://")
    feed = api.client.get(urlsplit(body["url"]).path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    mine = {uid_of(d["id"]) for d in published["duties"] if d["lawyer_id"] == lawyer}
    assert mine
    assert set(events(feed.data)) == mine
    assert all(e["status"] == "CONFIRMED" and e["sequence"] == 0 for e in events(feed.data).values())


def test_the_feed_keeps_its_uids_from_one_fetch_to_the_next(api: Api, published: dict) -> None:
    path = link(api, published["lawyers"][1])
    assert events(fetch(api, path)[1]) == events(fetch(api, path)[1])


def test_only_the_hash_of_the_token_is_stored(api: Api, published: dict) -> None:
    lawyer = published["lawyers"][0]
    token = link(api, lawyer).rsplit("/", 1)[1].removesuffix(".ics")
    with api.app.extensions["legalduty"].session_factory() as session:
        [row] = session.scalars(select(CalendarLinkRow)).all()
    assert len(token) >= 43
    assert row.lawyer_id == lawyer
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_a_new_link_replaces_the_old_one(api: Api, published: dict) -> None:
    old = link(api, published["lawyers"][0])
    new = link(api, published["lawyers"][0])
    assert old != new
    assert fetch(api, old)[0] == 404
    assert fetch(api, new)[0] == 200


def test_a_revoked_link_is_not_found_and_revoking_again_changes_nothing(api: Api, published: dict) -> None:
    lawyer = published["lawyers"][0]
    path = link(api, lawyer)
    assert (
        api.as_role("lawyer", lawyer_id=lawyer)
        .client.delete("/api/roster/me/calendar-link", headers=api.headers())
        .status_code
        == 204
    )
    status, body = fetch(api, path)
    assert status == 404
    assert b"no such calendar" in body
    assert api.client.delete("/api/roster/me/calendar-link", headers=api.headers()).status_code == 204


def test_another_lawyers_link_is_untouched_by_a_revocation(api: Api, published: dict) -> None:
    first, second = published["lawyers"][:2]
    theirs = link(api, second)
    link(api, first)
    api.as_role("lawyer", lawyer_id=first).client.delete(
        "/api/roster/me/calendar-link", headers=api.headers()
    )
    assert fetch(api, theirs)[0] == 200


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "y" * 500])
def test_an_unknown_token_is_not_found(api: Api, published: dict, token: str) -> None:
    link(api, published["lawyers"][0])
    assert fetch(api, f"/api/roster/calendar-feeds/{token}.ics")[0] == 404


def test_only_a_lawyer_gets_a_calendar_link(api: Api) -> None:
    assert api.as_role("scheduler").post("/api/roster/me/calendar-link").status_code == 403
    assert (
        api.as_role("lawyer").post("/api/roster/me/calendar-link").status_code == 403
    )  # linked to no lawyer


def test_a_reassigned_duty_raises_its_sequence_and_the_previous_lawyer_sees_it_cancelled(
    api: Api, published: dict
) -> None:
    duty = published["duties"][0]
    previous = duty["lawyer_id"]
    successor = next(
        law
        for law in published["lawyers"]
        if law != previous
        and not any(d["lawyer_id"] == law and d["date"] == duty["date"] for d in published["duties"])
    )
    theirs, mine = link(api, previous), link(api, successor)
    uid = uid_of(duty["id"])
    assert state(api, theirs, uid) == ("CONFIRMED", 0)
    moved = api.as_role("scheduler").post(
        f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": successor}
    )
    assert moved.status_code == 200, moved.get_json()
    assert state(api, mine, uid) == ("CONFIRMED", 1)
    assert state(api, theirs, uid) == ("CANCELLED", 1)
    back = api.post(f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": previous})
    assert back.status_code == 200
    assert state(api, theirs, uid) == ("CONFIRMED", 2)  # theirs again: no longer cancelled
    assert state(api, mine, uid) == ("CANCELLED", 2)


def test_a_swapped_duty_is_cancelled_in_the_askers_feed(api: Api, published: dict) -> None:
    duty = published["duties"][0]
    asker = duty["lawyer_id"]
    taker = next(
        law
        for law in published["lawyers"]
        if law != asker
        and not any(d["lawyer_id"] == law and d["date"] == duty["date"] for d in published["duties"])
    )
    path = link(api, asker)
    swap = api.as_role("lawyer", lawyer_id=asker).post(
        "/api/roster/swaps", json={"assignment_id": duty["id"], "to_lawyer_id": taker}
    )
    assert swap.status_code == 201, swap.get_json()
    api.as_role("lawyer", lawyer_id=taker).post(f"/api/roster/swaps/{swap.get_json()['id']}/accept")
    assert (
        api.as_role("scheduler").post(f"/api/roster/swaps/{swap.get_json()['id']}/approve").status_code == 200
    )
    assert state(api, path, uid_of(duty["id"])) == ("CANCELLED", 1)


def test_a_duty_moved_before_publication_keeps_sequence_nought(api: Api) -> None:
    centre = api.post("/api/roster/stations", json=station_body()).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily"))
    lawyers = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"L{i}")).get_json()["id"] for i in range(2)
    ]
    first = date(2026, 12, 1)
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": first.isoformat(), "period_end": first.isoformat()},
    ).get_json()
    api.post(f"/api/roster/rosters/{roster['id']}/generate")
    [duty] = api.get(f"/api/roster/rosters/{roster['id']}/assignments").get_json()["items"]
    other = next(law for law in lawyers if law != duty["lawyer_id"])
    assert (
        api.post(f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": other}).status_code
        == 200
    )
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    mine = api.as_role("lawyer", lawyer_id=other).get("/api/roster/me/duties?from=2026-12-01&to=2026-12-01")
    assert [d["sequence"] for d in mine.get_json()["items"]] == [0]


def test_a_duty_taken_away_leaves_the_feed_a_week_later(api: Api, published: dict) -> None:
    duty = published["duties"][0]
    previous = duty["lawyer_id"]
    successor = next(
        law
        for law in published["lawyers"]
        if law != previous
        and not any(d["lawyer_id"] == law and d["date"] == duty["date"] for d in published["duties"])
    )
    path = link(api, previous)
    api.as_role("scheduler").post(
        f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": successor}
    )
    assert uid_of(duty["id"]) in events(fetch(api, path)[1])
    with api.app.extensions["legalduty"].session_factory() as session:
        for row in session.scalars(select(DutyTakenAwayRow)):
            row.taken_at = row.taken_at - timedelta(days=7, minutes=1)
        session.commit()
    assert uid_of(duty["id"]) not in events(fetch(api, path)[1])
