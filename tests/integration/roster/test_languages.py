"""Languages are ISO 639 codes: any the registry knows, named in English and Chinese; Xibe is sjo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.common.migrate import upgrade
from tests.integration.roster.conftest import MIGRATIONS, Api
from tests.integration.roster.factories import lawyer_body, licence, pattern_body, station_body
from tests.integration.roster.test_spreadsheets import HEADER_ZH, LAWYERS, csv_file, lawyers, upload


def test_a_lawyer_who_speaks_english_is_registered(api: Api) -> None:
    response = api.post("/api/roster/lawyers", json=lawyer_body(languages=["zh", "en"]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["languages"] == ["en", "zh"]


def test_a_three_letter_code_of_a_language_with_a_two_letter_one_is_kept_short(api: Api) -> None:
    response = api.post("/api/roster/lawyers", json=lawyer_body(languages=["zho", "uig", "sjo"]))
    assert response.status_code == 201
    assert response.get_json()["languages"] == ["sjo", "ug", "zh"]


def test_a_code_that_is_no_language_is_refused_naming_it(api: Api) -> None:
    response = api.post("/api/roster/lawyers", json=lawyer_body(languages=["zh", "qqq"]))
    assert response.status_code == 422
    assert (
        "'qqq' is not an ISO 639-1 or ISO 639-3 language code"
        in response.get_json()["errors"]["languages.1"][0]
    )


def test_a_duty_pattern_may_ask_for_xibe_and_english(api: Api) -> None:
    centre = api.post("/api/roster/stations", json=station_body()).get_json()
    response = api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], languages=["sjo", "en"]))
    assert response.status_code == 201
    assert response.get_json()["languages"] == ["en", "sjo"]
    assert (
        api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], languages=["xx"])).status_code
        == 422
    )


def test_lawyers_are_found_by_a_language_however_its_code_is_written(api: Api) -> None:
    api.post("/api/roster/lawyers", json=lawyer_body(name="English speaker", languages=["zh", "en"]))
    found = api.get("/api/roster/lawyers?language=eng").get_json()
    assert [x["name"] for x in found["items"]] == ["English speaker"]


def test_the_language_list_names_the_regions_languages_and_those_in_use_in_english_and_chinese(
    api: Api,
) -> None:
    api.post("/api/roster/lawyers", json=lawyer_body(languages=["zh", "fr"]))
    items = {x["code"]: x for x in api.get("/api/roster/languages?limit=1000").get_json()["items"]}
    assert {"zh", "ug", "kk", "ky", "mn", "sjo", "ru", "en", "fr"} <= set(items)
    assert (items["sjo"]["name_en"], items["sjo"]["name_zh"]) == ("Xibe", "锡伯语")
    assert (items["fr"]["name_zh"], items["fr"]["lawyers"], items["ug"]["lawyers"]) == ("法语", 1, 0)
    assert items["zh"]["lawyers"] == 1


def test_the_language_list_searches_the_registry_by_chinese_or_english_name(api: Api) -> None:
    assert api.get("/api/roster/languages?q=英语").get_json()["items"][0]["code"] == "en"
    assert "uz" in [x["code"] for x in api.get("/api/roster/languages?q=Uzbek").get_json()["items"]]
    assert (
        api.as_role("lawyer").get("/api/roster/languages?q=sjo").get_json()["items"][0]["name_zh"] == "锡伯语"
    )


def test_the_migration_turns_the_old_xibe_code_into_sjo(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url, MIGRATIONS, "2cee478ec8b2")
    engine = sa.create_engine(database_url)
    now = "2026-11-30 10:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO lawyers (id, name, license_no, status, region_code, languages, max_duties_per_month, "
                "version, created_at, updated_at) VALUES ('L1', 'x', '16540200000000001', 'practising', '654022', "
                '\'["zh", "xbe"]\', 8, 1, :now, :now)'
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO stations (id, name, level, region_code, version, created_at, updated_at) "
                "VALUES ('S1', 'x', 'county', '654022', 1, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO duty_patterns (id, station_id, days, start_time, end_time, headcount, languages, "
                "intern_seats, skip_public_holidays, active, version, created_at, updated_at) VALUES ('P1', 'S1', "
                "'\"daily\"', '09:00', '13:00', 1, '[\"xbe\"]', 0, true, true, 1, :now, :now)"
            ),
            {"now": now},
        )
    upgrade(database_url, MIGRATIONS)
    with engine.connect() as conn:
        lawyer, version = conn.execute(sa.text("SELECT languages, version FROM lawyers")).one()
        pattern = conn.execute(sa.text("SELECT languages FROM duty_patterns")).scalar_one()
        events = conn.execute(sa.text("SELECT event_type, body FROM outbox")).all()
    engine.dispose()
    assert decode(lawyer) == ["sjo", "zh"]
    assert decode(pattern) == ["sjo"]
    assert version == 2  # a new version: ETags held by clients are stale
    [(event_type, body)] = events  # the gateway's and the subsidy service's copies of the lawyer follow
    assert event_type == "roster.lawyer.upserted"
    data = json.loads(body)["data"]
    assert (data["id"], data["languages"], data["max_duties_per_month"]) == ("L1", ["sjo", "zh"], 8)


def decode(value: Any) -> Any:
    """A JSON column as read with plain SQL: a list on PostgreSQL, its text on SQLite."""
    return value if isinstance(value, list) else json.loads(value)


def test_a_spreadsheet_names_languages_in_chinese_and_they_are_stored_as_codes(api: Api) -> None:
    xibe, english = licence(), licence()
    content = csv_file(
        [
            HEADER_ZH,
            ["锡伯族律师", xibe, "执业", "654022", "汉语、锡伯语", "", "", "", ""],
            ["外语律师", english, "执业", "654021", "中文，英语，俄语、柯尔克孜语", "", "", "", ""],
        ]
    )
    response = upload(api, LAWYERS, content)
    assert response.status_code == 201, response.get_json()
    stored = lawyers(api)
    assert stored[xibe]["languages"] == ["sjo", "zh"]
    assert stored[english]["languages"] == ["en", "ky", "ru", "zh"]
