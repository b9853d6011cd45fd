"""Schemes (rate tables as data): create, list, show, close, and preview a draft against past claims."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from services.common.paging import page, where_given
from services.subsidy.adapters.orm import ClaimRow, SchemeRow
from services.subsidy.domain.money import ZERO
from services.subsidy.domain.regions import covers, regions_covering
from services.subsidy.domain.schemes import (
    NoMatchingRate,
    Scheme,
    SchemeInvalid,
    calculate,
    find_overlap,
    parse_scheme,
    scheme_as_json,
)
from services.subsidy.service import audit
from services.subsidy.service.claims import NEEDS_RATE, locked_for_writing, plausible_id, price_waiting_claims
from services.subsidy.service.errors import Conflict, Invalid, NotFound
from services.subsidy.service.pricing import COUNTED, month_bounds, to_scheme
from services.subsidy.service.unit_of_work import Unit

PREVIEW_MAX_CLAIMS = 200_000


def scheme_view(row: SchemeRow, *, claims: int | None = None) -> dict[str, Any]:
    view = {
        **scheme_as_json(to_scheme(row)),
        "monthly_cap_per_lawyer": row.monthly_cap_per_lawyer,
        "max_amount": row.max_amount,
        "created_by": row.created_by,
        "created_at": row.created_at,
    }
    view["effective_from"], view["effective_to"] = row.effective_from, row.effective_to
    if claims is not None:
        view["claims"] = claims
    return view


def _same_scope(unit: Unit, scheme: Scheme) -> list[Scheme]:
    region = (
        SchemeRow.region_code.is_(None)
        if scheme.region_code is None
        else SchemeRow.region_code == scheme.region_code
    )
    rows = unit.session.execute(select(SchemeRow).where(SchemeRow.kind == scheme.kind, region)).scalars()
    return [to_scheme(r) for r in rows]


def create_scheme(unit: Unit, *, body: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Add a standard; 422 when it breaks a rule (e.g. a possible tie), 409 when it overlaps another of its
    kind and region. Waiting (`needs_rate`) claims it now prices become pending."""
    scheme = parse_scheme(body, id=str(uuid.uuid4()))
    audit.begin(unit)  # one writer at a time: two overlapping schemes cannot both pass the check
    other = find_overlap(scheme, _same_scope(unit, scheme))
    if other is not None:
        until = other.effective_to.isoformat() if other.effective_to else "open-ended"
        raise Conflict(
            f"scheme {other.id} ({other.name}, {other.effective_from.isoformat()} to {until}) is already in force "
            f"for {scheme.kind} in region {scheme.region_code or 'all'} on some of these dates; close it first"
        )
    stored = scheme_as_json(scheme)
    row = SchemeRow(
        id=scheme.id,
        kind=str(scheme.kind),
        name=scheme.name,
        region_code=scheme.region_code,
        effective_from=scheme.effective_from,
        effective_to=scheme.effective_to,
        rates=stored["rates"],
        adjustments=stored["adjustments"],
        monthly_cap_per_lawyer=scheme.monthly_cap_per_lawyer,
        max_amount=scheme.max_amount,
        document_no=scheme.document_no,
        required_documents=list(scheme.required_documents) or None,
        requires_grade=scheme.requires_grade,
        created_by=actor,
        created_at=datetime.now(UTC),
    )
    unit.session.add(row)
    unit.session.flush()
    audit.record(unit, actor=actor, action="scheme.created", entity="scheme", entity_id=row.id, after=stored)
    priced = price_waiting_claims(unit, kind=row.kind, actor=actor, scheme_id=row.id)
    return {**scheme_view(row, claims=priced), "priced_waiting_claims": priced}


def close_scheme(unit: Unit, *, scheme_id: str, effective_to: date, actor: str) -> dict[str, Any]:
    """End an open (or later-ending) standard on a date so a new one can follow it.

    Only the end moves, and only earlier: no claim it priced may fall after the new end (those amounts never
    change), so every stored amount stays what it was."""
    row = locked_for_writing(unit, SchemeRow, scheme_id, what="scheme")
    if effective_to < row.effective_from:
        detail = f"must not be before the scheme's effective_from {row.effective_from.isoformat()}"
        raise Invalid(f"effective_to {detail}", {"effective_to": [detail]})
    if row.effective_to is not None and effective_to >= row.effective_to:
        raise Conflict(
            f"scheme {scheme_id} already ends on {row.effective_to.isoformat()}; a scheme's end only moves earlier"
        )
    later = unit.session.execute(
        select(func.count())
        .select_from(ClaimRow)
        .where(ClaimRow.scheme_id == scheme_id, ClaimRow.service_date > effective_to)
    ).scalar_one()
    if later:
        raise Conflict(
            f"{later} claim(s) served after {effective_to.isoformat()} were priced by scheme {scheme_id}; "
            "it cannot end before them"
        )
    before = {"effective_to": row.effective_to}
    row.effective_to = effective_to
    unit.session.flush()
    audit.record(
        unit,
        actor=actor,
        action="scheme.closed",
        entity="scheme",
        entity_id=row.id,
        before=before,
        after={"effective_to": effective_to},
    )
    return scheme_view(row, claims=_claims_of(unit, row.id))


