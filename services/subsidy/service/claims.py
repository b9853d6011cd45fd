"""Claims: submitted by lawyers or staff (cases), made from completed duties (station duty), reviewed by
finance against the budget, listed and shown.

Every change writes an audit record and, when the claim's state changes, a `subsidy.claim.*` event in the
same transaction. Duplicates are caught by unique keys at insert time (ON CONFLICT DO NOTHING), never by
looking first.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from services.common.paging import page, where_given
from services.subsidy.adapters.orm import BudgetRow, ClaimRow, LawyerEntry, SchemeRow, claims_table
from services.subsidy.domain.batches import parse_month
from services.subsidy.domain.claims import (
    NOTHING_REQUIRED,
    Budget,
    Claim,
    ClaimStatus,
    FileRequirements,
    NoBudget,
    approve,
    approve_against_budget,
    attach_documents,
    grade,
    graded_breakdown,
    normalise_documents,
    reject,
    select_budget,
    submission_errors,
)
from services.subsidy.domain.money import ZERO, format_money
from services.subsidy.domain.schemes import (
    Calculation,
    Kind,
    NoMatchingRate,
    breakdown_as_json,
    calculate,
    duty_length,
    validate_attributes,
)
from services.subsidy.service import audit
from services.subsidy.service.budget_watch import announce_thresholds
from services.subsidy.service.errors import Conflict, Invalid, NotFound
from services.subsidy.service.pricing import NoScheme, month_bounds, month_total, price, to_scheme
from services.subsidy.service.unit_of_work import Unit, insert_or_nothing

SYSTEM = "system"
NEEDS_RATE = "needs_rate"
MAX_ID = 36
Row = TypeVar("Row")


def new_id() -> str:
    return str(uuid.uuid4())


def new_ids(n: int) -> list[str]:
    """n new ids as new_id makes them (random version 4 UUIDs, spelled alike), made at once for bulk writes."""
    random = bytearray(os.urandom(16 * n))
    texts = []
    for start in range(0, 16 * n, 16):
        random[start + 6] = (random[start + 6] & 0x0F) | 0x40  # version 4
        random[start + 8] = (random[start + 8] & 0x3F) | 0x80  # the RFC 4122 variant
        h = random[start : start + 16].hex()
        texts.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return texts


def plausible_id(value: str) -> bool:
    """Whether a caller's id could name a stored row (anything else is simply not found)."""
    return 0 < len(value) <= MAX_ID and "\x00" not in value


# ---------------------------------------------------------------------------------------------------- views


