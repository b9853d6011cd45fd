"""The burden ledger over HTTP: a scheduler reads who carried what in published rosters, generation evens it
out next month, a duty that changes hands moves its burden, and a bad range is refused naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from services.roster.domain.burden import balance
from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, pattern_body, station_body


def roster(api: Api, first: date, last: date, *, publish: bool = True) -> dict:
    created = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": first.isoformat(), "period_end": last.isoformat()},
    )
    assert created.status_code == 201, created.get_json()
    generated = api.post(f"/api/roster/rosters/{created.get_json()['id']}/generate")
    assert generated.status_code == 200, generated.get_json()
    if publish:
        published = api.post(f"/api/roster/rosters/{created.get_json()['id']}/publish")
        assert published.status_code == 200, published.get_json()
    return generated.get_json()


def fairness(api: Api, first: str, last: str, region: str = "654021") -> dict:
    response = api.get(f"/api/roster/fairness?region_code={region}&from={first}&to={last}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def centre(api: Api) -> dict:
    """A county centre with one lawyer on duty every working day."""
    station = api.post("/api/roster/stations", json=station_body()).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(station["id"], languages=[]))
    return station


def test_the_ledger_weighs_published_duties_by_day_and_scales_by_availability(api: Api) -> None:
    village = api.post(
        "/api/roster/stations", json=station_body(name="Village post", level="village")
    ).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(village["id"], days="daily", languages=[]))
    pair = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {n}", languages=["zh"])).get_json()
        for n in "AB"
    ]
    away = api.post("/api/roster/lawyers", json=lawyer_body(name="Lawyer Away", languages=["zh"])).get_json()
    assert (
        api.post(
            "/api/roster/leaves",
            json={"lawyer_id": away["id"], "start_date": "2026-10-01", "end_date": "2026-10-31"},
        ).status_code
        == 201
    )
    roster(api, date(2026, 10, 1), date(2026, 10, 10))  # 7 holiday days, then Thu, Fri and a working Saturday
    report = fairness(api, "2026-10", "2026-10")
    by_id = {item["lawyer_id"]: item for item in report["items"]}
    assert (report["from"], report["to"], report["total"]) == ("2026-10", "2026-10", 3)
    assert set(by_id) == {pair[0]["id"], pair[1]["id"], away["id"]}
    both = [by_id[p["id"]] for p in pair]
    assert sum(i["duties"] for i in both) == 10
    assert sum(i["weekend_holiday_duties"] for i in both) == 7
    # a village post: a holiday 3 + 0.5, a working day 1 + 0.5
    assert sum(i["burden"] for i in both) == pytest.approx(7 * 3.5 + 3 * 1.5)
    assert all(i["availability"] == 1.0 and i["scaled_burden"] == i["burden"] for i in both)
    assert by_id[away["id"]] == {**by_id[away["id"]], "duties": 0, "availability": 0.0, "scaled_burden": None}
    assert report["balance"] == pytest.approx(balance([i["burden"] for i in both]), abs=1e-4)
    assert report["items"][0]["scaled_burden"] == max(i["burden"] for i in both)  # most burdened first


def test_only_published_rosters_count_and_a_duty_handed_over_moves_its_burden(api: Api, centre: dict) -> None:
    a, b = (
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {n}", languages=["zh"])).get_json()
        for n in "AB"
    )
    published = roster(api, date(2026, 11, 2), date(2026, 11, 6))
    roster(api, date(2026, 12, 1), date(2026, 12, 4), publish=False)
    before = {i["lawyer_id"]: i["duties"] for i in fairness(api, "2026-11", "2026-12")["items"]}
    assert sum(before.values()) == 5
    duty = next(
        d
        for d in api.get(f"/api/roster/rosters/{published['id']}/assignments").get_json()["items"]
        if d["lawyer_id"] == a["id"]
    )
    moved = api.post(f"/api/roster/assignments/{duty['id']}/reassign", json={"lawyer_id": b["id"]})
    assert moved.status_code == 200, moved.get_json()
    after = {i["lawyer_id"]: i["duties"] for i in fairness(api, "2026-11", "2026-12")["items"]}
    assert after == {a["id"]: before[a["id"]] - 1, b["id"]: before[b["id"]] + 1}


def test_next_months_roster_gives_the_extra_duty_to_the_lawyer_who_carried_less(
    api: Api, centre: dict
) -> None:
    for n in "AB":
        api.post("/api/roster/lawyers", json=lawyer_body(name=f"Lawyer {n}", languages=["zh"]))
    # three working days: two for one lawyer, one for the other
    october = roster(api, date(2026, 10, 8), date(2026, 10, 10))
    heavier = max(october["stats"]["duties_per_lawyer"].items(), key=lambda kv: kv[1])[0]
    november = roster(api, date(2026, 11, 2), date(2026, 11, 4), publish=False)
    counts = november["stats"]["duties_per_lawyer"]
    assert counts[heavier] == 1
    assert sum(counts.values()) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region_code=654021&from=2025-01&to=2027-01", "to"),
        ("region_code=654021&from=2026-05&to=2026-04", "to"),
        ("region_code=654021&from=2026-13&to=2026-12", "from"),
        ("region_code=654021&from=2026-01", "to"),
        ("region_code=6540&from=2026-01&to=2026-02", "region_code"),
    ],
)
def test_a_bad_fairness_range_is_refused_naming_the_field(api: Api, query: str, field: str) -> None:
    response = api.get(f"/api/roster/fairness?{query}")
    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_only_a_scheduler_reads_the_ledger(api: Api) -> None:
    for role in ("lawyer", "finance", "admin"):
        assert (
            api.as_role(role)
            .get("/api/roster/fairness?region_code=654021&from=2026-01&to=2026-02")
            .status_code
            == 403
        )
