"""Schedulers keep lawyers, stations, patterns, leave and the calendar; lawyers see what is theirs."""

from __future__ import annotations

from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, licence, pattern_body, station_body


def test_a_scheduler_registers_a_lawyer_and_reads_it_back_with_an_etag(api: Api) -> None:
    created = api.post("/api/roster/lawyers", json=lawyer_body())
    assert created.status_code == 201, created.get_json()
    lawyer = created.get_json()
    assert lawyer["max_duties_per_month"] == 8
    assert lawyer["languages"] == ["ug", "zh"]
    got = api.get(f"/api/roster/lawyers/{lawyer['id']}")
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    listed = api.get("/api/roster/lawyers?region_code=654021&status=practising").get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == lawyer["id"]


def test_a_licence_number_is_registered_only_once(api: Api) -> None:
    body = lawyer_body()
    assert api.post("/api/roster/lawyers", json=body).status_code == 201
    again = api.post("/api/roster/lawyers", json={**body, "name": "Someone Else"})
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert "license_no" in again.get_json()["errors"]


def test_bad_fields_are_named_with_their_reasons_and_nothing_is_written(api: Api) -> None:
    response = api.post(
        "/api/roster/lawyers",
        json=lawyer_body(license_no="123", region_code="65", languages=["xx"], status="retired"),
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"license_no", "region_code", "status", "languages.0"} <= set(errors)
    assert api.get("/api/roster/lawyers").get_json()["total"] == 0


def test_an_unknown_field_is_refused_rather_than_ignored(api: Api) -> None:
    response = api.post("/api/roster/lawyers", json=lawyer_body(salary=100))
    assert response.status_code == 422
    assert "salary" in response.get_json()["errors"]


def test_an_unreadable_body_is_a_400_problem(api: Api) -> None:
    response = api.client.post(
        "/api/roster/lawyers", data="{not json", headers=api.headers({"Content-Type": "application/json"})
    )
    assert response.status_code == 400, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"


