"""The API's refusals in the user's words (services/console/apiwords.py): real messages of the services,
as their code writes them, in Chinese and (with ?lang=en) in English; and no pattern without its Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from services.common.settings import load_settings
from services.console import apiwords
from services.console.app import create_app
from services.console.gatewayapi import ApiError, Download

CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # Chinese, or its punctuation


class NoApi:
    """The console needs an API to start; these tests never call it."""

    def call(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no API call expected")

    def download(self, *args: object, **kwargs: object) -> Download:
        raise AssertionError("no API call expected")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    data = tmp_path_factory.mktemp("console")
    settings = load_settings("console", {"LEGALDUTY_DATA_DIR": str(data), "LEGALDUTY_LOG_LEVEL": "WARNING"})
    return create_app(settings, api=NoApi())


@contextmanager
def speaking(app: Flask, lang: str) -> Iterator[None]:
    with app.test_request_context(f"/login?lang={lang}"):
        app.preprocess_request()  # chooses the language (g.lang) as a page does
        yield


@pytest.fixture
def zh(app: Flask) -> Iterator[None]:
    with speaking(app, "zh"):
        yield


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    with speaking(app, "en"):
        yield


# (status, detail, errors) as the API answers them, with the services' own texts; the Chinese; the English
CASES = [
    (  # subsidy/domain/claims.py MakerChecker
        (403, "claim c-1 was submitted by li.ming; another finance officer must review it", {}),
        "补贴申请 c-1 是 li.ming 提交的，须由另一位财务人员审核。",
        "Claim c-1 was submitted by li.ming; another finance officer must review it.",
    ),
    (  # subsidy/domain/claims.py BudgetExceeded
        (
            409,
            "approving 1200.00 would overspend the 2026 mediation_case budget of 654021: 300.50 remaining of "
            "50000.00",
            {},
        ),
        "批准 ¥1,200.00 将超出 654021 2026 年人民调解个案预算：预算 ¥50,000.00，剩余 ¥300.50。",
        "Approving ¥1,200.00 would overspend the 2026 mediation case budget of 654021: ¥300.50 remaining of "
        "¥50,000.00.",
    ),
    (  # subsidy/domain/claims.py BudgetExceeded, a budget of every region
        (
            409,
            "approving 10.00 would overspend the 2026 station_duty budget of all regions: 0.00 remaining of "
            "100.00",
            {},
        ),
        "批准 ¥10.00 将超出 全部地区 2026 年驻点值班预算：预算 ¥100.00，剩余 ¥0.00。",
        "Approving ¥10.00 would overspend the 2026 station duty budget of every region: ¥0.00 remaining of "
        "¥100.00.",
    ),
    (  # subsidy/domain/claims.py DocumentsMissing
        (
            409,
            "claim c-7 cannot be approved: its file is incomplete (一案一卷), missing 结案报告, 调解协议书; add "
            "them while it is pending, then grade and approve it",
            {},
        ),
        "补贴申请 c-7 不能批准：案卷不完整（一案一卷），缺少 结案报告, 调解协议书；请在待审核期间补齐，再评估质量并批准。",
        "Claim c-7 cannot be approved: its file is incomplete (一案一卷), missing 结案报告, 调解协议书; add them "
        "while it is pending, then grade and approve it.",
    ),
    (  # subsidy/domain/claims.py NotGraded
        (
            409,
            "claim c-7 cannot be approved: its scheme pays only graded files (案件质量评估) and it is not graded "
            "yet; grade it, then approve it",
            {},
        ),
        "补贴申请 c-7 不能批准：其补贴标准只支付已做案件质量评估的案件，而此案尚未评估；请先评估再批准。",
        "Claim c-7 cannot be approved: its scheme pays only graded files and it is not graded yet; grade it, "
        "then approve it.",
    ),
    (  # subsidy/domain/claims.py WrongState
        (409, "claim c-1 is approved; only a pending claim can be rejected", {}),
        "补贴申请 c-1 为“已批准”；只有“待审核”的申请才能驳回。",
        "Claim c-1 is approved; only a pending claim can be rejected.",
    ),
    (  # roster/domain/duties.py check_in, the wrong day
        (409, "this duty is on 2026-12-01; check in on that day (today is 2026-11-30)", {}),
        "此班次在 2026年12月1日 周二，请当天签到（今天是 2026年11月30日 周一）。",
        "This duty is on Tue 1 Dec 2026; check in on that day (today is Mon 30 Nov 2026).",
    ),
    (  # roster/domain/duties.py check_in twice
        (409, "already checked in", {}),
        "此班次已是“已签到”状态。",
        "The duty is already checked in.",
    ),
    (  # roster/service/repair.py, a past duty
        (409, "the duty on 2026-10-08 is past; nobody can take it now", {}),
        "2026年10月8日 周四 的班次已过，无法再由他人接替。",
        "The duty on Thu 8 Oct 2026 is past; nobody can take it now.",
    ),
    (  # roster/service/duties.py, a reassignment breaking rule 2 (roster/domain/rules.py)
        (
            409,
            "rule 2 (no lawyer has two duties on one day, a duty on a leave day, or more than the monthly "
            "maximum; suspended lawyers have none): 努尔兰 is on leave on 2026-10-08 but on duty at 伊宁县中心 on "
            "2026-10-08 09:30",
            {},
        ),
        "违反排班规则 2（律师一天最多一个班次，请假日不排班，不超过每月上限；停止执业的律师不排班）：努尔兰 在 "
        "2026年10月8日 周四 请假，却排在 伊宁县中心 2026年10月8日 周四 09:30 值班",
        "Roster rule 2 (no lawyer has two duties on one day, a duty on a leave day, or more than the monthly "
        "maximum; suspended lawyers have none): 努尔兰 is on leave on Thu 8 Oct 2026 but on duty at 伊宁县中心 on "
        "Thu 8 Oct 2026 09:30",
    ),
    (  # roster/domain/swaps.py
        (409, "only an accepted swap can be approved; this one is requested", {}),
        "只有对方已同意的换班才能批准；此申请为“已申请”。",
        "Only an accepted swap can be approved; this one is requested.",
    ),
    (  # roster/service/swaps.py
        (409, "this duty already has an open swap request (sw-3)", {}),
        "此班次已有未完成的换班申请（sw-3）。",
        "This duty already has an open swap request (sw-3).",
    ),
    (  # roster/service/leaves.py
        (409, "阿依古丽 already has leave overlapping these dates (leave lv-2)", {}),
        "阿依古丽 在这些日期已有请假（请假 lv-2）。",
        "阿依古丽 already has leave overlapping these dates (leave lv-2).",
    ),
    (  # roster/domain/rosters.py publish
        (409, "only a generated roster can be published; this one is draft", {}),
        "只有已生成的排班表才能发布；此排班表为“草稿”。",
        "Only a generated roster can be published; this one is draft.",
    ),
    (  # roster/domain/rosters.py generate
        (409, "a published roster is not generated again; change duties by swap or reassignment", {}),
        "已发布的排班表不能重新生成；请通过换班或改派调整班次。",
        "A published roster is not generated again; change duties by swap or reassignment.",
    ),
    (  # roster/service/rows.py
        (404, "no roster r-404", {}),
        "找不到排班表 r-404。",
        "No roster r-404.",
    ),
    (  # roster/domain/rosters.py, with the field (refuse_bad_fields' shape)
        (
            422,
            "the period ends before it starts",
            {"period_end": ["must not be before period_start"]},
        ),
        "结束日期早于开始日期；结束日期：不能早于开始日期",
        "The period ends before it starts; end of the period: must not be before start of the period",
    ),
    (  # marshmallow through services/common/http.py: the detail only restates the fields
        (
            422,
            "region_code: Missing data for required field.; period_end: Not a valid date.",
            {"region_code": ["Missing data for required field."], "period_end": ["Not a valid date."]},
        ),
        "填写有误：行政区划代码：必须填写；结束日期：不是有效的日期",
        "Invalid fields: Region code: is required; end of the period: is not a valid date",
    ),
    (  # marshmallow's Range, OneOf and Length; an unknown field
        (
            422,
            "amount: Must be greater than or equal to 0.; kind: Must be one of: mediation_case, legal_aid_case.; "
            "name: Longer than maximum length 100.; colour: Unknown field.",
            {
                "amount": ["Must be greater than or equal to 0."],
                "kind": ["Must be one of: mediation_case, legal_aid_case."],
                "name": ["Longer than maximum length 100."],
                "colour": ["Unknown field."],
            },
        ),
        "填写有误：金额：须大于或等于 0；类别：须为以下之一：mediation_case, legal_aid_case；姓名/名称：长度最多 100；"
        "colour：不是此请求的字段",
        "Invalid fields: Amount: must be greater than or equal to 0; Kind: must be one of: mediation_case, "
        "legal_aid_case; Name: must be at most 100 long; colour: is not a field of this request",
    ),
    (  # subsidy/domain/bank_accounts.py AccountInvalid
        (
            422,
            "account_no: must be 10 to 30 digits, nothing else (no letters, spaces or dashes); bank_name: is "
            "required",
            {
                "account_no": ["must be 10 to 30 digits, nothing else (no letters, spaces or dashes)"],
                "bank_name": ["is required"],
            },
        ),
        "填写有误：账号：须为 10 至 30 位数字，不含字母、空格或横线；开户银行：必须填写",
        "Invalid fields: Account number: must be 10 to 30 digits, nothing else (no letters, spaces or dashes); "
        "Bank: is required",
    ),
    (  # roster/service/spreadsheets/importers.py, cells (columns.py CellError) by row
        (
            422,
            "2 of 10 rows have errors, so nothing was imported; row 3.license_no: must be the 17-digit licence "
            "number (执业证号); row 5.status: 'x' is not a status: write 执业, 实习 or 停止执业 (practising, intern, "
            "suspended)",
            {
                "row 3.license_no": ["must be the 17-digit licence number (执业证号)"],
                "row 5.status": [
                    "'x' is not a status: write 执业, 实习 or 停止执业 (practising, intern, suspended)"
                ],
            },
        ),
        "10 行中有 2 行有错误，未导入任何数据；第 3 行 执业证号：须为 17 位执业证号；第 5 行 状态：'x' 不是执业状态：请写 "
        "执业、实习 或 停止执业",
        "2 of 10 rows have errors, so nothing was imported; row 3 Licence number: must be the 17-digit licence "
        "number; row 5 Status: 'x' is not a status: write 执业, 实习 or 停止执业",
    ),
    (  # subsidy/service/intake.py, an import's rows with "field: message"
        (
            422,
            "1 row(s) cannot be imported; nothing was",
            {
                "row 3": [
                    "case_no: Missing data for required field.",
                    "service_date: 2026-13-01 is not a day of the calendar",
                ]
            },
        ),
        "1 行无法导入；未导入任何数据；第 3 行：案号：必须填写；服务日期：2026-13-01 不是日历上存在的日期",
        "1 row(s) cannot be imported; nothing was; row 3: Case: is required; Service date: 2026-13-01 is not a "
        "day of the calendar",
    ),
    (  # gateway/domain/accounts.py: the detail says what the field says
        (
            422,
            "username: 2 to 100 letters, digits or . _ @ -",
            {"username": ["2 to 100 letters, digits or . _ @ -, starting with a letter or digit"]},
        ),
        "填写有误：用户名：2 至 100 个字母、数字或 . _ @ -，以字母或数字开头",
        "Invalid fields: Username: 2 to 100 letters, digits or . _ @ -, starting with a letter or digit",
    ),
    (  # gateway/domain/errors.py TooManyAttempts
        (429, "too many login attempts; try again in 42 seconds", {}),
        "尝试次数过多,请 42 秒后再试。",
        "Too many attempts; try again in 42 seconds.",
    ),
    (  # common/auth.py, a role the operation does not allow
        (403, "the lawyer role may not POST /api/subsidy/claims/c-1/approve", {}),
        "律师角色无权执行此操作（POST /api/subsidy/claims/c-1/approve）。",
        "The lawyer role may not do this (POST /api/subsidy/claims/c-1/approve).",
    ),
    (  # gateway/proxy.py
        (503, "the subsidy service is unavailable; try again shortly", {}),
        "补贴服务暂不可用，请稍后再试。",
        "The subsidy service is unavailable; try again shortly.",
    ),
    (  # subsidy/service/batches.py
        (409, "no approved claims served in 2026-05 in region 654021 are waiting for payment", {}),
        "654021 2026-05 没有等待支付的已批准补贴申请。",
        "No approved claims served in 2026-05 in 654021 are waiting for payment.",
    ),
    (  # subsidy/domain/bank_files.py BankFileRefused
        (409, "no bank account for lawyers lw-1, lw-2", {}),
        "律师 lw-1, lw-2 没有银行账户：请先登记其账户。",
        "No bank account for lawyers lw-1, lw-2: record their accounts first.",
    ),
    (  # subsidy/service/schemes.py close_scheme: the detail is the field's message
        (
            422,
            "effective_to must not be before the scheme's effective_from 2026-01-01",
            {"effective_to": ["must not be before the scheme's effective_from 2026-01-01"]},
        ),
        "填写有误：终止日期：不能早于补贴标准的生效日期（2026年1月1日 周四）",
        "Invalid fields: in force until: must not be before the day the scheme came into force (Thu 1 Jan 2026)",
    ),
    (  # common/uploads.py, a GBK file sent as UTF-8
        (
            422,
            "the file declared UTF-8 but is not: byte 12 (line 3) cannot be read as UTF-8 (it looks like GBK: "
            "send it with charset=gbk, or save it as UTF-8)",
            {
                "file": [
                    "declared UTF-8 but is not: byte 12 (line 3) cannot be read as UTF-8 (it looks like GBK: "
                    "send it with charset=gbk, or save it as UTF-8)"
                ]
            },
        ),
        "填写有误：文件：文件第 3 行无法按 UTF-8 读取：看起来是 GBK 编码，请另存为 UTF-8。",
        "Invalid fields: file: Line 3 of the file cannot be read as UTF-8: it looks like GBK; save it as UTF-8.",
    ),
    (  # gateway/domain/accounts.py: a field's message in the detail, and one with a semicolon in it
        (
            422,
            "role: must be one of admin, scheduler, finance, lawyer",
            {"role": ["must be one of admin, scheduler, finance, lawyer"]},
        ),
        "填写有误：角色：须为以下之一：admin, scheduler, finance, lawyer",
        "Invalid fields: role: must be one of admin, scheduler, finance, lawyer",
    ),
    (  # the shape `field: message` around a message that has a semicolon of its own
        (409, "status: the roster is draft; generate it before exporting it", {}),
        "状态：排班表为“草稿”；请先生成再导出。",
        "Status: The roster is draft; generate it before exporting it.",
    ),
    (  # a refusal no pattern knows: the title in words, the API's text kept
        (409, "the moon is in the wrong phase", {}),
        "无法执行：the moon is in the wrong phase",
        "Conflict: the moon is in the wrong phase",
    ),
    (  # a title and nothing else
        (404, "", {}),
        "未找到",
        "Not found",
    ),
]


@pytest.mark.parametrize(("answer", "chinese", "english"), CASES, ids=[c[2][:40] for c in CASES])
def test_a_refusal_of_the_api_reads_in_the_users_language(
    app: Flask, answer: tuple[int, str, dict[str, list[str]]], chinese: str, english: str
) -> None:
    status, detail, errors = answer
    refusal = ApiError(status, "Whatever the API titled it", detail, errors)
    for lang, expected in (("zh", chinese), ("en", english)):
        with speaking(app, lang):
            assert apiwords.problem_text(refusal) == expected, lang


def test_the_error_page_leaves_the_title_to_its_heading(zh: None) -> None:
    assert (
        apiwords.problem_text(ApiError(404, "Not found", "no claim c-9"), titled=False)
        == "找不到补贴申请 c-9。"
    )
    unknown = ApiError(409, "Conflict", "the moon is in the wrong phase")
    assert apiwords.problem_text(unknown, titled=False) == "the moon is in the wrong phase"


def test_the_console_pages_problem_text_speaks_the_same_words(zh: None) -> None:
    from services.console.pages import problem_text

    assert problem_text(ApiError(409, "Conflict", "the roster is not published yet")) == "排班表尚未发布。"


def test_http_titles_are_in_words_and_an_unknown_status_keeps_its_title(zh: None) -> None:
    assert apiwords.title(400, "Bad Request") == "请求有误"
    assert apiwords.title(422, "Unprocessable Entity") == "填写有误"
    assert apiwords.title(429, "Too Many Requests") == "请求过于频繁"
    assert apiwords.title(418, "I'm a teapot") == "I'm a teapot"


def test_field_names_read_as_words_items_and_rows_counted_from_one(zh: None) -> None:
    assert apiwords.field_name("rates.0.amount") == "补贴额 第 1 项 金额"
    assert apiwords.field_name("row 12.license_no") == "第 12 行 执业证号"
    assert apiwords.field_name("colour") == "colour"


def sample(pattern: apiwords.Pattern) -> dict[str, str]:
    return {name: f"«{name}»" for name in pattern.regex.groupindex}


def test_every_pattern_has_its_chinese_and_carries_its_placeholders(app: Flask) -> None:
    english = {}
    with speaking(app, "en"):
        english = {i: p.words(**sample(p)) for i, p in enumerate(apiwords.PATTERNS)}
    with speaking(app, "zh"):
        for i, pattern in enumerate(apiwords.PATTERNS):
            said = pattern.words(**sample(pattern))
            assert CJK.search(said), f"no Chinese for {pattern.regex.pattern!r}"
            assert said != english[i], f"no Chinese for {pattern.regex.pattern!r}"
            carried = set(re.findall(r"«\w+»", english[i]))
            assert carried <= set(re.findall(r"«\w+»", said)), f"placeholders lost: {pattern.regex.pattern!r}"


def test_every_field_word_has_its_chinese(zh: None) -> None:
    missing = [name for name, word in apiwords.FIELDS.items() if not CJK.search(word())]
    assert not missing


def test_the_patterns_are_real_the_services_still_say_these_words() -> None:
    """A sample of the patterns' texts, looked up in the services' code: a reworded refusal fails here and
    its pattern (and test case above) is updated with it."""
    services = Path(__file__).resolve().parents[3] / "services"
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for name in ("roster", "subsidy", "gateway", "common")
        for p in (services / name).rglob("*.py")
    )
    for text in (
        "another finance officer must review it",
        "would overspend the {budget.year} {budget.kind} budget of",
        "check in on that day (today is {today.isoformat()})",
        "only an accepted swap can be approved; this one is {swap.status}",
        "already has leave overlapping these dates (leave {overlapping})",
        "only a generated roster can be published; this one is {roster.status}",
        "rows have errors, so nothing was imported; ",
        "must be 10 to 30 digits, nothing else (no letters, spaces or dashes)",
        "is past; nobody can take it now",
        "already has an open swap request ({open_swap})",
    ):
        assert text in code, text