def claim_view(row: ClaimRow, *, lawyer_name: str | None = None) -> dict[str, Any]:
    """A claim as plain data (Decimals, dates: the API's schemas render them)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "case_no": row.case_no,
        "lawyer_id": row.lawyer_id,
        "lawyer_name": lawyer_name,
        "region_code": row.region_code,
        "service_date": row.service_date,
        "attributes": row.attributes,
        "amount": Decimal(row.amount),
        "breakdown": row.breakdown,
        "scheme_id": row.scheme_id,
        "document_no": row.document_no,
        "status": row.status,
        "submitted_by": row.submitted_by,
        "submitted_at": row.submitted_at,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at,
        "reason": row.reason,
        "budget_id": row.budget_id,
        "batch_id": row.batch_id,
        "paid_at": row.paid_at,
        "assignment_id": row.assignment_id,
        "documents": list(row.documents or []),
    }


AUDITED = (
    "kind",
    "case_no",
    "lawyer_id",
    "region_code",
    "service_date",
    "attributes",
    "amount",
    "scheme_id",
    "document_no",
    "status",
    "reviewed_by",
    "reason",
    "budget_id",
    "batch_id",
    "assignment_id",
    "documents",
)


def audit_view(claim: ClaimRow | Mapping[str, Any]) -> dict[str, Any]:
    """What an audit record keeps of a claim: the fields that decide what is paid, to whom and why (those
    that are set; the record itself says who and when)."""
    get = claim.get if isinstance(claim, Mapping) else lambda k: getattr(claim, k)
    return {k: v for k in AUDITED if (v := get(k)) is not None}


def event_data(row: ClaimRow | Mapping[str, Any]) -> dict[str, Any]:
    get = row.get if isinstance(row, Mapping) else lambda k: getattr(row, k)
    return {
        "claim_id": get("id"),
        "kind": get("kind"),
        "lawyer_id": get("lawyer_id"),
        "amount": Decimal(str(get("amount"))),
        "status": get("status"),
        "service_date": get("service_date"),
    }


def to_domain(row: ClaimRow) -> Claim:
    """A stored claim as the domain's Claim (a needs_rate claim is reviewed as a pending one)."""
    status = ClaimStatus.PENDING if row.status == NEEDS_RATE else ClaimStatus(row.status)
    return Claim(
        id=row.id,
        kind=Kind(row.kind),
        lawyer_id=row.lawyer_id,
        region_code=row.region_code,
        service_date=row.service_date,
        amount=Decimal(row.amount),
        submitted_by=row.submitted_by,
        status=status,
        case_no=row.case_no,
        scheme_id=row.scheme_id,
        reviewed_by=row.reviewed_by,
        reject_reason=row.reason,
        batch_id=row.batch_id,
        documents=tuple(row.documents or ()),
        grade=(row.attributes or {}).get("grade"),
    )


def requirements_of(scheme: SchemeRow | None) -> FileRequirements:
    """What the claim's scheme asks of its file before it is paid (nothing for an unpriced claim)."""
    if scheme is None:
        return NOTHING_REQUIRED
    return FileRequirements(
        required_documents=tuple(scheme.required_documents or ()), requires_grade=bool(scheme.requires_grade)
    )


def month_range(month: str) -> tuple[date, date]:
    """The first day of a 'YYYY-MM' month and of the next (Invalid when it is no month)."""
    try:
        year, number = parse_month(month)
        return month_bounds(date(year, number, 1))
    except ValueError as exc:
        raise Invalid(str(exc), {"month": [str(exc)]}) from None


def _lawyer_name(session: Session, lawyer_id: str) -> str | None:
    entry = session.get(LawyerEntry, lawyer_id)
    return entry.name if entry else None


# ---------------------------------------------------------------------------------------------------- writes


def insert_new(unit: Unit, table: Table, values: Mapping[str, Any] | list[Mapping[str, Any]]) -> int:
    """INSERT .. ON CONFLICT DO NOTHING; returns how many rows went in."""
    rows = values if isinstance(values, list) else [values]
    inserted = unit.session.execute(insert_or_nothing(unit, table).values(rows).returning(table.c.id)).all()
    return len(inserted)


def _claim_values(
    *,
    claim_id: str,
    kind: str,
    case_no: str | None,
    lawyer_id: str,
    region_code: str,
    service_date: date,
    attributes: Mapping[str, Any],
    calc: Calculation | None,
    status: str,
    submitted_by: str,
    now: datetime,
    assignment_id: str | None = None,
    unpriced: str | None = None,
    documents: tuple[str, ...] = (),
) -> dict[str, Any]:
    if calc is not None:
        amount, breakdown = calc.amount, breakdown_as_json(calc.breakdown)
        scheme_id, document_no = calc.scheme_id, calc.document_no
    else:
        amount, scheme_id, document_no = ZERO, None, None
        breakdown = [
            {"step": f"waiting for a rate: {unpriced}", "amount": format_money(ZERO), "rule": NEEDS_RATE}
        ]
    return {
        "id": claim_id,
        "kind": kind,
        "case_no": case_no,
        "lawyer_id": lawyer_id,
        "region_code": region_code,
        "service_date": service_date,
        "attributes": dict(attributes),
        "amount": amount,
        "breakdown": breakdown,
        "scheme_id": scheme_id,
        "document_no": document_no,
        "status": status,
        "submitted_by": submitted_by,
        "submitted_at": now,
        "reviewed_by": None,
        "reviewed_at": None,
        "reason": None,
        "budget_id": None,
        "batch_id": None,
        "paid_at": None,
        "assignment_id": assignment_id,
        "documents": list(documents) or None,
    }


