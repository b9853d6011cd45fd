"""The spreadsheet's vocabulary: the header names an import accepts per field (Chinese and English), and
how each cell becomes a field's value (statuses, languages, levels, dates and licence numbers as schedulers
write them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from services.roster.domain.languages import code_for_word
from services.roster.domain.model import STATION_LEVELS
from services.roster.service.spreadsheets.upload import clean


def header_key(text: str) -> str:
    """A header cell as compared: no notes in brackets, no spaces, marks or case ("执业证号（17位）*" ->
    "执业证号", "License No." -> "licenseno")."""
    text = re.sub(r"[(（【\[].*?[)）】\]]", "", text)
    return re.sub(r"[\s*＊_\-.:：·'\"]+", "", text).lower()


LAWYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "律师姓名", "名字", "name", "lawyer name"),
    "license_no": (
        "执业证号",
        "执业证号码",
        "执业证书号",
        "执业证书号码",
        "律师执业证号",
        "执业证",
        "证号",
        "license_no",
        "licence_no",
        "license number",
        "licence number",
        "license",
        "licence",
    ),
    "status": ("状态", "执业状态", "人员类别", "类别", "status"),
    "region_code": (
        "区划代码",
        "行政区划代码",
        "区划",
        "区域代码",
        "地区代码",
        "region_code",
        "region code",
        "region",
    ),
    "languages": ("语言", "语种", "工作语言", "掌握语言", "languages", "language"),
    "max_duties_per_month": (
        "每月上限",
        "每月最多",
        "每月值班上限",
        "每月最多值班",
        "每月最多值班次数",
        "月上限",
        "值班上限",
        "max_duties_per_month",
        "max_duties",
        "max per month",
    ),
    "intern_start": ("实习开始", "实习开始日期", "实习起始", "实习起始日期", "实习起", "intern_start"),
    "intern_end": ("实习结束", "实习结束日期", "实习截止", "实习截止日期", "实习止", "intern_end"),
    "supervisor_license_no": (
        "指导律师执业证号",
        "指导律师执业证号码",
        "指导律师证号",
        "指导老师执业证号",
        "supervisor_license_no",
        "supervisor_licence_no",
        "supervisor license",
        "supervisor licence",
    ),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "phone", "mobile", "telephone"),
}
STATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "名称",
        "站点名称",
        "服务点名称",
        "平台名称",
        "站点",
        "服务点",
        "name",
        "station",
        "station name",
    ),
    "level": ("级别", "层级", "站点级别", "类型", "level"),
    "region_code": LAWYER_COLUMNS["region_code"],
    "parent_name": (
        "上级名称",
        "上级",
        "上级站点",
        "上级平台",
        "上级服务点",
        "所属上级",
        "parent_name",
        "parent",
    ),
    "address": ("地址", "详细地址", "address"),
}
LABELS = {
    "name": "姓名",
    "license_no": "执业证号",
    "status": "状态",
    "region_code": "区划代码",
    "languages": "语言",
    "max_duties_per_month": "每月上限",
    "intern_start": "实习开始",
    "intern_end": "实习结束",
    "supervisor_license_no": "指导律师执业证号",
    "phone": "电话",
}
STATION_LABELS = {
    "name": "名称",
    "level": "级别",
    "region_code": "区划代码",
    "parent_name": "上级名称",
    "address": "地址",
}

STATUS_WORDS = {
    **dict.fromkeys(
        (
            "执业",
            "执业律师",
            "专职律师",
            "兼职律师",
            "公职律师",
            "公司律师",
            "practising",
            "practicing",
            "practising lawyer",
        ),
        "practising",
    ),
    **dict.fromkeys(("实习", "实习律师", "实习人员", "intern", "intern lawyer"), "intern"),
    **dict.fromkeys(("停止执业", "暂停执业", "停业", "停执", "suspended"), "suspended"),
}
IGNORED_QUIETLY = {
    header_key(h) for h in ("序号", "编号", "备注", "说明", "no", "#", "remark", "remarks", "note", "notes")
}
LICENCE = re.compile(r"^\d{17}$")
PENDING = "(resolved from the spreadsheet)"  # supervisor/parent ids are known only once the file is resolved


@dataclass(frozen=True)
class Kind:
    columns: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    required: tuple[str, ...]  # columns a file must have
    identity: tuple[str, ...]  # columns an upsert file must have (the rest are needed only for new rows)

    def aliases(self) -> dict[str, str]:
        return {header_key(alias): name for name, names in self.columns.items() for alias in names}

    def label(self, name: str) -> str:
        return f"{self.labels[name]} ({name})"


LAWYERS = Kind(
    LAWYER_COLUMNS, LABELS, ("name", "license_no", "status", "region_code", "languages"), ("license_no",)
)
STATIONS = Kind(STATION_COLUMNS, STATION_LABELS, ("name", "level", "region_code"), ("name", "region_code"))


def accepted_headers(kind: str) -> dict[str, list[str]]:
    """The header names an import accepts, per field (for the API's description)."""
    spec = LAWYERS if kind == "lawyer" else STATIONS
    return {name: list(names) for name, names in spec.columns.items()}


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return clean(str(value))


def _licence(value: Any) -> str:
    if isinstance(value, float):
        raise CellError(
            "the cell holds a number, and Excel keeps only 15 digits of it: format the column as "
            "text (文本) and type the licence number again"
        )
    text = re.sub(r"\s+", "", _text(value))
    text = re.sub(r'^(?:="(.*)"|\'(.*))$', lambda m: m.group(1) or m.group(2) or "", text)  # ="0123", '0123
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise CellError(
            f"{text} is a number Excel shortened: format the column as text (文本) and type the "
            "licence number again"
        )
    return text


def _supervisor_licence(value: Any) -> str:
    text = _licence(value)
    if not LICENCE.match(text):
        raise CellError("must be the supervising lawyer's 17-digit licence number (执业证号)")
    return text


def _status(value: Any) -> str:
    text = _text(value)
    status = STATUS_WORDS.get(text.lower().replace("  ", " "))
    if status is None:
        raise CellError(
            f"{text!r} is not a status: write 执业, 实习 or 停止执业 (practising, intern, suspended)"
        )
    return status


def _languages(value: Any) -> list[str]:
    words = [w for w in re.split(r"[,，、;；/／|+＋\s]+|和|及", _text(value)) if w]
    codes = {w: code_for_word(w) for w in words}
    unknown = [w for w, code in codes.items() if code is None]
    if unknown:
        raise CellError(
            f"unknown language {'、'.join(unknown)}: write its Chinese name (汉语、维吾尔语、锡伯语、英语…) "
            "or its ISO 639 code (zh, ug, sjo, en…)"
        )
    return sorted({code for code in codes.values() if code})


def _whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).removesuffix("次")
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise CellError(f"{_text(value)!r} is not a whole number")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(f"{text!r} is not a date: write it like 2026-03-01, 2026/3/1 or 2026年3月1日")


