"""A lawyer's own duties (`GET /api/roster/me/duties`): what the lawyer's phone and the gateway's /api/me read."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, pattern_body, station_body


@pytest.fixture
def two_rosters(api: Api) -> dict:
    """A centre with a morning and an afternoon duty every day and two lawyers; December published, January
    generated but not published."""
    centre = api.post("/api/roster/stations", json=station_body(address="伊宁县解放路1号")).get_json()
    for start, end in (("09:30", "13:30"), ("14:00", "18:00")):
        api.post(
            "/api/roster/duty-patterns",
            json=pattern_body(centre["id"], days="daily", start_time=start, end_time=end),
        )
    lawyers = [
        api.post(
            "/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {i}", max_duties_per_month=31)
        ).get_json()
        for i in range(2)
    ]
    ids = []
    for first, last in ((date(2026, 12, 1), date(2026, 12, 10)), (date(2027, 1, 1), date(2027, 1, 10))):
        roster = api.post(
            "/api/roster/rosters",
            json={"region_code": "654021", "period_start": first.isoformat(), "period_end": last.isoformat()},
        ).get_json()
        assert api.post(f"/api/roster/rosters/{roster['id']}/generate").status_code == 200
        ids.append(roster["id"])
    assert api.post(f"/api/roster/rosters/{ids[0]}/publish").status_code == 200
    return {"centre": centre, "lawyers": lawyers, "published": ids[0], "draft": ids[1]}


def test_a_lawyer_pages_through_exactly_their_published_duties_in_date_and_start_order(
    api: Api, two_rosters: dict
) -> None:
    lawyer = two_rosters["lawyers"][0]
    expected = api.get(
        f"/api/roster/rosters/{two_rosters['published']}/assignments?lawyer_id={lawyer['id']}&limit=1000"
    ).get_json()["items"]
    assert len(expected) >= 4
    api.as_role("lawyer", lawyer_id=lawyer["id"])
    pages = [
        api.get(f"/api/roster/me/duties?limit=3&offset={offset}").get_json() for offset in range(0, 30, 3)
    ]
    assert {page["total"] for page in pages} == {len(expected)}  # pages past the end still say the total
    items = [item for page in pages for item in page["items"]]
    assert [item["id"] for item in items] == [
        a["id"] for a in sorted(expected, key=lambda a: (a["date"], a["start_time"], a["id"]))
    ]
    first = items[0]
    assert {k: first[k] for k in ("roster_id", "lawyer_id", "status")} == {
        "roster_id": two_rosters["published"],
        "lawyer_id": lawyer["id"],
        "status": "scheduled",
    }
    assert (first["station_name"], first["station_address"], first["station_level"]) == (
        two_rosters["centre"]["name"],
        "伊宁县解放路1号",
        "county",
    )
    assert first["checked_in_at"] is None
    assert first["checked_out_at"] is None


def test_a_lawyer_s_duties_between_two_dates_include_both_ends(api: Api, two_rosters: dict) -> None:
    lawyer = two_rosters["lawyers"][1]
    all_mine = api.as_role("lawyer", lawyer_id=lawyer["id"]).get("/api/roster/me/duties").get_json()["items"]
    days = sorted({item["date"] for item in all_mine})
    assert len(days) >= 3
    window = api.get(f"/api/roster/me/duties?from={days[1]}&to={days[-2]}").get_json()
    assert (
        window["total"]
        == len(window["items"])
        == sum(1 for i in all_mine if days[1] <= i["date"] <= days[-2])
    )
    since = api.get(f"/api/roster/me/duties?from={days[-1]}").get_json()
    until = api.get(f"/api/roster/me/duties?to={days[0]}").get_json()
    assert {i["date"] for i in since["items"]} == {days[-1]}
    assert {i["date"] for i in until["items"]} == {days[0]}
    assert api.get("/api/roster/me/duties?from=2027-01-01").get_json() == {
        "items": [],
        "total": 0,
    }  # the draft


def test_a_lawyer_without_published_duties_gets_an_empty_page_at_any_offset(
    api: Api, two_rosters: dict
) -> None:
    api.as_role("lawyer", lawyer_id="no-such-lawyer")
    assert api.get("/api/roster/me/duties").get_json() == {"items": [], "total": 0}
    assert api.get("/api/roster/me/duties?offset=200").get_json() == {"items": [], "total": 0}