def submit_claim(
    unit: Unit,
    *,
    kind: str,
    lawyer_id: str,
    region_code: str,
    case_no: str,
    service_date: date,
    attributes: Mapping[str, Any],
    submitted_by: str,
    documents: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Price and record a case claim (pending); 409 on a second (kind, case_no), 422 when nothing prices it."""
    errors = {
        **validate_attributes(kind=kind, attributes=attributes),
        **submission_errors(attributes=attributes),
    }
    if errors:
        raise Invalid("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors)
    if unit.session.get(LawyerEntry, lawyer_id) is None:
        detail = f"no lawyer {lawyer_id} in the subsidy service's lawyer directory (copied from the roster)"
        raise Invalid(detail, {"lawyer_id": [detail]})
    names = normalise_documents(documents)
    audit.begin(unit)
    calc = price(
        unit,
        kind=kind,
        lawyer_id=lawyer_id,
        region_code=region_code,
        service_date=service_date,
        attributes=attributes,
    )
    values = _claim_values(
        claim_id=new_id(),
        kind=kind,
        case_no=case_no,
        lawyer_id=lawyer_id,
        region_code=region_code,
        service_date=service_date,
        attributes=attributes,
        calc=calc,
        status=ClaimStatus.PENDING.value,
        submitted_by=submitted_by,
        now=datetime.now(UTC),
        documents=names,
    )
    if not insert_new(unit, claims_table, values):
        raise Conflict(f"a {kind} claim for case {case_no} already exists")
    row = unit.session.get_one(ClaimRow, values["id"])
    audit.record(
        unit,
        actor=submitted_by,
        action="claim.created",
        entity="claim",
        entity_id=row.id,
        after=audit_view(row),
    )
    unit.emit("subsidy.claim.created", event_data(row))
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, lawyer_id))


def record_duty_claim(unit: Unit, *, duty: Mapping[str, Any]) -> dict[str, Any] | None:
    """The station-duty claim of a completed duty (roster.duty.completed), exactly one per assignment.

    Priced by the scheme in force on the duty's date; when none prices it the claim is still recorded, as
    `needs_rate` (amount 0.00), for finance to see and for the next matching scheme to price. Returns None
    when the assignment already has its claim."""
    attributes = {
        "station_level": duty["station_level"],
        "length": duty_length(duty["start_time"], duty["end_time"]),
        "holiday": bool(duty["holiday"]),
    }
    kind = Kind.STATION_DUTY.value
    calc: Calculation | None = None
    unpriced = None
    audit.begin(unit)
    try:
        calc = price(
            unit,
            kind=kind,
            lawyer_id=duty["lawyer_id"],
            region_code=duty["region_code"],
            service_date=duty["date"],
            attributes=attributes,
        )
    except (NoScheme, NoMatchingRate) as exc:
        unpriced = str(exc)
    values = _claim_values(
        claim_id=new_id(),
        kind=kind,
        case_no=None,
        lawyer_id=duty["lawyer_id"],
        region_code=duty["region_code"],
        service_date=duty["date"],
        attributes=attributes,
        calc=calc,
        status=ClaimStatus.PENDING.value if calc else NEEDS_RATE,
        submitted_by=SYSTEM,
        now=datetime.now(UTC),
        assignment_id=duty["assignment_id"],
        unpriced=unpriced,
    )
    if not insert_new(unit, claims_table, values):
        return None  # this assignment's claim exists: a duplicate or late event changes nothing
    row = unit.session.get_one(ClaimRow, values["id"])
    audit.record(
        unit,
        actor=SYSTEM,
        action="claim.created",
        entity="claim",
        entity_id=row.id,
        after={**audit_view(row), "station_id": duty.get("station_id")},
    )
    if row.status == ClaimStatus.PENDING:
        unit.emit("subsidy.claim.created", event_data(row))
    return claim_view(row)


def price_waiting_claims(unit: Unit, *, kind: str, actor: str, scheme_id: str) -> int:
    """Price the `needs_rate` claims of a kind that the schemes now price (after `scheme_id` was added)."""
    from services.subsidy.service.pricing import schemes_of

    audit.begin(unit)
    rows = (
        unit.session.execute(
            select(ClaimRow)
            .where(ClaimRow.kind == kind, ClaimRow.status == NEEDS_RATE)
            .order_by(ClaimRow.service_date, ClaimRow.id)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    if not rows:
        return 0
    schemes = schemes_of(unit, kind)
    priced = 0
    for row in rows:
        try:
            calc = price(
                unit,
                kind=kind,
                lawyer_id=row.lawyer_id,
                region_code=row.region_code,
                service_date=row.service_date,
                attributes=row.attributes,
                schemes=schemes,
            )
        except (NoScheme, NoMatchingRate):
            continue
        before = audit_view(row)
        row.amount, row.breakdown = calc.amount, breakdown_as_json(calc.breakdown)
        row.scheme_id, row.document_no, row.status = (
            calc.scheme_id,
            calc.document_no,
            ClaimStatus.PENDING.value,
        )
        unit.session.flush()
        audit.record(
            unit,
            actor=actor,
            action="claim.priced",
            entity="claim",
            entity_id=row.id,
            before=before,
            after=audit_view(row),
            reason=f"scheme {scheme_id} added",
        )
        unit.emit("subsidy.claim.created", event_data(row))
        priced += 1
    return priced


def locked_for_writing(unit: Unit, model: type[Row], row_id: str, *, what: str) -> Row:
    """Take this writer's place in the queue (`audit.begin`), then the row, locked (NotFound without it)."""
    if not plausible_id(row_id):
        raise NotFound(f"no {what} {row_id}")
    audit.begin(unit)
    row = unit.session.execute(
        select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row


def _locked_claim(unit: Unit, claim_id: str) -> ClaimRow:
    return locked_for_writing(unit, ClaimRow, claim_id, what="claim")


def _to_budget(row: BudgetRow) -> Budget:
    return Budget(
        region_code=row.region_code,
        kind=Kind(row.kind),
        year=row.year,
        amount=Decimal(row.amount),
        committed=Decimal(row.committed),
        id=row.id,
    )


def approve_claim(unit: Unit, *, claim_id: str, by_user: str) -> dict[str, Any]:
    """Approve a pending claim against the most specific budget covering it (never by its submitter).

    Writers queue on the audit chain first (`audit.begin`), then the claim and its budget are locked too
    (FOR UPDATE on PostgreSQL; SQLite runs one writer at a time): two approvals at once never commit more
    than the budget holds."""
    row = _locked_claim(unit, claim_id)
    if row.status == NEEDS_RATE:
        raise Conflict(f"claim {claim_id} has no amount yet (no rate prices it); add a scheme or reject it")
    claim = to_domain(row)
    requirements = requirements_of(unit.session.get(SchemeRow, row.scheme_id) if row.scheme_id else None)
    # state, maker-checker, the file and its grade first: they do not depend on the budget
    approve(claim, by_user=by_user, requirements=requirements)
    year = claim.service_date.year
    candidates = (
        unit.session.execute(select(BudgetRow).where(BudgetRow.kind == claim.kind, BudgetRow.year == year))
        .scalars()
        .all()
    )
    chosen = select_budget(
        [_to_budget(b) for b in candidates], region_code=claim.region_code, kind=claim.kind, year=year
    )
    if chosen is None:
        raise NoBudget(region_code=claim.region_code, kind=claim.kind, year=year)
    budget_row = unit.session.execute(
        select(BudgetRow)
        .where(BudgetRow.id == chosen.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    approved, budget = approve_against_budget(
        claim, [_to_budget(budget_row)], by_user=by_user, requirements=requirements
    )
    now = datetime.now(UTC)
    before, committed_before = audit_view(row), Decimal(budget_row.committed)
    row.status, row.reviewed_by, row.reviewed_at, row.budget_id = (
        approved.status.value,
        by_user,
        now,
        budget_row.id,
    )
    budget_row.committed, budget_row.updated_at = budget.committed, now
    announce_thresholds(unit, budget_row)
    unit.session.flush()
    audit.record_many(
        unit,
        [
            {
                "actor": by_user,
                "action": "claim.approved",
                "entity": "claim",
                "entity_id": row.id,
                "before": before,
                "after": audit_view(row),
            },
            {
                "actor": by_user,
                "action": "budget.committed",
                "entity": "budget",
                "entity_id": budget_row.id,
                "before": {"committed": committed_before},
                "after": {"committed": budget.committed, "claim_id": row.id, "amount": claim.amount},
            },
        ],
    )
    unit.emit("subsidy.claim.approved", event_data(row))
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, row.lawyer_id))


def grade_claim(
    unit: Unit, *, claim_id: str, grade_given: str, by_user: str, note: str | None = None
) -> dict[str, Any]:
    """Grade a pending claim's file (案件质量评估; a re-grade replaces it) and price it again under its own scheme
    with `grade` among its attributes; never by its submitter. Audited with the grader and the note."""
    row = _locked_claim(unit, claim_id)
    if row.status == NEEDS_RATE or row.scheme_id is None:
        raise Conflict(f"claim {claim_id} has no amount yet (no rate prices it); add a scheme or reject it")
    graded = grade(to_domain(row), grade=grade_given, by_user=by_user)
    assert graded.grade is not None
    attributes = {**row.attributes, "grade": graded.grade}
    scheme = to_scheme(unit.session.get_one(SchemeRow, row.scheme_id))
    so_far = ZERO
    if scheme.monthly_cap_per_lawyer is not None:  # what the lawyer's other claims of that month hold
        so_far = month_total(unit, lawyer_id=row.lawyer_id, kind=row.kind, service_date=row.service_date)
        so_far = max(so_far - Decimal(row.amount), ZERO)
    calc = calculate(scheme, attributes, month_total_so_far=so_far)
    before = audit_view(row)
    row.attributes = attributes
    row.amount = calc.amount
    row.breakdown = breakdown_as_json(
        graded_breakdown(calc.breakdown, grade=graded.grade, amount=calc.amount)
    )
    unit.session.flush()
    audit.record(
        unit,
        actor=by_user,
        action="claim.graded",
        entity="claim",
        entity_id=row.id,
        before=before,
        after={**audit_view(row), "grade": graded.grade, "graded_by": by_user},
        reason=note,
    )
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, row.lawyer_id))


