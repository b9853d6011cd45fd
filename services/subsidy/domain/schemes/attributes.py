"""The three programmes that pay lawyers, and what a claim of each carries: the attribute vocabulary rate
tables are checked against, how attribute values compare, and the length of a station duty."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

AttrValue = str | bool | int


class Kind(StrEnum):
    """The three programmes that pay lawyers."""

    MEDIATION_CASE = "mediation_case"
    LEGAL_AID_CASE = "legal_aid_case"
    STATION_DUTY = "station_duty"


KINDS: frozenset[str] = frozenset(k.value for k in Kind)

_BOOL = ("true", "false")
# 案件质量评估: the grade reviewers give a case file (优秀, 良好, 合格, 不合格); set by grading, never at submission
GRADES = ("excellent", "good", "pass", "fail")

# What each kind's claims carry. A tuple lists the only values that make sense (checked in
# rate tables, so a typo such as "dificult" is refused instead of silently never matching);
# None marks an open list (case types and stages vary between provinces' standards).
ATTRIBUTES: Mapping[str, Mapping[str, tuple[str, ...] | None]] = MappingProxyType(
    {
        Kind.MEDIATION_CASE: MappingProxyType(
            {"difficulty": ("simple", "ordinary", "difficult", "major"), "agreement": _BOOL, "grade": GRADES}
        ),
        Kind.LEGAL_AID_CASE: MappingProxyType(
            {
                "case_type": None,
                "stage": None,
                "remote_area": _BOOL,
                "language": None,
                "jurisdiction": ("same_county", "cross_county", "cross_city"),
                "grade": GRADES,
            }
        ),
        Kind.STATION_DUTY: MappingProxyType(
            {
                "station_level": ("prefecture", "county", "township", "village", "hotline"),
                "length": ("half_day", "full_day"),
                "holiday": _BOOL,
            }
        ),
    }
)
# What a claim of each kind must say before it can be priced.
REQUIRED_ATTRIBUTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        Kind.MEDIATION_CASE: ("difficulty",),
        Kind.LEGAL_AID_CASE: ("case_type", "stage"),
        Kind.STATION_DUTY: ("station_level", "length", "holiday"),
    }
)

HALF_DAY = "half_day"
FULL_DAY = "full_day"
HALF_DAY_AT_MOST = timedelta(hours=4)


def normalise_value(value: object) -> str:
    """Compare attribute values sensibly: True, "true" and " TRUE " are all "true"; strings ignore case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, float):
        raise ValueError(f"attribute value {value!r} is a float; send a string, a whole number or a boolean")
    raise ValueError(f"attribute value {value!r} must be a string, a whole number or a boolean")


def _show(value: object) -> str:
    """One attribute value as a finance officer reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_attributes(*, attributes: Mapping[str, Any]) -> str:
    """Attributes as 'case_type=criminal, stage=appeal', in the order given."""
    return ", ".join(f"{k}={_show(v)}" for k, v in attributes.items() if v is not None)


def validate_attributes(*, kind: str, attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors for a claim's attributes (missing required ones, values outside a closed list)."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        return {"kind": [f"must be one of {', '.join(sorted(KINDS))}"]}
    if not isinstance(attributes, Mapping):
        return {"attributes": ["must be an object"]}
    for key in REQUIRED_ATTRIBUTES[kind]:
        if attributes.get(key) is None:
            errors.setdefault(f"attributes.{key}", []).append("missing")
    for key, allowed in ATTRIBUTES[kind].items():
        value = attributes.get(key)
        if value is None:
            continue
        try:
            norm = normalise_value(value)
        except ValueError as exc:
            errors.setdefault(f"attributes.{key}", []).append(str(exc))
            continue
        if allowed is not None and norm not in allowed:
            errors.setdefault(f"attributes.{key}", []).append(f"must be one of {', '.join(allowed)}")
    return errors


def _as_time(value: time | str) -> time:
    """A time of day from a time or 'HH:MM'."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time like 09:30")


def duty_length(start_time: time | str, end_time: time | str) -> str:
    """'half_day' when the duty is scheduled for up to four hours, else 'full_day' (an end before the start runs past midnight)."""
    start, end = _as_time(start_time), _as_time(end_time)
    begin = datetime.combine(date.min, start)
    finish = datetime.combine(date.min, end)
    if finish == begin:
        raise ValueError("a duty cannot end when it starts")
    if finish < begin:
        finish += timedelta(days=1)
    return HALF_DAY if finish - begin <= HALF_DAY_AT_MOST else FULL_DAY
