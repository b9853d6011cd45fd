"""Banks' batch-payment (代发) import formats, as data: adding a bank is adding a `BankProfile` to PROFILES.

A profile says which columns the bank's file has (a header and where its values come from), the file
type, the encoding the bank's software reads, how amounts are written and what the purpose says. The
renderer (`bank_files`) knows no bank by name.

Every profile keeps what banks ask of such a file: one row per payee, the account number as text (never a
number a spreadsheet rounds), the amount with two decimals and no thousands separator, no totals row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# where a column's values come from
Source = Literal[
    "number",
    "lawyer_id",
    "account_name",
    "account_no",
    "bank_name",
    "branch",
    "bank_and_branch",
    "amount",
    "purpose",
]
SOURCES: frozenset[str] = frozenset(Source.__args__)  # type: ignore[attr-defined]
FileType = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Column:
    header: str
    source: Source


@dataclass(frozen=True)
class BankProfile:
    """One bank's batch-payment import file."""

    name: str
    title: str
    file_type: FileType
    columns: tuple[Column, ...]
    # how the bank reads text: a CSV is written in it; an XLSX is always UTF-8 inside
    encoding: str = "utf-8"
    # what the payment is for, as the payee's statement shows it; {month} is the batch's month
    purpose: str = "律师公共法律服务补贴{month}"
    # CSV only
    delimiter: str = ","
    line_end: str = "\r\n"
    # XLSX only: the sheet's name and the amount cells' number format (two decimals, no grouping)
    sheet: str = "代发"
    amount_format: str = "0.00"

    def __post_init__(self) -> None:
        unknown = [c.source for c in self.columns if c.source not in SOURCES]
        if unknown:
            raise ValueError(f"profile {self.name}: unknown column sources {unknown}")
        for needed in ("account_name", "account_no", "amount"):
            if not any(c.source == needed for c in self.columns):
                raise ValueError(f"profile {self.name} has no {needed} column: no bank can pay from it")
        "".encode(self.encoding)  # LookupError for an encoding Python does not know

    @property
    def media_type(self) -> str:
        if self.file_type == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return f"text/csv; charset={self.encoding}"

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "file_type": self.file_type,
            "encoding": self.encoding,
            "columns": [{"header": c.header, "source": c.source} for c in self.columns],
        }


PROFILES: tuple[BankProfile, ...] = (
    BankProfile(
        name="generic-xlsx",
        title="通用代发表 Generic batch-payment workbook (XLSX)",
        file_type="xlsx",
        columns=(
            Column("序号", "number"),
            Column("收款人户名", "account_name"),
            Column("收款人账号", "account_no"),
            Column("开户银行", "bank_name"),
            Column("开户网点", "branch"),
            Column("金额", "amount"),
            Column("用途", "purpose"),
        ),
    ),
    # Modelled on ICBC's corporate online banking batch payment (企业网银 批量支付/代发) import: the payee's
    # account name and number, the bank and branch in one field, the amount, the remittance purpose; a CSV
    # in GBK, as the bank's client tool reads it. Check it against the branch's current template before use.
    BankProfile(
        name="icbc-daifa-csv",
        title="工商银行 批量代发 ICBC batch payment (CSV, GBK)",
        file_type="csv",
        encoding="gbk",
        columns=(
            Column("收款账号名称", "account_name"),
            Column("收款账号", "account_no"),
            Column("收款账号开户行", "bank_and_branch"),
            Column("金额", "amount"),
            Column("汇款用途", "purpose"),
        ),
    ),
)

BY_NAME: dict[str, BankProfile] = {profile.name: profile for profile in PROFILES}
