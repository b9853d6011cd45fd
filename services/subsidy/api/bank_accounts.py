"""/api/subsidy/lawyers/{lawyer_id}/bank-account: where a lawyer's subsidies are paid. Finance sets and reads
any account whole; a lawyer sets and reads their own, the number masked; anyone else is refused."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.subsidy.api.problems import problems
from services.subsidy.api.request_unit import unit_of_work
from services.subsidy.api.schemas import BankAccountIn, BankAccountOut
from services.subsidy.service import bank_accounts
from services.subsidy.service.errors import Forbidden

blp = Blueprint(
    "bank_accounts",
    __name__,
    url_prefix="/api/subsidy/lawyers",
    description="Lawyers' bank accounts (the number whole for finance only)",
)


def _caller() -> tuple[str | None, bool]:
    """(the lawyer a lawyer user is limited to, or None for finance; whether the number is shown whole)."""
    identity = current_identity()
    if not identity.is_lawyer:
        return None, True
    if not identity.lawyer_id:
        raise Forbidden("this lawyer user is linked to no roster lawyer")
    return identity.lawyer_id, False


@blp.route("/<lawyer_id>/bank-account", methods=["PUT"])
@blp.arguments(BankAccountIn)
@blp.response(200, BankAccountOut)
@problems(blp, 400, 403, 404, 422)
@require_roles("finance", "lawyer")  # a lawyer for themself only (another lawyer's is 404)
def set_bank_account(body: dict[str, Any], lawyer_id: str) -> Any:
    """Record where a lawyer is paid, replacing the account there was; audited (numbers masked)."""
    own, whole = _caller()
    with unit_of_work() as uow:
        account = bank_accounts.set_bank_account(
            uow, lawyer_id=lawyer_id, **body, actor=current_identity().user_id, whole=whole, own_lawyer_id=own
        )
        uow.commit()
    return account


@blp.route("/<lawyer_id>/bank-account", methods=["GET"])
@blp.response(200, BankAccountOut)
@problems(blp, 403, 404)
@require_roles("finance", "lawyer")  # a lawyer their own only, the number masked
def get_bank_account(lawyer_id: str) -> Any:
    """A lawyer's bank account: whole for finance, the number masked to its last four digits for the lawyer."""
    own, whole = _caller()
    with unit_of_work() as uow:
        return bank_accounts.get_bank_account(uow, lawyer_id=lawyer_id, whole=whole, own_lawyer_id=own)
