"""Monthly payment batches: approved unpaid claims grouped per lawyer, exported for the bank, marked paid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update

from services.common.paging import page, where_given
from services.subsidy.adapters.orm import LawyerEntry, PaymentBatchLineRow, PaymentBatchRow, claims_table
from services.subsidy.domain.amount_in_words import amount_in_words
from services.subsidy.domain.bank_files import bank_file, payments, profile_named
from services.subsidy.domain.bank_profiles import PROFILES
from services.subsidy.domain.batches import (
    BatchLine,
    PaymentBatch,
    batch_csv,
    batch_xlsx,
    build_batch,
)
from services.subsidy.domain.claims import Claim, ClaimStatus, add_to_batch, mark_paid
from services.subsidy.domain.regions import PREFECTURE, PROVINCE, specificity
from services.subsidy.domain.schemes import Kind
from services.subsidy.service import audit
from services.subsidy.service.bank_accounts import accounts_of
from services.subsidy.service.claims import month_range, plausible_id
from services.subsidy.service.errors import Conflict, NotFound
from services.subsidy.service.unit_of_work import Unit

OPEN, PAID = "open", "paid"
CHUNK = 1000

c = claims_table.c


def _rowcount(result: Any) -> int:
    """How many rows an UPDATE changed."""
    return int(result.rowcount)


def _covered_by(region_code: str | None) -> ColumnElement[bool] | None:
    """SQL for "the claim's region is covered by region_code" (exactly the domain's `covers`)."""
    if region_code is None:
        return None
    level = specificity(region_code)
    if level == PROVINCE:
        return c.region_code.like(region_code[:2] + "%")
    if level == PREFECTURE:
        return c.region_code.like(region_code[:4] + "%")
    return c.region_code == region_code


def claim_of(row: Any) -> Claim:
    """A selected claims row as the domain's Claim (for batching and paying: amounts are final)."""
    return Claim(
        id=row.id,
        kind=Kind(row.kind),
        lawyer_id=row.lawyer_id,
        region_code=row.region_code,
        service_date=row.service_date,
        amount=Decimal(row.amount),
        submitted_by=row.submitted_by,
        status=ClaimStatus(row.status),
        batch_id=row.batch_id,
    )


_COLUMNS = (
    c.id,
    c.kind,
    c.lawyer_id,
    c.region_code,
    c.service_date,
    c.amount,
    c.submitted_by,
    c.status,
    c.batch_id,
)


def _names(unit: Unit, lawyer_ids: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    ids = sorted(lawyer_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        names.update(
            unit.session.execute(
                select(LawyerEntry.id, LawyerEntry.name).where(LawyerEntry.id.in_(chunk))
            ).all()
        )
    return names


def batch_view(row: PaymentBatchRow, lines: list[PaymentBatchLineRow] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row.id,
        "month": row.month,
        "region_code": row.region_code,
        "total": Decimal(row.total),
        "total_in_words": amount_in_words(Decimal(row.total)),
        "claim_count": row.claim_count,
        "status": row.status,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "paid_by": row.paid_by,
        "paid_at": row.paid_at,
    }
    if lines is not None:
        view["lines"] = [
            {
                "lawyer_id": line.lawyer_id,
                "lawyer_name": line.lawyer_name,
                "claims": list(line.claim_ids),
                "claim_count": len(line.claim_ids),
                "total": Decimal(line.total),
            }
            for line in lines
        ]
    return view


def create_batch(unit: Unit, *, month: str, region_code: str | None, actor: str) -> dict[str, Any]:
    """Gather the month's approved claims in no batch yet (in the region, when given), one line per lawyer."""
    start, end = month_range(month)
    audit.begin(unit)
    where = [
        c.status == ClaimStatus.APPROVED.value,
        c.batch_id.is_(None),
        c.service_date >= start,
        c.service_date < end,
    ]
    region = _covered_by(region_code)
    if region is not None:
        where.append(region)
    rows = unit.session.execute(select(*_COLUMNS).where(*where).order_by(c.id).with_for_update()).all()
    claims = [claim_of(r) for r in rows]
    batch_id = str(uuid.uuid4())
    batch, lines = build_batch(
        claims,
        id=batch_id,
        month=month,
        region_code=region_code,
        lawyer_names=_names(unit, {cl.lawyer_id for cl in claims}),
    )
    chosen = [cl for cl in claims if cl.status == ClaimStatus.APPROVED and cl.batch_id is None]
    for claim in chosen:
        add_to_batch(claim, batch_id=batch_id)
    if not lines:
        where_text = f" in region {region_code}" if region_code else ""
        raise Conflict(f"no approved claims served in {month}{where_text} are waiting for payment")
    accounts = accounts_of(unit, (line.lawyer_id for line in lines))
    unpayable = [line for line in lines if line.lawyer_id not in accounts]
    if unpayable:
        named = ", ".join(
            f"{line.lawyer_id} ({line.lawyer_name})" if line.lawyer_name else line.lawyer_id
            for line in unpayable
        )
        raise Conflict(
            f"no bank account for lawyers {named}: record their accounts "
            f"(PUT /api/subsidy/lawyers/{{lawyer_id}}/bank-account) before making the batch"
        )
    count = sum(len(line.claims) for line in lines)
    now = datetime.now(UTC)
    row = PaymentBatchRow(
        id=batch_id,
        month=month,
        region_code=region_code,
        total=batch.total,
        claim_count=count,
        status=OPEN,
        created_by=actor,
        created_at=now,
    )
    unit.session.add(row)
    unit.session.flush()
    unit.session.execute(
        insert(PaymentBatchLineRow),
        [
            {
                "batch_id": batch_id,
                "position": i,
                "lawyer_id": line.lawyer_id,
                "lawyer_name": line.lawyer_name,
                "claim_ids": list(line.claims),
                "total": line.total,
            }
            for i, line in enumerate(lines, start=1)
        ],
    )
    # the rows are locked (and SQLite has one writer), so this takes exactly the claims read above
    taken = _rowcount(unit.session.execute(update(claims_table).where(*where).values(batch_id=batch_id)))
    if taken != count:
        raise Conflict("the claims changed while the batch was being made; try again")
    audit.record(
        unit,
        actor=actor,
        action="batch.created",
        entity="batch",
        entity_id=batch_id,
        after={
            "month": month,
            "region_code": region_code,
            "total": batch.total,
            "claim_count": count,
            "lines": [
                {"lawyer_id": line.lawyer_id, "claims": list(line.claims), "total": line.total}
                for line in lines
            ],
        },
    )
    return batch_view(row, _lines(unit, batch_id))


def _lines(unit: Unit, batch_id: str) -> list[PaymentBatchLineRow]:
    return list(
        unit.session.execute(
            select(PaymentBatchLineRow)
            .where(PaymentBatchLineRow.batch_id == batch_id)
            .order_by(PaymentBatchLineRow.position)
        ).scalars()
    )


def _batch(unit: Unit, batch_id: str, *, for_update: bool = False) -> PaymentBatchRow:
    row = None
    if plausible_id(batch_id):
        statement = select(PaymentBatchRow).where(PaymentBatchRow.id == batch_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = unit.session.execute(statement).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no payment batch {batch_id}")
    return row


def get_batch(unit: Unit, *, batch_id: str) -> dict[str, Any]:
    row = _batch(unit, batch_id)
    return batch_view(row, _lines(unit, batch_id))


def list_batches(
    unit: Unit, *, month: str | None = None, status: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    statement = where_given(
        select(PaymentBatchRow), (PaymentBatchRow.month, month), (PaymentBatchRow.status, status)
    )
    return page(
        unit.session,
        statement,
        order_by=(PaymentBatchRow.created_at.desc(), PaymentBatchRow.id),
        limit=limit,
        offset=offset,
        view=batch_view,
    )


def mark_batch_paid(unit: Unit, *, batch_id: str, actor: str) -> dict[str, Any]:
    """Record that the bank paid the batch: every claim in it becomes paid (and says so in an event)."""
    if plausible_id(batch_id):
        audit.begin(unit)
    row = _batch(unit, batch_id, for_update=True)
    if row.status != OPEN:
        raise Conflict(
            f"payment batch {batch_id} was already marked paid on {row.paid_at.isoformat() if row.paid_at else '?'}"
        )
    rows = unit.session.execute(
        select(*_COLUMNS).where(c.batch_id == batch_id).order_by(c.id).with_for_update()
    ).all()
    paid = [mark_paid(claim_of(r)) for r in rows]  # WrongState (409) should one not be approved
    now = datetime.now(UTC)
    changed = _rowcount(
        unit.session.execute(
            update(claims_table)
            .where(c.batch_id == batch_id, c.status == ClaimStatus.APPROVED.value)
            .values(status=ClaimStatus.PAID.value, paid_at=now)
        )
    )
    if changed != len(paid):
        raise Conflict("the batch's claims changed while it was being marked paid; try again")
    row.status, row.paid_by, row.paid_at = PAID, actor, now
    unit.session.flush()
    audit.record(
        unit,
        actor=actor,
        action="batch.paid",
        entity="batch",
        entity_id=batch_id,
        before={"status": OPEN},
        after={"status": PAID, "paid_at": now, "claims": [p.id for p in paid]},
    )
    for claim in paid:
        unit.emit(
            "subsidy.claim.paid",
            {
                "claim_id": claim.id,
                "kind": str(claim.kind),
                "lawyer_id": claim.lawyer_id,
                "amount": claim.amount,
                "status": claim.status.value,
                "service_date": claim.service_date,
            },
        )
    return batch_view(row, _lines(unit, batch_id))


def _domain_batch(unit: Unit, batch_id: str) -> tuple[PaymentBatch, list[BatchLine]]:
    row = _batch(unit, batch_id)
    lines = [
        BatchLine(
            lawyer_id=line.lawyer_id,
            lawyer_name=line.lawyer_name,
            claims=tuple(line.claim_ids),
            total=Decimal(line.total),
        )
        for line in _lines(unit, batch_id)
    ]
    return PaymentBatch(
        id=row.id, month=row.month, region_code=row.region_code, total=Decimal(row.total)
    ), lines


def export_batch(unit: Unit, *, batch_id: str, fmt: str) -> tuple[bytes, str]:
    """The batch as CSV (UTF-8 with BOM) or XLSX; returns (bytes, file name)."""
    batch, lines = _domain_batch(unit, batch_id)
    if fmt == "csv":
        return batch_csv(batch, lines), f"payment-batch-{batch.month}-{batch.id[:8]}.csv"
    if fmt == "xlsx":
        return batch_xlsx(batch, lines), f"payment-batch-{batch.month}-{batch.id[:8]}.xlsx"
    raise ValueError(f"unknown export format {fmt!r}")


def list_profiles() -> list[dict[str, Any]]:
    """The banks' batch-payment file formats a batch can be downloaded in."""
    return [profile.describe() for profile in PROFILES]


def batch_bank_file(unit: Unit, *, batch_id: str, profile: str) -> tuple[bytes, str, str]:
    """The batch as the bank's batch-payment import file; returns (bytes, file name, media type)."""
    chosen = profile_named(profile)
    batch, lines = _domain_batch(unit, batch_id)
    rows = payments(batch, lines, accounts_of(unit, (line.lawyer_id for line in lines)))
    content = bank_file(chosen, batch, rows)
    return (
        content,
        f"bank-file-{batch.month}-{batch.id[:8]}-{chosen.name}.{chosen.file_type}",
        chosen.media_type,
    )