def _level(value: Any) -> str:
    text = _text(value)
    word = re.sub(r"\s+", "", text).lower().replace("（", "(").replace("）", ")")
    if word in STATION_LEVELS:
        return word
    if "12348" in word or "热线" in word:
        return "hotline"
    if "村" in word or "社区" in word or "服务室" in word:
        return "village"
    if any(k in word for k in ("乡", "镇", "街道", "工作站", "司法所")):
        return "township"
    if "县" in word or word.startswith("区"):
        return "county"
    if any(k in word for k in ("州", "市", "地区", "盟")):
        return "prefecture"
    raise CellError(
        f"{text!r} is not a level: write 州/市中心, 县中心, 乡镇, 村/社区 or 12348热线 "
        "(prefecture, county, township, village, hotline)"
    )


LAWYER_CELLS: dict[str, Callable[[Any], Any]] = {
    "name": _text,
    "license_no": _licence,
    "status": _status,
    "region_code": _text,
    "languages": _languages,
    "max_duties_per_month": _whole_number,
    "intern_start": _date,
    "intern_end": _date,
    "supervisor_license_no": _supervisor_licence,
    "phone": _text,
}
STATION_CELLS: dict[str, Callable[[Any], Any]] = {
    "name": _text,
    "level": _level,
    "region_code": _text,
    "parent_name": _text,
    "address": _text,
}
