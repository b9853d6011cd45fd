"""Money leaving as a bank file: the amount in words, bank accounts and their masking, the banks' profiles,
budget warnings and estimates, as pure rules."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.subsidy.domain.amount_in_words import amount_in_words
from services.subsidy.domain.bank_accounts import AccountInvalid, BankAccount, mask, shown
from services.subsidy.domain.bank_files import (
    BankFileRefused,
    UnknownProfile,
    bank_file,
    payments,
    profile_named,
)
from services.subsidy.domain.bank_profiles import PROFILES, BankProfile, Column
from services.subsidy.domain.batches import BatchLine, PaymentBatch
from services.subsidy.domain.budget_watch import watch
from services.subsidy.domain.claims import Budget
from services.subsidy.domain.estimates import PlannedDuty, estimate, official_holiday
from services.subsidy.domain.schemes import Adjustment, Kind

from .builders import rate, scheme

# ------------------------------------------------------------------------------------ amount in words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角整"),
        ("0.00", "人民币零元整"),
        ("1.05", "人民币壹元零伍分"),
        ("10.00", "人民币壹拾元整"),
        # the yuan's last digit skipped: 零 written (the PBoC allows it left out; we write every skipped digit),
        # and 整 after 角 as the contract's example has it
        ("100.10", "人民币壹佰元零壹角整"),
        ("1051.10", "人民币壹仟零伍拾壹元壹角整"),
        ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
        ("10000.01", "人民币壹万元零壹分"),
        ("100010.00", "人民币壹拾万零壹拾元整"),
        ("1010000.00", "人民币壹佰零壹万元整"),
        ("100000000.00", "人民币壹亿元整"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_a_voucher_states_the_amount_in_capitals_by_the_peoples_bank_rules(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


def test_no_voucher_states_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(Decimal("-1.00"))


# ------------------------------------------------------------------------------------ bank accounts


def account(
    lawyer_id: str = "L1", account_no: str = "6222020200112233445", **fields: str | None
) -> BankAccount:
    values: dict[str, str | None] = {
        "account_name": "王建国",
        "bank_name": "中国工商银行",
        "branch": "伊宁市解放路支行",
        **fields,
    }
    return BankAccount(lawyer_id=lawyer_id, account_no=account_no, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    ["62220202001122334A5", "622202020", "6" * 31, "6222 0202 0011 2233", "６２２２０２０２００１１", ""],
)
def test_an_account_number_is_ten_to_thirty_plain_digits(bad: str) -> None:
    with pytest.raises(AccountInvalid) as refused:
        account(account_no=bad)
    assert set(refused.value.errors) == {"account_no"}


def test_an_account_needs_a_name_and_a_bank_and_no_formula() -> None:
    with pytest.raises(AccountInvalid) as refused:
        account(account_name="  ", bank_name='=HYPERLINK("x")')
    assert set(refused.value.errors) == {"account_name", "bank_name"}
    assert account(branch=None).bank_and_branch == "中国工商银行"
    assert account().bank_and_branch == "中国工商银行伊宁市解放路支行"


def test_everyone_but_finance_sees_only_the_last_four_digits() -> None:
    assert mask("6222020200112233445") == "****3445"
    assert mask("1234567890") == "****7890"  # the mask does not tell how long the number is
    assert shown(account(), whole=False)["account_no"] == "****3445"
    assert shown(account(), whole=True)["account_no"] == "6222020200112233445"


# ------------------------------------------------------------------------------------ bank files

BATCH = PaymentBatch(id="B-0001-0002", month="2026-05", region_code="654021", total=Decimal("1051.10"))
LINES = [
    BatchLine(
        lawyer_id="L1",
        lawyer_name="王建国",
        claims=("C1", "C2"),
        total=Decimal("1000000.00") - Decimal("998999.90"),
    ),
    BatchLine(lawyer_id="L2", lawyer_name="阿依古丽·买买提", claims=("C3",), total=Decimal("51.00")),
]
ACCOUNTS = {
    "L1": account("L1", "6222020200112233445566"),  # 22 digits: a float would lose the last ones
    "L2": account("L2", "0012345678901", account_name="阿依古丽·买买提", branch=None),  # a leading zero
}


def test_every_profile_is_a_bank_file_that_reads_back_row_for_row() -> None:
    for profile in PROFILES:
        rows = _read(profile, bank_file(profile, BATCH, payments(BATCH, LINES, ACCOUNTS)))
        header, body = rows[0], rows[1:]
        assert header == [column.header for column in profile.columns]
        assert len(body) == len(LINES), profile.name  # one row per payee, no totals row
        by = {c.source: i for i, c in enumerate(profile.columns)}
        assert [row[by["account_no"]] for row in body] == ["6222020200112233445566", "0012345678901"], (
            profile.name
        )
        assert [row[by["account_name"]] for row in body] == ["王建国", "阿依古丽·买买提"]
        assert [row[by["amount"]] for row in body] == ["1000.10", "51.00"], profile.name
        assert all("2026-05" in row[by["purpose"]] for row in body)


def _read(profile: BankProfile, content: bytes) -> list[list[str]]:
    if profile.file_type == "csv":
        return list(
            csv.reader(io.StringIO(content.decode(profile.encoding), newline=""), delimiter=profile.delimiter)
        )
    sheet = load_workbook(io.BytesIO(content)).active
    rows = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if isinstance(cell.value, (int, float, Decimal)) and not isinstance(cell.value, bool):
                assert cell.number_format == "0.00" or cell.column == 1
                cells.append(
                    f"{Decimal(str(cell.value)):.2f}" if cell.number_format == "0.00" else str(cell.value)
                )
            else:
                cells.append("" if cell.value is None else str(cell.value))
        rows.append(cells)
    return rows


def test_the_xlsx_profile_keeps_account_numbers_as_text_cells() -> None:
    profile = profile_named("generic-xlsx")
    sheet = load_workbook(io.BytesIO(bank_file(profile, BATCH, payments(BATCH, LINES, ACCOUNTS)))).active
    column = 1 + [c.source for c in profile.columns].index("account_no")
    cells = [sheet.cell(row=r, column=column) for r in (2, 3)]
    assert [(c.data_type, c.value) for c in cells] == [
        ("s", "6222020200112233445566"),
        ("s", "0012345678901"),
    ]


def test_the_bank_csv_is_in_the_banks_encoding_with_plain_two_place_amounts() -> None:
    profile = profile_named("icbc-daifa-csv")
    content = bank_file(profile, BATCH, payments(BATCH, LINES, ACCOUNTS))
    assert profile.encoding == "gbk"
    assert "王建国".encode("gbk") in content
    assert "王建国".encode() not in content
    assert b"1000.10" in content
    assert b"1,000.10" not in content
    assert content.count(b"\r\n") == 1 + len(LINES)


def test_a_name_the_banks_encoding_cannot_write_refuses_the_file_naming_the_lawyer() -> None:
    uyghur = {**ACCOUNTS, "L2": account("L2", "0012345678901", account_name="ئايگۈل مەمەت")}
    with pytest.raises(BankFileRefused) as refused:
        bank_file(profile_named("icbc-daifa-csv"), BATCH, payments(BATCH, LINES, uyghur))
    assert refused.value.lawyer_ids == ["L2"]
    # the workbook carries any text
    assert bank_file(profile_named("generic-xlsx"), BATCH, payments(BATCH, LINES, uyghur))


def test_a_line_without_an_account_and_an_unknown_profile_are_refused_by_name() -> None:
    with pytest.raises(BankFileRefused, match="L2"):
        payments(BATCH, LINES, {"L1": ACCOUNTS["L1"]})
    with pytest.raises(UnknownProfile, match="no bank profile 'abc-bank'.*generic-xlsx"):
        profile_named("abc-bank")


def test_adding_a_bank_is_adding_a_profile() -> None:
    tabbed = BankProfile(
        name="tab-bank",
        title="a bank reading tab-separated UTF-8",
        file_type="csv",
        delimiter="\t",
        columns=(Column("AccName", "account_name"), Column("AccNo", "account_no"), Column("Amt", "amount")),
    )
    rows = _read(tabbed, bank_file(tabbed, BATCH, payments(BATCH, LINES, ACCOUNTS)))
    assert rows == [
        ["AccName", "AccNo", "Amt"],
        ["王建国", "6222020200112233445566", "1000.10"],
        ["阿依古丽·买买提", "0012345678901", "51.00"],
    ]
    with pytest.raises(ValueError, match="no account_no column"):
        BankProfile(
            name="bad",
            title="bad",
            file_type="csv",
            columns=(Column("Name", "account_name"), Column("Amt", "amount")),
        )


# ------------------------------------------------------------------------------------ budget warnings


def test_commitments_announce_eighty_then_ninety_five_percent_once_each() -> None:
    amount = Decimal("1000.00")
    assert watch(amount=amount, committed=Decimal("799.99"), announced=0) == (0, [])
    assert watch(amount=amount, committed=Decimal("800.00"), announced=0) == (80, [80])
    assert watch(amount=amount, committed=Decimal("900.00"), announced=80) == (80, [])
    assert watch(amount=amount, committed=Decimal("960.00"), announced=80) == (95, [95])
    assert watch(amount=amount, committed=Decimal("1000.00"), announced=95) == (95, [])
    assert watch(amount=amount, committed=Decimal("990.00"), announced=0) == (95, [80, 95])


def test_a_raised_budget_rearms_the_thresholds_it_falls_below() -> None:
    assert watch(amount=Decimal("2000.00"), committed=Decimal("960.00"), announced=95) == (0, [])
    assert watch(amount=Decimal("1100.00"), committed=Decimal("960.00"), announced=95) == (80, [])
    assert watch(amount=Decimal("0.00"), committed=Decimal("0.00"), announced=0) == (0, [])


# ------------------------------------------------------------------------------------ estimates

DUTY_SCHEME = scheme(
    rate("150.00", station_level="township", length="full_day"),
    rate("90.00", station_level="township", length="half_day"),
    kind=Kind.STATION_DUTY,
    region_code="654000",
    effective_from=date(2026, 1, 1),
    adjustments=(Adjustment(when={"holiday": True}, multiply=Decimal("1.50")),),
)


def duty(
    day: date,
    *,
    region_code: str = "654021",
    level: str = "township",
    end: str = "18:00",
    holiday: bool | None = None,
) -> PlannedDuty:
    return PlannedDuty(
        region_code=region_code,
        station_level=level,
        date=day,
        start_time="09:00",
        end_time=end,
        holiday=holiday,
    )


def test_an_estimate_prices_planned_duties_per_region_beside_the_budget() -> None:
    budget = Budget(
        region_code="654021",
        kind=Kind.STATION_DUTY,
        year=2026,
        amount=Decimal("10000.00"),
        committed=Decimal("2500.00"),
    )
    duties = [
        duty(date(2026, 5, 12)),  # a Tuesday: 150.00
        duty(date(2026, 5, 12), end="12:00"),  # half a day: 90.00
        duty(date(2026, 5, 1)),  # Labour Day, by the published calendar: 225.00
        duty(date(2026, 5, 12), holiday=True),  # the caller's calendar says so: 225.00
        duty(date(2026, 5, 12), level="village"),  # no rate for villages: counted, not priced
        duty(date(2026, 5, 12), region_code="653101"),  # no scheme in Kashgar
    ]
    result = {r.region_code: r for r in estimate(duties, [DUTY_SCHEME], [budget])}
    ili = result["654021"]
    assert (ili.total, ili.duties, ili.unpriced, ili.budget_remaining) == (
        Decimal("690.00"),
        5,
        1,
        Decimal("7500.00"),
    )
    kashgar = result["653101"]
    assert (kashgar.total, kashgar.unpriced, kashgar.budget_remaining) == (Decimal("0.00"), 1, None)


def test_the_published_calendar_decides_holidays_the_caller_leaves_out() -> None:
    assert official_holiday(date(2026, 10, 1))  # National Day
    assert official_holiday(date(2026, 5, 16))  # a Saturday
    assert not official_holiday(date(2026, 5, 12))  # a Tuesday
    assert not official_holiday(date(2199, 1, 2))  # Mon-Fri after the data the library has
    assert official_holiday(date(2199, 1, 5))