def update_documents(
    unit: Unit, *, claim_id: str, documents: list[str], actor: str, own_lawyer_id: str | None = None
) -> dict[str, Any]:
    """Replace a pending claim's document list (what its file holds); a lawyer only for their own claim."""
    row = _locked_claim(unit, claim_id)
    if own_lawyer_id is not None and row.lawyer_id != own_lawyer_id:
        raise NotFound(f"no claim {claim_id}")
    changed = attach_documents(to_domain(row), documents=documents)
    before = audit_view(row)
    row.documents = list(changed.documents) or None
    unit.session.flush()
    audit.record(
        unit,
        actor=actor,
        action="claim.documents_changed",
        entity="claim",
        entity_id=row.id,
        before=before,
        after=audit_view(row),
    )
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, row.lawyer_id))


def reject_claim(unit: Unit, *, claim_id: str, by_user: str, reason: str) -> dict[str, Any]:
    """Reject a pending (or unpriced) claim with a reason (never by its submitter)."""
    row = _locked_claim(unit, claim_id)
    rejected = reject(to_domain(row), by_user=by_user, reason=reason)
    before = audit_view(row)
    row.status, row.reviewed_by, row.reviewed_at = rejected.status.value, by_user, datetime.now(UTC)
    row.reason = rejected.reject_reason
    unit.session.flush()
    audit.record(
        unit,
        actor=by_user,
        action="claim.rejected",
        entity="claim",
        entity_id=row.id,
        before=before,
        after=audit_view(row),
        reason=rejected.reject_reason,
    )
    unit.emit("subsidy.claim.rejected", event_data(row))
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, row.lawyer_id))


