"""Bodies for roster API calls, with sensible Ili defaults."""

from __future__ import annotations

import itertools
from typing import Any

_licences = itertools.count(1)


def licence() -> str:
    return f"1654020{next(_licences):010d}"


def lawyer_body(**over: Any) -> dict[str, Any]:
    body = {
        "name": "Aygul Tursun",
        "license_no": licence(),
        "status": "practising",
        "region_code": "654021",
        "languages": ["zh", "ug"],
        "max_duties_per_month": 8,
    }
    body.update(over)
    return body


def station_body(**over: Any) -> dict[str, Any]:
    body = {"name": "伊宁县公共法律服务中心", "level": "county", "region_code": "654021"}
    body.update(over)
    return body


def pattern_body(station_id: str, **over: Any) -> dict[str, Any]:
    body = {
        "station_id": station_id,
        "days": "workdays",
        "start_time": "09:30",
        "end_time": "13:30",
        "headcount": 1,
        "languages": [],
        "intern_seats": 0,
    }
    body.update(over)
    return body
