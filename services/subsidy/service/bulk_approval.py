"""Many pending claims approved at once against their budgets, all or nothing, as approve_claim approves one:
the same rules (state, maker-checker, the file and its grade, the budget left), audit records and events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from services.subsidy.adapters.orm import BudgetRow, SchemeRow, claims_table
from services.subsidy.domain.claims import (
    Budget,
    ClaimStatus,
    FileRequirements,
    NoBudget,
    approve,
    commit,
    select_budget,
)
from services.subsidy.domain.money import ZERO
from services.subsidy.domain.schemes import (
    Kind,
)
from services.subsidy.service import audit
from services.subsidy.service.batches import claim_of
from services.subsidy.service.budget_watch import announce_thresholds
from services.subsidy.service.bulk_writes import CHUNK, IN_CHUNK, emit_many
from services.subsidy.service.claims import NEEDS_RATE, requirements_of
from services.subsidy.service.errors import Conflict, NotFound
from services.subsidy.service.unit_of_work import Unit

c = claims_table.c


def approve_claims_in_bulk(
    unit: Unit,
    *,
    claim_ids: Sequence[str],
    by_user: str,
    chunk: int = CHUNK,
) -> dict[str, Any]:
    """Approve many pending claims against their budgets as approve_claim would, all or nothing."""
    audit.begin(unit)
    loaded: list[Any] = []
    ids = list(dict.fromkeys(claim_ids))
    for start in range(0, len(ids), IN_CHUNK):
        loaded.extend(
            unit.session.execute(
                select(
                    c.id,
                    c.kind,
                    c.lawyer_id,
                    c.region_code,
                    c.service_date,
                    c.amount,
                    c.submitted_by,
                    c.status,
                    c.batch_id,
                    c.scheme_id,
                    c.documents,
                    c.attributes,
                )
                .where(c.id.in_(ids[start : start + IN_CHUNK]))
                .with_for_update()
            ).all()
        )
    if len(loaded) != len(ids):
        missing = sorted(set(ids) - {r.id for r in loaded})
        raise NotFound(
            f"no claim {missing[0]}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    if any(r.status == NEEDS_RATE for r in loaded):
        raise Conflict("some claims have no amount yet (no rate prices them)")
    scheme_ids = sorted({r.scheme_id for r in loaded if r.scheme_id})
    requirements: dict[str | None, FileRequirements] = {None: requirements_of(None)}
    for scheme in unit.session.execute(select(SchemeRow).where(SchemeRow.id.in_(scheme_ids))).scalars():
        requirements[scheme.id] = requirements_of(scheme)
    claims = [  # state, maker-checker, the file and its grade
        approve(
            replace(claim_of(r), documents=tuple(r.documents or ()), grade=(r.attributes or {}).get("grade")),
            by_user=by_user,
            requirements=requirements[r.scheme_id],
        )
        for r in loaded
    ]
    years = {(cl.kind, cl.service_date.year) for cl in claims}
    rows = [b for b in unit.session.execute(select(BudgetRow)).scalars() if (b.kind, b.year) in years]
    budgets = {
        b.id: Budget(
            region_code=b.region_code,
            kind=Kind(b.kind),
            year=b.year,
            amount=Decimal(b.amount),
            committed=Decimal(b.committed),
            id=b.id,
        )
        for b in rows
    }
    chosen: dict[tuple[str, str, int], Budget | None] = {}
    spend: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        key = (claim.region_code, claim.kind, claim.service_date.year)
        if key not in chosen:
            chosen[key] = select_budget(budgets.values(), region_code=key[0], kind=key[1], year=key[2])
        budget = chosen[key]
        if budget is None:
            raise NoBudget(region_code=key[0], kind=key[1], year=key[2])
        spend[budget.id].append(claim.id)  # type: ignore[index]
    locked = {
        b.id: b
        for b in unit.session.execute(
            select(BudgetRow)
            .where(BudgetRow.id.in_(sorted(spend)))
            .order_by(BudgetRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    by_id = {cl.id: cl for cl in claims}
    now = datetime.now(UTC)
    records: list[dict[str, Any]] = []
    for budget_id, members in spend.items():
        row = locked[budget_id]
        budget = Budget(
            region_code=row.region_code,
            kind=Kind(row.kind),
            year=row.year,
            amount=Decimal(row.amount),
            committed=Decimal(row.committed),
            id=row.id,
        )
        before = budget.committed
        amount = sum((by_id[m].amount for m in members), ZERO)
        budget = commit(budget, amount)  # BudgetExceeded: the whole approval is refused
        row.committed, row.updated_at = budget.committed, now
        for start in range(0, len(members), IN_CHUNK):
            unit.session.execute(
                update(claims_table)
                .where(c.id.in_(members[start : start + IN_CHUNK]))
                .values(
                    status=ClaimStatus.APPROVED.value,
                    reviewed_by=by_user,
                    reviewed_at=now,
                    budget_id=budget_id,
                )
            )
        records.extend(
            {
                "actor": by_user,
                "action": "claim.approved",
                "entity": "claim",
                "entity_id": m,
                "at": now,
                "before": {"status": "pending"},
                "after": {
                    "status": "approved",
                    "reviewed_by": by_user,
                    "reviewed_at": now,
                    "budget_id": budget_id,
                },
            }
            for m in members
        )
        records.append(
            {
                "actor": by_user,
                "action": "budget.committed",
                "entity": "budget",
                "entity_id": budget_id,
                "at": now,
                "before": {"committed": before},
                "after": {"committed": budget.committed, "claims": len(members), "amount": amount},
            }
        )
    unit.session.flush()
    audit.record_many(unit, records, chunk=chunk)
    emit_many(
        unit,
        "subsidy.claim.approved",
        [
            {
                "claim_id": cl.id,
                "kind": str(cl.kind),
                "lawyer_id": cl.lawyer_id,
                "amount": cl.amount,
                "status": ClaimStatus.APPROVED.value,
                "service_date": cl.service_date,
            }
            for cl in claims
        ],
    )
    for row in locked.values():
        announce_thresholds(unit, row)
    unit.session.flush()
    return {"approved": len(claims), "total": sum((cl.amount for cl in claims), ZERO)}
