"""Stored schemes as domain schemes, and pricing a claim with the scheme in force on its service date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.subsidy.adapters.orm import ClaimRow, SchemeRow
from services.subsidy.domain.money import ZERO, format_money
from services.subsidy.domain.schemes import Calculation, Scheme, calculate, parse_scheme, select_scheme
from services.subsidy.service.errors import Invalid
from services.subsidy.service.unit_of_work import Unit

# the statuses whose amounts count towards a lawyer's monthly cap
COUNTED = ("pending", "approved", "paid")


def scheme_body(row: SchemeRow) -> dict[str, Any]:
    """A stored scheme in the contract's body shape (what parse_scheme reads)."""
    return {
        "kind": row.kind,
        "name": row.name,
        "region_code": row.region_code,
        "effective_from": row.effective_from.isoformat(),
        "effective_to": None if row.effective_to is None else row.effective_to.isoformat(),
        "rates": row.rates,
        "adjustments": row.adjustments,
        "monthly_cap_per_lawyer": _money_or_none(row.monthly_cap_per_lawyer),
        "max_amount": _money_or_none(row.max_amount),
        "document_no": row.document_no,
        "required_documents": row.required_documents or [],
        "requires_grade": bool(row.requires_grade),
    }


def _money_or_none(value: Decimal | None) -> str | None:
    return None if value is None else format_money(Decimal(value))


def to_scheme(row: SchemeRow) -> Scheme:
    return parse_scheme(scheme_body(row), id=row.id)


def schemes_of(unit: Unit, kind: str) -> list[Scheme]:
    rows = unit.session.execute(select(SchemeRow).where(SchemeRow.kind == kind)).scalars()
    return [to_scheme(row) for row in rows]


class NoScheme(Invalid):
    """No scheme of the kind is in force on the service date for the region (a 422)."""

    def __init__(self, *, kind: str, region_code: str, service_date: date) -> None:
        detail = f"no {kind} scheme in force on {service_date.isoformat()} covers region {region_code}"
        super().__init__(detail, {"service_date": [detail]})


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def month_total(unit: Unit, *, lawyer_id: str, kind: str, service_date: date) -> Decimal:
    """What the lawyer's claims of this kind already come to in the service date's month."""
    start, end = month_bounds(service_date)
    amounts = unit.session.execute(
        select(ClaimRow.amount).where(
            ClaimRow.lawyer_id == lawyer_id,
            ClaimRow.kind == kind,
            ClaimRow.status.in_(COUNTED),
            ClaimRow.service_date >= start,
            ClaimRow.service_date < end,
        )
    ).scalars()
    return sum((Decimal(a) for a in amounts), ZERO)


def price(
    unit: Unit,
    *,
    kind: str,
    lawyer_id: str,
    region_code: str,
    service_date: date,
    attributes: Mapping[str, Any],
    schemes: list[Scheme] | None = None,
) -> Calculation:
    """Price a claim under the scheme in force on its date (NoScheme / NoMatchingRate otherwise).

    Writers run one at a time (`audit.begin`), so the room left under a monthly cap is not taken twice."""
    scheme = select_scheme(
        schemes if schemes is not None else schemes_of(unit, kind),
        kind=kind,
        region_code=region_code,
        service_date=service_date,
    )
    if scheme is None:
        raise NoScheme(kind=kind, region_code=region_code, service_date=service_date)
    so_far = ZERO
    if scheme.monthly_cap_per_lawyer is not None:
        so_far = month_total(unit, lawyer_id=lawyer_id, kind=kind, service_date=service_date)
    return calculate(scheme, attributes, month_total_so_far=so_far)