def test_an_intern_needs_internship_dates_and_a_practising_supervisor(api: Api) -> None:
    missing = api.post("/api/roster/lawyers", json=lawyer_body(status="intern"))
    assert missing.status_code == 422
    assert {"intern_start", "intern_end", "supervisor_id"} <= set(missing.get_json()["errors"])
    supervisor = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    intern = api.post(
        "/api/roster/lawyers",
        json=lawyer_body(
            status="intern",
            license_no=licence(),
            intern_start="2026-09-01",
            intern_end="2027-08-31",
            supervisor_id=supervisor["id"],
        ),
    )
    assert intern.status_code == 201, intern.get_json()


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(api: Api) -> None:
    lawyer = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    first = api.patch(
        f"/api/roster/lawyers/{lawyer['id']}", json={"max_duties_per_month": 6}, headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    stale = api.patch(
        f"/api/roster/lawyers/{lawyer['id']}", json={"max_duties_per_month": 4}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert api.get(f"/api/roster/lawyers/{lawyer['id']}").get_json()["max_duties_per_month"] == 6


def test_a_lawyer_sees_their_own_record_and_not_anyone_elses(api: Api) -> None:
    mine = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    other = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    api.as_role("lawyer", lawyer_id=mine["id"])
    assert api.get(f"/api/roster/lawyers/{mine['id']}").status_code == 200
    assert api.get(f"/api/roster/lawyers/{other['id']}").status_code == 404
    assert api.get("/api/roster/lawyers").status_code == 403
    assert api.post("/api/roster/lawyers", json=lawyer_body()).status_code == 403


def test_a_call_without_the_gateway_identity_is_refused(api: Api) -> None:
    response = api.client.get("/api/roster/stations")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_stations_form_a_tree_and_interns_sit_only_at_grassroots_patterns(api: Api) -> None:
    county = api.post("/api/roster/stations", json=station_body()).get_json()
    township = api.post(
        "/api/roster/stations",
        json=station_body(name="萨木于孜乡工作站", level="township", parent_id=county["id"]),
    ).get_json()
    bad_parent = api.post("/api/roster/stations", json=station_body(parent_id="nope"))
    assert bad_parent.status_code == 422
    assert "parent_id" in bad_parent.get_json()["errors"]
    assert (
        api.post("/api/roster/duty-patterns", json=pattern_body(township["id"], intern_seats=1)).status_code
        == 201
    )
    county_interns = api.post("/api/roster/duty-patterns", json=pattern_body(county["id"], intern_seats=1))
    assert county_interns.status_code == 422
    assert "intern_seats" in county_interns.get_json()["errors"]


def test_a_duty_pattern_takes_weekdays_or_an_rrule_and_refuses_nonsense(api: Api) -> None:
    station = api.post("/api/roster/stations", json=station_body()).get_json()
    weekdays = api.post("/api/roster/duty-patterns", json=pattern_body(station["id"], days=[1, 3, 5]))
    assert weekdays.status_code == 201
    assert weekdays.get_json()["days"] == [1, 3, 5]
    rrule = api.post(
        "/api/roster/duty-patterns", json=pattern_body(station["id"], rrule="FREQ=MONTHLY;BYMONTHDAY=15")
    )
    assert rrule.status_code == 201
    for bad in (
        {"days": [0, 8]},
        {"days": "weekends"},
        {"rrule": "FREQ=SOMETIMES"},
        {"start_time": "14:00", "end_time": "09:00"},
        {"start_time": "9am"},
        {"headcount": 0},
    ):
        response = api.post("/api/roster/duty-patterns", json=pattern_body(station["id"], **bad))
        assert response.status_code == 422, (bad, response.get_json())
        named = set(response.get_json()["errors"])
        assert named & (set(bad) | {"end_time"}), (bad, named)  # the offending field is named


def test_a_lawyer_asks_for_leave_for_themself_only(api: Api) -> None:
    mine = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    other = api.post("/api/roster/lawyers", json=lawyer_body()).get_json()
    api.as_role("lawyer", lawyer_id=mine["id"])
    ok = api.post(
        "/api/roster/leaves",
        json={
            "lawyer_id": mine["id"],
            "start_date": "2026-12-07",
            "end_date": "2026-12-09",
            "reason": "family",
        },
    )
    assert ok.status_code == 201
    assert (
        api.post(
            "/api/roster/leaves",
            json={"lawyer_id": other["id"], "start_date": "2026-12-07", "end_date": "2026-12-09"},
        ).status_code
        == 404
    )
    overlapping = api.post(
        "/api/roster/leaves",
        json={"lawyer_id": mine["id"], "start_date": "2026-12-09", "end_date": "2026-12-10"},
    )
    assert overlapping.status_code == 409
    backwards = api.post(
        "/api/roster/leaves",
        json={"lawyer_id": mine["id"], "start_date": "2026-12-09", "end_date": "2026-12-01"},
    )
    assert backwards.status_code == 422
    assert "end_date" in backwards.get_json()["errors"]
    assert api.get("/api/roster/leaves").get_json()["total"] == 1


def test_the_calendar_shows_official_2026_and_takes_a_2027_arrangement(api: Api) -> None:
    official = api.get("/api/roster/calendar/2026").get_json()
    assert official["source"] == "official"
    assert "2026-10-01" in official["holidays"]
    assert "2026-10-10" in official["workdays"]  # the adjusted working Saturday
    assert api.get("/api/roster/calendar/2027").get_json()["warnings"] == ["calendar_unofficial:2027"]
    put = api.put(
        "/api/roster/calendar/2027",
        json={"holidays": ["2027-01-01", "2027-02-06"], "workdays": ["2027-02-14"]},
    )
    assert put.status_code == 200
    assert put.get_json()["source"] == "override"
    assert put.get_json()["warnings"] == []
    stray = api.put("/api/roster/calendar/2027", json={"holidays": ["2026-01-01"], "workdays": []})
    assert stray.status_code == 422
    assert "holidays" in stray.get_json()["errors"]


def test_an_empty_supervisor_or_parent_id_is_a_field_error_not_a_crash(api: Api) -> None:
    lawyer = api.post("/api/roster/lawyers", json=lawyer_body(supervisor_id=""))
    assert lawyer.status_code == 422
    assert "supervisor_id" in lawyer.get_json()["errors"]
    station = api.post("/api/roster/stations", json=station_body(parent_id=""))
    assert station.status_code == 422
    assert "parent_id" in station.get_json()["errors"]
