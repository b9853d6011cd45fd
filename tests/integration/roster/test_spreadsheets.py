"""Schedulers import lawyers and stations from their Excel/WPS sheets (XLSX, CSV in UTF-8, UTF-8 with BOM or GBK),
all or nothing, and print a generated roster as a workbook to post at the stations."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from services.roster.adapters.orm import outbox
from tests.integration.roster.conftest import Api
from tests.integration.roster.factories import lawyer_body, licence, pattern_body, station_body

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAWYERS = "/api/roster/imports/lawyers"
STATIONS = "/api/roster/imports/stations"


def csv_file(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    """A CSV as Excel writes it: CRLF line ends, quotes where needed."""

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return f'"{text}"' if any(c in text for c in ',"\n') else text

    return "\r\n".join(",".join(cell(v) for v in row) for row in rows).encode(encoding)


def xlsx_file(rows: list[list[Any]], title: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("说明").append(["这张表不导入"])  # only the first sheet is read
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(api: Api, path: str, content: bytes, filename: str = "lawyers.csv") -> Any:
    return api.post(path, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def lawyers(api: Api) -> dict[str, dict]:
    """The registered lawyers by licence number."""
    return {law["license_no"]: law for law in api.get("/api/roster/lawyers?limit=1000").get_json()["items"]}


def stations(api: Api) -> dict[str, dict]:
    return {s["name"]: s for s in api.get("/api/roster/stations?limit=1000").get_json()["items"]}


def event_count(api: Api, event_type: str) -> int:
    with api.app.extensions["legalduty"].session_factory() as session:
        return session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.event_type == event_type)
        )


HEADER_ZH = [
    "姓名",
    "执业证号",
    "状态",
    "区划代码",
    "语言",
    "每月上限",
    "实习开始",
    "实习结束",
    "指导律师执业证号",
]


# ------------------------------------------------------------------------------------------------ imports


@pytest.mark.parametrize(
    ("encoding", "raw"), [("utf-8", False), ("utf-8-sig", True), ("gbk", False), ("gbk", True)]
)
def test_lawyers_import_from_csv_in_utf8_with_or_without_bom_and_in_gbk(
    api: Api, encoding: str, raw: bool
) -> None:
    supervisor, intern = licence(), licence()
    content = csv_file(
        [
            HEADER_ZH,
            ["阿依古丽·吐尔逊", supervisor, "执业", "654021", "汉语、维吾尔语", "10", "", "", ""],
            ["李明", intern, "实习", "654021", "汉语", "", "2026/3/1", "2027年2月28日", supervisor],
        ],
        encoding,
    )
    if raw:
        response = api.post(LAWYERS, data=content, content_type="text/csv")
    else:
        response = upload(api, LAWYERS, content)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["created"] == 2
    assert len(body["ids"]) == 2
    stored = lawyers(api)
    assert stored[supervisor]["name"] == "阿依古丽·吐尔逊"
    assert stored[supervisor]["languages"] == ["ug", "zh"]
    assert stored[supervisor]["max_duties_per_month"] == 10
    assert stored[intern]["status"] == "intern"
    assert stored[intern]["max_duties_per_month"] == 8
    assert (stored[intern]["intern_start"], stored[intern]["intern_end"]) == ("2026-03-01", "2027-02-28")
    assert stored[intern]["supervisor_id"] == stored[supervisor]["id"]
    assert body["ids"] == [stored[supervisor]["id"], stored[intern]["id"]]
    assert event_count(api, "roster.lawyer.upserted") == 2


def test_an_xlsx_workbook_with_a_title_row_and_english_headers_imports_lawyers(api: Api) -> None:
    practising, intern, suspended = licence(), licence(), licence()
    content = xlsx_file(
        [
            [
                "Name",
                "License No.",
                "Status",
                "Region code",
                "Languages",
                "Max duties per month",
                "Intern start",
                "Intern end",
                "Supervisor licence",
                "律所",
            ],
            [
                "Marat Kenes",
                practising,
                "practising",
                654023,
                "zh, kk",
                6,
                None,
                None,
                None,
                "伊力律师事务所",
            ],
            [
                "Ding Wei",
                intern,
                "intern",
                654023,
                "Chinese",
                None,
                datetime(2026, 9, 1),
                datetime(2027, 8, 31),
                practising,
                None,
            ],
            ["Old Hand", suspended, "停止执业", "654023", "zh", None, None, None, None, None],
        ],
        title="2026年霍城县律师名单",
    )
    response = api.post(LAWYERS, data=content, content_type=XLSX)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 3
    assert response.get_json()["ignored_columns"] == ["律所"]
    stored = lawyers(api)
    assert stored[practising]["languages"] == ["kk", "zh"]
    assert stored[practising]["region_code"] == "654023"
    assert stored[practising]["max_duties_per_month"] == 6
    assert stored[intern]["intern_start"] == "2026-09-01"
    assert stored[intern]["supervisor_id"] == stored[practising]["id"]
    assert stored[suspended]["status"] == "suspended"


def test_supervisors_are_found_by_licence_number_in_the_file_or_among_registered_lawyers(api: Api) -> None:
    registered = api.post("/api/roster/lawyers", json=lawyer_body(name="已登记律师")).get_json()
    later, first_intern, second_intern = licence(), licence(), licence()
    content = csv_file(
        [
            HEADER_ZH,
            [
                "实习甲",
                first_intern,
                "实习",
                "654021",
                "汉语",
                "",
                "2026-09-01",
                "2027-08-31",
                registered["license_no"],
            ],
            ["实习乙", second_intern, "实习", "654021", "汉语", "", "2026-09-01", "2027-08-31", later],
            ["后面的指导律师", later, "执业", "654021", "汉语", "", "", "", ""],
        ]
    )
    response = upload(api, LAWYERS, content)
    assert response.status_code == 201, response.get_json()
    stored = lawyers(api)
    assert stored[first_intern]["supervisor_id"] == registered["id"]
    assert (
        stored[second_intern]["supervisor_id"] == stored[later]["id"]
    )  # defined further down: created first
    assert response.get_json()["ids"] == [stored[n]["id"] for n in (first_intern, second_intern, later)]


def test_a_file_with_several_bad_rows_is_refused_naming_each_row_and_field_and_nothing_is_written(
    api: Api,
) -> None:
    intern_of_intern = licence()
    good = licence()
    content = csv_file(
        [
            HEADER_ZH,
            ["好律师", good, "执业", "654021", "汉语", "", "", "", ""],  # row 2: fine
            ["短证号", "12345", "执业", "654021", "汉语", "", "", "", ""],  # row 3
            ["退休的", licence(), "退休", "654021", "汉语", "", "", "", ""],  # row 4
            ["", licence(), "执业", "65", "火星语", "很多", "", "", ""],  # row 5
            ["没日期的实习律师", licence(), "实习", "654021", "汉语", "", "", "", good],  # row 6
            [
                "实习律师甲",
                intern_of_intern,
                "实习",
                "654021",
                "汉语",
                "",
                "2026-09-01",
                "2027-08-31",
                licence(),
            ],  # row 7
            [
                "实习律师乙",
                licence(),
                "实习",
                "654021",
                "汉语",
                "",
                "2026-09-01",
                "2026-08-31",
                intern_of_intern,
            ],  # row 8
        ]
    )
    response = upload(api, LAWYERS, content)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    errors = problem["errors"]
    assert "must be the 17-digit licence number" in errors["row 3.license_no"][0]
    assert "退休" in errors["row 4.status"][0]
    assert errors["row 5.name"] == ["required: the cell is empty"]
    assert "火星语" in errors["row 5.languages"][0]
    assert {"row 5.region_code", "row 5.max_duties_per_month"} <= set(errors)
    assert {"row 6.intern_start", "row 6.intern_end"} <= set(errors)
    assert "no lawyer with licence number" in errors["row 7.supervisor_license_no"][0]
    assert "must be practising" in errors["row 8.supervisor_license_no"][0]
    assert "row 8.intern_end" in errors
    assert not any(key.startswith("row 2") for key in errors)
    assert problem["bad_rows"] == [3, 4, 5, 6, 7, 8]
    assert api.get("/api/roster/lawyers").get_json()["total"] == 0
    assert event_count(api, "roster.lawyer.upserted") == 0


def test_a_licence_number_excel_stored_as_a_number_is_refused_with_advice(api: Api) -> None:
    content = xlsx_file([HEADER_ZH[:5], ["甲", int(licence()), "执业", 654021, "汉语"]])  # 15 digits survive
    response = api.post(LAWYERS, data=content, content_type=XLSX)
    assert response.status_code == 422
    assert "format the column as text" in response.get_json()["errors"]["row 2.license_no"][0]


def test_a_licence_number_twice_in_one_file_is_refused_on_the_later_row(api: Api) -> None:
    twice = licence()
    content = csv_file(
        [
            HEADER_ZH[:5],
            ["甲", twice, "执业", "654021", "zh"],
            ["乙", licence(), "执业", "654021", "zh"],
            ["丙", twice, "执业", "654021", "zh"],
        ]
    )
    response = upload(api, LAWYERS, content)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"row 4.license_no": ["the same licence number as row 2"]}
    assert api.get("/api/roster/lawyers").get_json()["total"] == 0


def test_a_registered_licence_number_is_refused_unless_the_import_upserts(api: Api) -> None:
    known = api.post(
        "/api/roster/lawyers", json=lawyer_body(name="旧名字", max_duties_per_month=8)
    ).get_json()
    full = csv_file([HEADER_ZH[:5], ["新名字", known["license_no"], "执业", "654021", "汉语"]])
    refused = upload(api, LAWYERS, full)
    assert refused.status_code == 422
    assert "already registered" in refused.get_json()["errors"]["row 2.license_no"][0]

    content = csv_file([["执业证号", "姓名", "每月上限"], [known["license_no"], "新名字", 4]])

    updated = upload(api, LAWYERS + "?mode=upsert", content)
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["updated_ids"] == [known["id"]]
    assert updated.get_json()["created"] == 0
    lawyer = api.get(f"/api/roster/lawyers/{known['id']}").get_json()
    assert (lawyer["name"], lawyer["max_duties_per_month"], lawyer["version"]) == ("新名字", 4, 2)
    assert lawyer["languages"] == known["languages"]
    assert lawyer["status"] == "practising"

    again = upload(api, LAWYERS + "?mode=upsert", content)
    assert again.get_json()["unchanged"] == 1
    assert api.get(f"/api/roster/lawyers/{known['id']}").get_json()["version"] == 2
    assert event_count(api, "roster.lawyer.upserted") == 2  # the registration and the one real change


def test_stations_import_with_chinese_levels_and_parents_by_name(api: Api) -> None:
    content = xlsx_file(
        [
            ["名称", "级别", "区划代码", "上级名称", "地址"],
            ["萨木于孜镇公共法律服务工作站", "乡镇", "654021", "伊宁县公共法律服务中心", None],
            ["伊犁州公共法律服务中心", "州/市中心", "654000", None, "伊宁市斯大林街1号"],
            ["伊宁县公共法律服务中心", "县中心", "654021", "伊犁州公共法律服务中心", "伊宁县解放路1号"],
            ["喀拉亚尕奇村公共法律服务室", "村/社区", "654021", "萨木于孜镇公共法律服务工作站", None],
            ["12348 伊犁公共法律服务热线", "12348热线", "654000", None, None],
        ]
    )
    response = upload(api, STATIONS, content, "stations.xlsx")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 5
    stored = stations(api)
    prefecture, county = stored["伊犁州公共法律服务中心"], stored["伊宁县公共法律服务中心"]
    township, village = stored["萨木于孜镇公共法律服务工作站"], stored["喀拉亚尕奇村公共法律服务室"]
    assert [s["level"] for s in (prefecture, county, township, village)] == [
        "prefecture",
        "county",
        "township",
        "village",
    ]
    assert stored["12348 伊犁公共法律服务热线"]["level"] == "hotline"
    assert (county["parent_id"], township["parent_id"], village["parent_id"]) == (
        prefecture["id"],
        county["id"],
        township["id"],
    )
    assert county["address"] == "伊宁县解放路1号"
    assert event_count(api, "roster.station.upserted") == 5


def test_stations_with_an_unknown_parent_a_bad_level_or_a_registered_name_are_refused(api: Api) -> None:
    registered = api.post("/api/roster/stations", json=station_body()).get_json()
    content = csv_file(
        [
            ["名称", "级别", "区划代码", "上级名称"],
            ["墩麻扎镇公共法律服务工作站", "乡镇", "654021", registered["name"]],  # row 2: fine
            ["吉里于孜镇公共法律服务工作站", "乡镇", "654021", "不存在的中心"],  # row 3
            ["英也尔村公共法律服务室", "大队", "654021", ""],  # row 4
            [registered["name"], "县中心", "654021", ""],  # row 5
        ],
        "gbk",
    )
    response = api.post(STATIONS, data=content, content_type="text/csv")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"row 3.parent_name", "row 4.level", "row 5.name"}
    assert "不存在的中心" in errors["row 3.parent_name"][0]
    assert "大队" in errors["row 4.level"][0]
    assert api.get("/api/roster/stations").get_json()["total"] == 1


def test_a_file_that_is_no_usable_spreadsheet_is_refused_with_a_clear_reason(api: Api) -> None:
    no_header = upload(api, LAWYERS, csv_file([["甲", licence(), "执业"]]))
    assert no_header.status_code == 422
    assert "header" in no_header.get_json()["errors"]
    missing = upload(api, LAWYERS, csv_file([["姓名", "执业证号"], ["甲", licence()]]))
    assert missing.status_code == 422
    assert any("状态" in m for m in missing.get_json()["errors"]["header"])
    old_excel = upload(api, LAWYERS, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "lawyers.xls")
    assert old_excel.status_code == 422
    assert ".xlsx" in old_excel.get_json()["errors"]["file"][0]
    assert api.post(LAWYERS, json={"name": "x"}).status_code == 415
    assert api.post(LAWYERS, data=b"", content_type="multipart/form-data").status_code == 422


def test_a_file_over_five_megabytes_is_refused_as_too_large(api: Api) -> None:
    response = api.post(LAWYERS, data=b"x" * (5 * 1024 * 1024 + 1), content_type="text/csv")
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_lawyer_may_neither_import_nor_export(api: Api) -> None:
    api.as_role("lawyer", lawyer_id="some-lawyer")
    content = csv_file([HEADER_ZH[:5], ["甲", licence(), "执业", "654021", "zh"]])
    assert upload(api, LAWYERS, content).status_code == 403
    assert upload(api, STATIONS, content).status_code == 403
    assert api.get("/api/roster/rosters/any/export.xlsx").status_code == 403
    assert api.as_role("scheduler").get("/api/roster/lawyers").get_json()["total"] == 0


def test_the_api_description_names_the_upload_and_download_formats(api: Api) -> None:
    spec = api.client.get("/openapi.json").get_json()
    upload_types = spec["paths"]["/api/roster/imports/lawyers"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "text/csv", XLSX} <= set(upload_types)
    export = spec["paths"]["/api/roster/rosters/{roster_id}/export.xlsx"]["get"]["responses"]
    assert XLSX in export["200"]["content"]
    assert "404" in export


# ------------------------------------------------------------------------------------------------ export


@pytest.fixture
def prefecture(api: Api) -> dict:
    """Two counties (each with a daily centre duty, Yining County also a township with an intern seat) and the
    12348 hotline in two shifts on working days."""
    yining = api.post("/api/roster/stations", json=station_body(name="伊宁县公共法律服务中心")).get_json()
    township = api.post(
        "/api/roster/stations",
        json=station_body(name="萨木于孜镇公共法律服务工作站", level="township", parent_id=yining["id"]),
    ).get_json()
    huocheng = api.post(
        "/api/roster/stations", json=station_body(name="霍城县公共法律服务中心", region_code="654023")
    ).get_json()
    hotline = api.post(
        "/api/roster/stations",
        json=station_body(name="12348 伊犁公共法律服务热线", level="hotline", region_code="654000"),
    ).get_json()
    for station in (yining, huocheng):
        api.post("/api/roster/duty-patterns", json=pattern_body(station["id"], days="daily"))
    api.post("/api/roster/duty-patterns", json=pattern_body(township["id"], intern_seats=1))
    for start, end in (("09:00", "13:00"), ("14:00", "18:00")):
        api.post(
            "/api/roster/duty-patterns", json=pattern_body(hotline["id"], start_time=start, end_time=end)
        )
    people = [
        api.post("/api/roster/lawyers", json=lawyer_body(name=name, region_code=region)).get_json()
        for name, region in (
            ("阿依古丽", "654021"),
            ("买买提", "654021"),
            ("王芳", "654021"),
            ("李强", "654021"),
            ("马拉特", "654023"),
            ("叶尔兰", "654023"),
            ("张伟", "654023"),
        )
    ]
    intern = api.post(
        "/api/roster/lawyers",
        json=lawyer_body(
            name="小刘",
            status="intern",
            intern_start="2026-01-01",
            intern_end="2026-12-31",
            supervisor_id=people[0]["id"],
        ),
    ).get_json()
    return {
        "yining": yining,
        "township": township,
        "huocheng": huocheng,
        "hotline": hotline,
        "lawyers": {law["id"]: law for law in [*people, intern]},
    }


def test_the_roster_export_has_a_sheet_per_county_a_column_per_station_a_row_per_date_and_the_names(
    api: Api, prefecture: dict
) -> None:
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654000", "period_start": "2026-10-01", "period_end": "2026-10-10"},
    ).get_json()
    generated = api.post(f"/api/roster/rosters/{roster['id']}/generate")
    assert generated.status_code == 200, generated.get_json()
    duties = api.get(f"/api/roster/rosters/{roster['id']}/assignments?limit=1000").get_json()["items"]
    assert any(d["role"] == "intern" for d in duties)

    response = api.get(f"/api/roster/rosters/{roster['id']}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="roster-654000-2026-10-01-to-2026-10-10.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith("2026-10-01至2026-10-10.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["伊宁县", "霍城县", "12348热线"]

    names = {law_id: law["name"] for law_id, law in prefecture["lawyers"].items()}
    by_station = {
        prefecture[key]["id"]: sheet
        for key, sheet in (
            ("yining", "伊宁县"),
            ("township", "伊宁县"),
            ("huocheng", "霍城县"),
            ("hotline", "12348热线"),
        )
    }
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(10)]
    for title in workbook.sheetnames:
        sheet = workbook[title]
        assert [sheet.cell(4 + i, 1).value.date() for i in range(10)] == days
        assert "节假日" in sheet["B4"].value
        assert "调休上班" in sheet["B13"].value
        assert sheet.freeze_panes == "C4"
        assert sheet.print_title_rows == "$2:$3"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert [workbook["伊宁县"].cell(2, c).value for c in (3, 4)] == [
        prefecture["yining"]["name"],
        prefecture["township"]["name"],
    ]
    assert workbook["伊宁县"]["D3"].value == "乡镇工作站 09:30-13:30"
    assert [workbook["12348热线"].cell(3, c).value for c in (3, 4)] == [
        "12348热线 09:00-13:00",
        "12348热线 14:00-18:00",
    ]

    def column_of(sheet: Any, station_id: str, start: str) -> int:
        station_name = next(
            s["name"] for s in prefecture.values() if isinstance(s, dict) and s.get("id") == station_id
        )
        for column in range(3, sheet.max_column + 1):
            head = (
                sheet.cell(2, column).value or sheet.cell(2, column - 1).value
            )  # merged over a station's shifts
            if head == station_name and start in (sheet.cell(3, column).value or ""):
                return column
        raise AssertionError(f"no column for {station_name} {start}")

    expected: dict[tuple[str, int, int], set[str]] = {}
    for duty in duties:
        sheet = workbook[by_station[duty["station_id"]]]
        row = 4 + (date.fromisoformat(duty["date"]) - days[0]).days
        key = (sheet.title, row, column_of(sheet, duty["station_id"], duty["start_time"]))
        label = names[duty["lawyer_id"]] + ("（实习）" if duty["role"] == "intern" else "")
        expected.setdefault(key, set()).add(label)
    for (title, row, column), labels in expected.items():
        assert set(workbook[title].cell(row, column).value.split("、")) == labels
    filled = {
        (title, r, c)
        for title in workbook.sheetnames
        for r in range(4, 14)
        for c in range(3, workbook[title].max_column + 1)
        if workbook[title].cell(r, c).value
    }
    assert filled == set(expected)  # every name in the sheets is a duty, and every duty is there


def test_a_duty_nobody_can_take_is_printed_as_vacant_and_a_published_roster_loses_its_draft_mark(
    api: Api,
) -> None:
    centre = api.post("/api/roster/stations", json=station_body()).get_json()
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily", languages=["mn"]))
    api.post("/api/roster/lawyers", json=lawyer_body(languages=["zh"]))
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": "2026-12-01", "period_end": "2026-12-03"},
    ).get_json()
    api.post(f"/api/roster/rosters/{roster['id']}/generate")
    sheet = load_workbook(io.BytesIO(api.get(f"/api/roster/rosters/{roster['id']}/export.xlsx").data))[
        "伊宁县"
    ]
    assert [sheet.cell(row, 3).value for row in (4, 5, 6)] == ["（空缺）"] * 3
    assert "未发布" in sheet["A1"].value
    api.post(f"/api/roster/rosters/{roster['id']}/publish")
    sheet = load_workbook(io.BytesIO(api.get(f"/api/roster/rosters/{roster['id']}/export.xlsx").data))[
        "伊宁县"
    ]
    assert sheet["A1"].value.startswith("伊宁县（654021） 公共法律服务律师值班表")
    assert "未发布" not in sheet["A1"].value


def test_exporting_an_unknown_roster_is_404_and_an_ungenerated_one_409(api: Api) -> None:
    missing = api.get("/api/roster/rosters/no-such-roster/export.xlsx")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    draft = api.post(
        "/api/roster/rosters",
        json={"region_code": "654021", "period_start": "2026-12-01", "period_end": "2026-12-31"},
    ).get_json()
    assert api.get(f"/api/roster/rosters/{draft['id']}/export.xlsx").status_code == 409


def test_lawyers_imported_from_a_sheet_can_be_rostered_and_exported(api: Api) -> None:
    """The round trip a scheduler makes: the list from Excel in, the month's roster out."""
    upload(
        api,
        STATIONS,
        csv_file([["名称", "级别", "区划代码"], ["霍城县公共法律服务中心", "县中心", "654023"]]),
    )
    centre = stations(api)["霍城县公共法律服务中心"]
    api.post("/api/roster/duty-patterns", json=pattern_body(centre["id"], days="daily"))
    imported = upload(
        api,
        LAWYERS,
        csv_file(
            [HEADER_ZH[:5]] + [[f"律师{i}", licence(), "执业", "654023", "汉语"] for i in range(3)], "gbk"
        ),
    )
    assert imported.status_code == 201
    roster = api.post(
        "/api/roster/rosters",
        json={"region_code": "654023", "period_start": "2026-12-01", "period_end": "2026-12-03"},
    ).get_json()
    api.post(f"/api/roster/rosters/{roster['id']}/generate")
    sheet = load_workbook(io.BytesIO(api.get(f"/api/roster/rosters/{roster['id']}/export.xlsx").data))[
        "霍城县"
    ]
    assert all(sheet.cell(row, 3).value.startswith("律师") for row in (4, 5, 6))
    assert imported.get_json()["ignored_columns"] == []
