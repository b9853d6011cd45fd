"""Lawyers' bank accounts: set by finance or by the lawyer, shown whole to finance only, every change audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.subsidy.adapters.orm import BankAccountRow, LawyerEntry
from services.subsidy.domain.bank_accounts import AccountInvalid, BankAccount, shown
from services.subsidy.service import audit
from services.subsidy.service.claims import plausible_id
from services.subsidy.service.errors import Invalid, NotFound
from services.subsidy.service.unit_of_work import Unit

CHUNK = 1000


def _account(row: BankAccountRow) -> BankAccount:
    return BankAccount(
        lawyer_id=row.lawyer_id,
        account_name=row.account_name,
        account_no=row.account_no,
        bank_name=row.bank_name,
        branch=row.branch,
    )


def _view(row: BankAccountRow, *, whole: bool) -> dict[str, Any]:
    return {**shown(_account(row), whole=whole), "updated_by": row.updated_by, "updated_at": row.updated_at}


def _check_caller(lawyer_id: str, own_lawyer_id: str | None) -> None:
    """A lawyer reaches only their own account; another lawyer's is not found."""
    if not plausible_id(lawyer_id) or (own_lawyer_id is not None and own_lawyer_id != lawyer_id):
        raise NotFound(f"no bank account of lawyer {lawyer_id}")


def set_bank_account(
    unit: Unit,
    *,
    lawyer_id: str,
    account_name: str,
    account_no: str,
    bank_name: str,
    branch: str | None,
    actor: str,
    whole: bool,
    own_lawyer_id: str | None = None,
) -> dict[str, Any]:
    """Record where a lawyer is paid (replacing the account there was); audited with before and after, masked."""
    _check_caller(lawyer_id, own_lawyer_id)
    branch = (branch or "").strip() or None
    try:
        account = BankAccount(
            lawyer_id=lawyer_id,
            account_name=account_name.strip(),
            account_no=account_no,
            bank_name=bank_name.strip(),
            branch=branch,
        )
    except AccountInvalid as exc:
        raise Invalid(str(exc), exc.errors) from None
    if unit.session.get(LawyerEntry, lawyer_id) is None:
        raise NotFound(
            f"no lawyer {lawyer_id} in the subsidy service's lawyer directory (copied from the roster)"
        )
    audit.begin(unit)
    row = unit.session.get(BankAccountRow, lawyer_id, with_for_update=True)
    before = shown(_account(row), whole=False) if row is not None else None
    now = datetime.now(UTC)
    if row is None:
        row = BankAccountRow(lawyer_id=lawyer_id)
        unit.session.add(row)
    elif _account(row) == account:
        return _view(row, whole=whole)  # nothing changes, nothing to audit
    row.account_name, row.account_no, row.bank_name, row.branch = (
        account.account_name,
        account.account_no,
        account.bank_name,
        account.branch,
    )
    row.updated_by, row.updated_at = actor, now
    unit.session.flush()
    audit.record(
        unit,
        actor=actor,
        action="bank_account.set",
        entity="bank_account",
        entity_id=lawyer_id,
        before=before,
        after=shown(account, whole=False),
    )
    return _view(row, whole=whole)


def get_bank_account(
    unit: Unit, *, lawyer_id: str, whole: bool, own_lawyer_id: str | None = None
) -> dict[str, Any]:
    """A lawyer's account: the number whole for finance, masked for the lawyer."""
    _check_caller(lawyer_id, own_lawyer_id)
    row = unit.session.get(BankAccountRow, lawyer_id)
    if row is None:
        raise NotFound(f"lawyer {lawyer_id} has no bank account yet")
    return _view(row, whole=whole)


def accounts_of(unit: Unit, lawyer_ids: Iterable[str]) -> dict[str, BankAccount]:
    """The accounts of those lawyers that have one."""
    ids = sorted(set(lawyer_ids))
    found: dict[str, BankAccount] = {}
    for start in range(0, len(ids), CHUNK):
        rows = unit.session.execute(
            select(BankAccountRow).where(BankAccountRow.lawyer_id.in_(ids[start : start + CHUNK]))
        ).scalars()
        found.update({row.lawyer_id: _account(row) for row in rows})
    return found
