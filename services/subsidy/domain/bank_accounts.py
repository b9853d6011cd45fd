"""A lawyer's bank account, where subsidies are paid: what makes one valid, and how it is shown masked.

Account numbers are personal data: only finance sees them whole; everyone else (the lawyer too, and the
audit trail) sees the last four digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DomainError

ACCOUNT_NO = re.compile(r"[0-9]{10,30}")
MASK = "****"
# a cell that starts with one of these runs as a formula when a spreadsheet opens the bank file
FORMULA_START = ("=", "+", "-", "@")
NAME_MAX, BANK_MAX, BRANCH_MAX = 100, 100, 100


class AccountInvalid(DomainError):
    """Fields of a bank account that a bank would refuse (a 422 naming them)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


@dataclass(frozen=True)
class BankAccount:
    """Where one lawyer's subsidies are paid: the payee's name as the bank knows it, the number, the bank."""

    lawyer_id: str
    account_name: str
    account_no: str
    bank_name: str
    branch: str | None = None

    def __post_init__(self) -> None:
        errors = account_errors(
            account_name=self.account_name,
            account_no=self.account_no,
            bank_name=self.bank_name,
            branch=self.branch,
        )
        if errors:
            raise AccountInvalid(errors)

    @property
    def bank_and_branch(self) -> str:
        return f"{self.bank_name}{self.branch}" if self.branch else self.bank_name


def _text_errors(value: str | None, *, limit: int, required: bool) -> list[str]:
    if value is None or not value.strip():
        return ["is required"] if required else []
    problems = []
    if len(value) > limit:
        problems.append(f"must be at most {limit} characters")
    if value.strip().startswith(FORMULA_START):
        problems.append("must not start with = + - or @ (a spreadsheet would run it as a formula)")
    if any(ch in value for ch in "\x00\r\n\t"):
        problems.append("must be one line of text")
    return problems


def account_errors(
    *, account_name: str, account_no: str, bank_name: str, branch: str | None
) -> dict[str, list[str]]:
    """Every field a bank would refuse, named (empty when the account is good)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(account_no, str) or ACCOUNT_NO.fullmatch(account_no) is None:
        errors["account_no"] = ["must be 10 to 30 digits, nothing else (no letters, spaces or dashes)"]
    for field, value, limit, required in (
        ("account_name", account_name, NAME_MAX, True),
        ("bank_name", bank_name, BANK_MAX, True),
        ("branch", branch, BRANCH_MAX, False),
    ):
        problems = _text_errors(value, limit=limit, required=required)
        if problems:
            errors[field] = problems
    return errors


def mask(account_no: str) -> str:
    """The number as everyone but finance sees it: its last four digits only (and not how long it is)."""
    return MASK + account_no[-4:]


def shown(account: BankAccount, *, whole: bool) -> dict[str, str | None]:
    """The account as plain data, its number whole (finance) or masked (anyone else, the audit trail)."""
    return {
        "lawyer_id": account.lawyer_id,
        "account_name": account.account_name,
        "account_no": account.account_no if whole else mask(account.account_no),
        "bank_name": account.bank_name,
        "branch": account.branch,
    }