def _claims_of(unit: Unit, scheme_id: str) -> int:
    return unit.session.execute(
        select(func.count()).select_from(ClaimRow).where(ClaimRow.scheme_id == scheme_id)
    ).scalar_one()


def get_scheme(unit: Unit, *, scheme_id: str) -> dict[str, Any]:
    row = unit.session.get(SchemeRow, scheme_id) if plausible_id(scheme_id) else None
    if row is None:
        raise NotFound(f"no scheme {scheme_id}")
    return scheme_view(row, claims=_claims_of(unit, row.id))


def list_schemes(
    unit: Unit,
    *,
    kind: str | None = None,
    region_code: str | None = None,
    in_force_on: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Schemes by kind, region and start date (newest first); `region_code` lists those covering it."""
    statement = where_given(select(SchemeRow), (SchemeRow.kind, kind))
    if in_force_on is not None:
        statement = statement.where(
            SchemeRow.effective_from <= in_force_on,
            (SchemeRow.effective_to.is_(None)) | (SchemeRow.effective_to >= in_force_on),
        )
    if region_code is not None:
        statement = statement.where(
            or_(SchemeRow.region_code.is_(None), SchemeRow.region_code.in_(regions_covering(region_code)))
        )
    return page(
        unit.session,
        statement,
        order_by=(SchemeRow.kind, SchemeRow.effective_from.desc(), SchemeRow.id),
        limit=limit,
        offset=offset,
        view=scheme_view,
    )


def preview_scheme(
    unit: Unit,
    *,
    body: Mapping[str, Any],
    service_from: date | None = None,
    service_to: date | None = None,
    statuses: Sequence[str] | None = None,
    lawyer_id: str | None = None,
    claim_ids: Sequence[str] | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """What past claims would be paid under a draft standard; saves nothing.

    The claims: of the draft's kind, in its region, served in [service_from, service_to] (any date when
    not given), pending/approved/paid unless `statuses` says otherwise (or exactly `claim_ids`). Each is
    priced with the draft whatever its dates, its monthly cap counted per lawyer and month in date order."""
    draft = parse_scheme(body, id="draft")
    statement = select(
        ClaimRow.id,
        ClaimRow.case_no,
        ClaimRow.lawyer_id,
        ClaimRow.region_code,
        ClaimRow.service_date,
        ClaimRow.attributes,
        ClaimRow.amount,
        ClaimRow.status,
        ClaimRow.scheme_id,
    ).where(ClaimRow.kind == str(draft.kind))
    if claim_ids:
        statement = statement.where(ClaimRow.id.in_([c for c in claim_ids if plausible_id(c)]))
    else:
        statement = statement.where(ClaimRow.status.in_(list(statuses or COUNTED)))
    if service_from is not None:
        statement = statement.where(ClaimRow.service_date >= service_from)
    if service_to is not None:
        statement = statement.where(ClaimRow.service_date <= service_to)
    if lawyer_id is not None:
        statement = statement.where(ClaimRow.lawyer_id == lawyer_id)
    rows = unit.session.execute(
        statement.order_by(ClaimRow.service_date, ClaimRow.id).limit(PREVIEW_MAX_CLAIMS + 1)
    ).all()
    if len(rows) > PREVIEW_MAX_CLAIMS:
        detail = f"more than {PREVIEW_MAX_CLAIMS} claims match; narrow the dates"
        raise Invalid(detail, {"service_from": [detail]})
    rows = [r for r in rows if covers(draft.region_code, r.region_code)]
    month_totals: dict[tuple[str, date], Decimal] = {}
    current_total = draft_total = ZERO
    unpriced = 0
    items: list[dict[str, Any]] = []
    for r in rows:
        current = Decimal(r.amount) if r.status != NEEDS_RATE else None
        key = (r.lawyer_id, month_bounds(r.service_date)[0])
        draft_amount: Decimal | None = None
        note: str | None = None
        try:
            calc = calculate(draft, r.attributes, month_total_so_far=month_totals.get(key, ZERO))
        except (NoMatchingRate, SchemeInvalid) as exc:  # SchemeInvalid: a tie, which creation would refuse
            note = str(exc)
            unpriced += 1
        else:
            draft_amount, note = calc.amount, None
            month_totals[key] = month_totals.get(key, ZERO) + calc.amount
            draft_total += calc.amount
        if current is not None:
            current_total += current
        if len(items) < limit:
            items.append(
                {
                    "claim_id": r.id,
                    "case_no": r.case_no,
                    "lawyer_id": r.lawyer_id,
                    "region_code": r.region_code,
                    "service_date": r.service_date,
                    "status": r.status,
                    "scheme_id": r.scheme_id,
                    "current_amount": current,
                    "draft_amount": draft_amount,
                    "difference": None if draft_amount is None else draft_amount - (current or ZERO),
                    "note": note,
                }
            )
    return {
        "scheme": {
            **scheme_as_json(draft),
            "id": None,
            "effective_from": draft.effective_from,
            "effective_to": draft.effective_to,
        },
        "claims": len(rows),
        "priced": len(rows) - unpriced,
        "unpriced": unpriced,
        "current_total": current_total,
        "draft_total": draft_total,
        "difference": draft_total - current_total,
        "items": items,
    }
