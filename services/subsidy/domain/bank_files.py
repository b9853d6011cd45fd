"""A payment batch as a bank's batch-payment (代发) import file, in the shape a `BankProfile` describes.

One row per lawyer paid, nothing else: no title, no totals row (banks reject both). Built in memory and
returned as bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .bank_accounts import BankAccount
from .bank_profiles import BY_NAME, BankProfile
from .batches import BatchLine, PaymentBatch
from .errors import DomainError
from .money import ZERO, format_money


class UnknownProfile(DomainError):
    """No bank profile by that name (a 404 naming it and the ones there are)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors = {"profile": [f"no bank profile {name!r}; profiles: {', '.join(sorted(BY_NAME))}"]}
        super().__init__(f"no bank profile {name!r}; the profiles are {', '.join(sorted(BY_NAME))}")


class BankFileRefused(DomainError):
    """The batch cannot be written in the bank's file (an account missing, a name the encoding cannot
    carry): a 409 naming the lawyers."""

    def __init__(self, detail: str, *, lawyer_ids: Sequence[str]) -> None:
        self.lawyer_ids = list(lawyer_ids)
        super().__init__(detail)


@dataclass(frozen=True)
class Payment:
    """One row of the bank file: a batch line and the account it is paid into."""

    number: int
    line: BatchLine
    account: BankAccount


def profile_named(name: str) -> BankProfile:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownProfile(name) from None


def payments(
    batch: PaymentBatch, lines: Sequence[BatchLine], accounts: Mapping[str, BankAccount]
) -> list[Payment]:
    """The batch's lines with their accounts, refusing a batch whose lines do not add up or lack an account."""
    total = sum((line.total for line in lines), ZERO)
    if total != batch.total:
        raise ValueError(
            f"batch {batch.id} total {format_money(batch.total)} differs from its lines' {format_money(total)}"
        )
    missing = [line.lawyer_id for line in lines if line.lawyer_id not in accounts]
    if missing:
        raise BankFileRefused(f"no bank account for lawyers {', '.join(missing)}", lawyer_ids=missing)
    return [Payment(n, line, accounts[line.lawyer_id]) for n, line in enumerate(lines, start=1)]


def _value(source: str, payment: Payment, *, purpose: str) -> str | int | Decimal | None:
    account = payment.account
    values: dict[str, str | int | Decimal | None] = {
        "number": payment.number,
        "lawyer_id": payment.line.lawyer_id,
        "account_name": account.account_name,
        "account_no": account.account_no,
        "bank_name": account.bank_name,
        "branch": account.branch,
        "bank_and_branch": account.bank_and_branch,
        "amount": payment.line.total,
        "purpose": purpose,
    }
    return values[source]


def bank_file(profile: BankProfile, batch: PaymentBatch, rows: Sequence[Payment]) -> bytes:
    """The bank's import file for the batch: a header row, then one row per payment."""
    purpose = profile.purpose.format(month=batch.month)
    if profile.file_type == "xlsx":
        return _xlsx(profile, rows, purpose=purpose)
    return _csv(profile, rows, purpose=purpose)


def _csv(profile: BankProfile, rows: Sequence[Payment], *, purpose: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=profile.delimiter, lineterminator=profile.line_end)
    writer.writerow([column.header for column in profile.columns])
    unwritable: list[str] = []
    for payment in rows:
        cells = []
        for column in profile.columns:
            value = _value(column.source, payment, purpose=purpose)
            cells.append(
                format_money(value) if isinstance(value, Decimal) else "" if value is None else str(value)
            )
        try:
            profile.delimiter.join(cells).encode(profile.encoding)
        except UnicodeEncodeError:
            unwritable.append(payment.line.lawyer_id)
        writer.writerow(cells)
    if unwritable:
        raise BankFileRefused(
            f"the bank's encoding ({profile.encoding}) cannot write the account details of lawyers "
            f"{', '.join(unwritable)}; correct their bank accounts or choose another profile",
            lawyer_ids=unwritable,
        )
    return buffer.getvalue().encode(profile.encoding)


def _xlsx(profile: BankProfile, rows: Sequence[Payment], *, purpose: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = profile.sheet
    sheet.append([column.header for column in profile.columns])
    for payment in rows:
        sheet.append([_value(column.source, payment, purpose=purpose) for column in profile.columns])
        for index, column in enumerate(profile.columns, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            if column.source == "amount":
                cell.number_format = profile.amount_format
            elif column.source != "number":
                cell.data_type = "s"  # text, never a number Excel rounds or a formula it runs
                cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