# ---------------------------------------------------------------------------------------------------- reads


def get_claim(unit: Unit, *, claim_id: str, own_lawyer_id: str | None = None) -> dict[str, Any]:
    """One claim; with `own_lawyer_id` (a lawyer asking) another lawyer's claim is not found."""
    row = unit.session.get(ClaimRow, claim_id) if plausible_id(claim_id) else None
    if row is None or (own_lawyer_id is not None and row.lawyer_id != own_lawyer_id):
        raise NotFound(f"no claim {claim_id}")
    return claim_view(row, lawyer_name=_lawyer_name(unit.session, row.lawyer_id))


# how a list of claims may be ordered, each ending on the id so that pages never overlap
CLAIM_ORDERS: dict[str, tuple[Any, ...]] = {
    "-service_date": (ClaimRow.service_date.desc(), ClaimRow.submitted_at.desc(), ClaimRow.id),
    "service_date": (ClaimRow.service_date, ClaimRow.submitted_at, ClaimRow.id),
    "-amount": (ClaimRow.amount.desc(), ClaimRow.id.desc()),
    "amount": (ClaimRow.amount, ClaimRow.id),
    "-submitted_at": (ClaimRow.submitted_at.desc(), ClaimRow.id.desc()),
    "submitted_at": (ClaimRow.submitted_at, ClaimRow.id),
}
DEFAULT_CLAIM_ORDER = "-service_date"


