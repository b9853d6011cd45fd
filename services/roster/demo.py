"""The demo prefecture: Ili Kazakh Autonomous Prefecture (654000), four of its counties with their real
codes, county centres, township stations, village posts, the prefecture centre and the 12348 hotline,
~60 lawyers speaking Chinese, Uyghur and Kazakh, a few interns, and this month's roster generated and
published. Loaded into an empty roster database by `make run` unless LEGALDUTY_DEMO=0."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from services.common.auth import Identity
from services.common.db import UnitOfWork, make_engine, make_session_factory
from services.common.demo import demo_lawyer_id
from services.common.settings import Settings
from services.roster.adapters.orm import LawyerRow, RosterRow, metadata
from services.roster.service import duty_patterns as pattern_cases
from services.roster.service import lawyers as lawyer_cases
from services.roster.service import rosters
from services.roster.service import stations as station_cases
from services.roster.service.calendar import load_calendar
from services.roster.service.duties import today_in_beijing
from services.roster.service.problem import build_problem

log = logging.getLogger(__name__)

PREFECTURE = "654000"
COUNTIES = {
    # code: (county name, county centre, townships, villages, main minority language)
    "654002": (
        "伊宁市",
        "伊宁市公共法律服务中心",
        ["喀尔墩乡", "潘津镇", "汉宾乡"],
        ["英也尔村", "阔纳买里村"],
        "ug",
    ),
    "654021": (
        "伊宁县",
        "伊宁县公共法律服务中心",
        ["萨木于孜镇", "墩麻扎镇", "吉里于孜镇"],
        ["喀拉亚尕奇村", "克伯克于孜村"],
        "ug",
    ),
    "654023": (
        "霍城县",
        "霍城县公共法律服务中心",
        ["清水河镇", "萨尔布拉克镇", "三道河乡"],
        ["大西沟村", "切德克苏村"],
        "kk",
    ),
    "654004": (
        "霍尔果斯市",
        "霍尔果斯市公共法律服务中心",
        ["伊车嘎善锡伯族乡", "莫乎尔牧场"],
        ["界梁子村"],
        "kk",
    ),
}
SURNAMES = ["王", "李", "张", "刘", "陈", "马", "杨", "赵"]
GIVEN = ["建国", "丽娜", "海燕", "志强", "晓梅", "军", "芳", "磊"]
UYGHUR = [
    "阿依古丽·吐尔逊",
    "艾尔肯·买买提",
    "古丽努尔·阿不都",
    "买买提江·艾力",
    "热依汗古丽·肉孜",
    "依明江·吾斯曼",
]
KAZAKH = [
    "努尔兰·别克",
    "阿依达娜·哈力",
    "叶尔兰·马合苏提",
    "古丽米拉·托合塔尔",
    "别克波拉提·加纳尔",
    "阿尔曼·努尔江",
]
SYSTEM = Identity(user_id="demo-loader", username="demo", role="scheduler")


def _licence(county: str, n: int) -> str:
    return f"1{county}1201810{n:04d}"


def load_demo(settings: Settings) -> None:
    """Load the demo prefecture into an empty database unless LEGALDUTY_DEMO=0."""
    if not settings.demo:
        return
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, metadata)
    with factory() as session:
        if session.scalar(select(func.count()).select_from(LawyerRow)):
            return
    rng = random.Random(2026)
    with UnitOfWork(factory, producer="roster", correlation_id="demo") as uow:
        _stations_and_patterns(uow)
        _lawyers(uow, rng)
        uow.commit()
    _this_months_roster(factory)
    engine.dispose()
    log.info("demo prefecture loaded")


def _stations_and_patterns(uow: UnitOfWork) -> None:
    centre = _station(
        uow,
        name="伊犁州公共法律服务中心",
        level="prefecture",
        region_code=PREFECTURE,
        parent_id=None,
        address="伊宁市斯大林街 88 号",
    )
    _duty(uow, centre["id"], days="workdays", start_time="09:30", end_time="18:00")
    hotline = _station(
        uow,
        name="12348 伊犁公共法律服务热线",
        level="hotline",
        region_code=PREFECTURE,
        parent_id=centre["id"],
        address=None,
    )
    for start, end in (("09:30", "13:30"), ("15:30", "19:30")):
        _duty(uow, hotline["id"], days="workdays", start_time=start, end_time=end)
    for code, (county, centre_name, townships, villages, language) in COUNTIES.items():
        county_centre = _station(
            uow,
            name=centre_name,
            level="county",
            region_code=code,
            parent_id=centre["id"],
            address=f"{county}人民路 1 号",
        )
        _duty(
            uow,
            county_centre["id"],
            days="workdays",
            start_time="09:30",
            end_time="13:30",
            languages=[language],
        )
        if code == "654021":  # Yining County keeps a weekend and holiday duty (节假日值班) at its centre
            _duty(
                uow,
                county_centre["id"],
                days="non_workdays",
                start_time="10:00",
                end_time="14:00",
                skip_public_holidays=False,
            )
        for i, name in enumerate(townships):
            station = _station(
                uow,
                name=f"{name}公共法律服务工作站",
                level="township",
                region_code=code,
                parent_id=county_centre["id"],
                address=f"{county}{name}司法所",
            )
            _duty(
                uow,
                station["id"],
                days=[2, 4] if i % 2 == 0 else [3],
                start_time="10:00",
                end_time="16:00",
                intern_seats=1,
            )
        for name in villages:
            station = _station(
                uow,
                name=f"{name}公共法律服务室",
                level="village",
                region_code=code,
                parent_id=county_centre["id"],
                address=f"{county}{name}村委会",
            )
            _duty(
                uow,
                station["id"],
                days="workdays",
                rrule="FREQ=MONTHLY;BYDAY=+2TU",
                start_time="10:00",
                end_time="14:00",
                languages=[language],
            )


def _lawyers(uow: UnitOfWork, rng: random.Random) -> None:
    today = today_in_beijing()
    for c, (code, (_county, _centre, _t, _v, language)) in enumerate(COUNTIES.items()):
        minority = UYGHUR if language == "ug" else KAZAKH
        practising: list[dict[str, Any]] = []
        for n in range(1, 15):
            if n <= 6:
                name, languages = minority[(n - 1 + c) % len(minority)], ["zh", language]
            else:
                name = SURNAMES[(n + c) % len(SURNAMES)] + GIVEN[(n * 3 + c) % len(GIVEN)]
                languages = ["zh"] if n % 4 else ["zh", language]
                if code == "654004" and n in (7, 9):  # 伊车嘎善锡伯族乡 is a Xibe township: Xibe is `sjo`
                    languages = [*languages, "sjo"]
            licence = _licence(code, n)
            data = {
                "name": name,
                "license_no": licence,
                "status": "suspended" if n == 14 else "practising",
                "region_code": code,
                "languages": languages,
                "max_duties_per_month": 8,
                "intern_start": None,
                "intern_end": None,
                "supervisor_id": None,
                "phone": f"139{rng.randrange(10**8):08d}",
            }
            practising.append(_create(uow, data))
        for k in range(1, 3 if c < 2 else 2):
            licence = _licence(code, 90 + k)
            _create(
                uow,
                {
                    "name": f"实习律师{SURNAMES[(k + c) % 8]}{GIVEN[(k + 2 * c) % 8]}",
                    "license_no": licence,
                    "status": "intern",
                    "region_code": code,
                    "languages": ["zh", language],
                    "max_duties_per_month": 8,
                    "intern_start": today.replace(day=1) - timedelta(days=60),
                    "intern_end": today.replace(day=1) + timedelta(days=300),
                    "supervisor_id": practising[k]["id"],
                    "phone": None,
                },
            )
    # lawyers of prefecture-level firms staff the prefecture centre and take hotline shifts
    for n, (name, languages) in enumerate(
        [
            ("哈力别克·努尔兰", ["zh", "kk"]),
            ("阿娜尔古丽·艾山", ["zh", "ug"]),
            ("周文博", ["zh"]),
            ("赛力克·波拉提", ["zh", "kk"]),
            ("米娜瓦尔·吐尔洪", ["zh", "ug", "kk"]),
            ("何静", ["zh"]),
        ],
        start=1,
    ):
        _create(
            uow,
            {
                "name": name,
                "license_no": _licence(PREFECTURE, n),
                "status": "practising",
                "region_code": PREFECTURE,
                "languages": languages,
                "max_duties_per_month": 8,
                "intern_start": None,
                "intern_end": None,
                "supervisor_id": None,
                "phone": None,
            },
        )
    # the two lawyers of the README tour (users aygul and nurlan)
    for licence, name, code, languages in (
        ("16540212018100001", "阿依古丽·买买提", "654021", ["zh", "ug"]),
        ("16540212018100002", "努尔兰·叶尔肯", "654021", ["zh", "ug", "kk"]),
    ):
        _create(
            uow,
            {
                "name": name,
                "license_no": licence,
                "status": "practising",
                "region_code": code,
                "languages": languages,
                "max_duties_per_month": 8,
                "intern_start": None,
                "intern_end": None,
                "supervisor_id": None,
                "phone": None,
            },
        )


def _create(uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """A demo lawyer's id derives from the licence number (the gateway's demo users link to it)."""
    return lawyer_cases.create_lawyer(uow=uow, data=data, lawyer_id=demo_lawyer_id(data["license_no"]))


def _this_months_roster(factory: Any) -> None:
    today = today_in_beijing()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with UnitOfWork(factory, producer="roster", correlation_id="demo") as uow:
        roster = rosters.create_roster(
            uow=uow,
            data={
                "region_code": PREFECTURE,
                "period_start": first,
                "period_end": last,
                "min_intern_duties": 4,
            },
            identity=SYSTEM,
        )
        row = uow.session.get(RosterRow, roster["id"])
        assert row is not None
        calendar = load_calendar(uow.session)
        rosters.generate_into(uow.session, row, build_problem(uow.session, row, calendar), calendar)
        rosters.publish(uow=uow, roster_id=row.id, expected_version=None)
        uow.commit()


def _station(uow: UnitOfWork, **data: Any) -> dict[str, Any]:
    return station_cases.create_station(uow=uow, data=data)


def _duty(uow: UnitOfWork, station_id: str, **data: Any) -> None:
    """A duty pattern at the station: one lawyer, no language, no intern seat, not on public holidays,
    unless `data` says otherwise."""
    pattern_cases.create_pattern(
        uow=uow,
        data={
            "station_id": station_id,
            "rrule": None,
            "headcount": 1,
            "languages": [],
            "intern_seats": 0,
            "skip_public_holidays": True,
            **data,
        },
    )