def list_claims(
    unit: Unit,
    *,
    status: str | None = None,
    lawyer_id: str | None = None,
    kind: str | None = None,
    month: str | None = None,
    region_code: str | None = None,
    batch_id: str | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    sort: str = DEFAULT_CLAIM_ORDER,
    own_lawyer_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Claims in `sort` order (default: by service date, newest first), sorted and sliced in the database
    over everything the filters select; a lawyer (`own_lawyer_id`) sees only their own."""
    statement = where_given(
        select(ClaimRow),
        (ClaimRow.lawyer_id, own_lawyer_id),
        (ClaimRow.status, status),
        (ClaimRow.lawyer_id, lawyer_id),
        (ClaimRow.kind, kind),
        (ClaimRow.region_code, region_code),
        (ClaimRow.batch_id, batch_id),
    )
    if month is not None:
        start, end = month_range(month)
        statement = statement.where(ClaimRow.service_date >= start, ClaimRow.service_date < end)
    if amount_min is not None:
        statement = statement.where(ClaimRow.amount >= amount_min)
    if amount_max is not None:
        statement = statement.where(ClaimRow.amount <= amount_max)
    found = page(
        unit.session,
        statement,
        order_by=CLAIM_ORDERS[sort],
        limit=limit,
        offset=offset,
    )
    rows = found["items"]
    ids = {r.lawyer_id for r in rows}
    names = (
        dict(
            unit.session.execute(
                select(LawyerEntry.id, LawyerEntry.name).where(LawyerEntry.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return {
        "items": [claim_view(r, lawyer_name=names.get(r.lawyer_id)) for r in rows],
        "total": found["total"],
    }
