"""Many case claims priced and recorded in one transaction, all or nothing: an import of a mediation
committee's or a legal aid centre's case list (`intake`), the benchmarks.

The same rules as one at a time, the same domain functions, the same audit records and events; only the
database work is batched (`bulk_writes`) and the lookups are done once per import. Approving many claims at
once: `bulk_approval`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.subsidy.adapters.fast_insert import insert_as_core
from services.subsidy.adapters.orm import LawyerEntry, claims_table
from services.subsidy.domain.claims import (
    ClaimStatus,
    DocumentsInvalid,
    normalise_documents,
    submission_errors,
)
from services.subsidy.domain.money import ZERO, to_money
from services.subsidy.domain.schemes import (
    Calculation,
    NoMatchingRate,
    Scheme,
    breakdown_as_json,
    calculate,
    select_scheme,
    validate_attributes,
)
from services.subsidy.service import audit
from services.subsidy.service.bulk_writes import CHUNK, emit_many, matching
from services.subsidy.service.claims import AUDITED, new_ids
from services.subsidy.service.errors import Conflict, Invalid
from services.subsidy.service.pricing import COUNTED, month_bounds, schemes_of
from services.subsidy.service.unit_of_work import Unit

MAX_ERRORS = 50

c = claims_table.c
_PLAIN = {str, int, bool, type(None)}  # as JSON stores them


class _Errors:
    """Problems found in an import, by item and field: keyed `"{i}.{field}"`, or with labels (an import's
    "row N") every problem of an item under its label as `"field: message"`, all of them listed."""

    def __init__(self, labels: Sequence[str] | None) -> None:
        self.labels = labels
        self.found: dict[tuple[int, str], list[str]] = {}

    def add(self, i: int, field: str, messages: list[str]) -> None:
        self.found.setdefault((i, field), []).extend(messages)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self, what: str) -> None:
        if not self.found:
            return
        if self.labels is None:
            shown = {
                f"{i}.{field}": messages for (i, field), messages in list(self.found.items())[:MAX_ERRORS]
            }
            items = len({i for i, _ in self.found})
            raise Invalid(f"{items} of the {what} cannot be recorded; nothing was", shown)
        by_item: dict[str, list[str]] = {}
        for (i, field), messages in sorted(self.found.items(), key=lambda item: item[0][0]):
            by_item.setdefault(self.labels[i], []).extend(f"{field}: {m}" for m in messages)
        raise Invalid(f"{len(by_item)} of the {what} cannot be recorded; nothing was", by_item)


def _existing_cases(unit: Unit, cases: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, case_no) pairs among `cases` that already have a claim."""
    found: set[tuple[str, str]] = set()
    for kind in sorted({k for k, _ in cases}):
        numbers = sorted(n for k, n in cases if k == kind)
        for part in matching(unit, c.case_no, numbers, c.kind == kind):
            found.update((kind, n) for n in unit.session.execute(part).scalars())
    return found


def _known_lawyers(unit: Unit, ids: set[str]) -> set[str]:
    known: set[str] = set()
    for part in matching(unit, LawyerEntry.id, sorted(ids)):
        known.update(unit.session.execute(part).scalars())
    return known


def _month_totals(unit: Unit, *, months: set[date], kinds: set[str]) -> dict[tuple[str, str, date], Decimal]:
    """What each lawyer's claims already come to, per kind and month, in the months an import touches.

    Summed by the database (on SQLite, whose NUMERIC is a float, the sum is exact to the cent for any total
    under 10^13 yuan and is quantised like every stored amount)."""
    totals: dict[tuple[str, str, date], Decimal] = defaultdict(lambda: ZERO)
    for month in sorted(months):
        start, end = month_bounds(month)
        rows = unit.session.execute(
            select(c.lawyer_id, c.kind, func.sum(c.amount))
            .where(
                c.service_date >= start,
                c.service_date < end,
                c.status.in_(COUNTED),
                c.kind.in_(sorted(kinds)),
            )
            .group_by(c.lawyer_id, c.kind)
        )
        for lawyer_id, kind, amount in rows:
            totals[(lawyer_id, kind, start)] = to_money(Decimal(str(amount)))
    return totals


def _stored_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """audit_view(row) in the JSON form audit.jsonable gives it (amount and date as text), built directly."""
    view = {key: value for key in AUDITED if (value := row[key]) is not None}
    view["amount"] = f"{row['amount']:f}"
    view["service_date"] = row["service_date"].isoformat()
    attributes = row["attributes"]
    plain = all(type(key) is str and type(value) in _PLAIN for key, value in attributes.items())
    view["attributes"] = attributes = dict(attributes) if plain else audit.jsonable(attributes)
    if any(type(value) is float for value in attributes.values()):  # the chain hashes no floats
        raise Invalid("attributes hold no fractions", {"attributes": ["write numbers as text"]})
    return view


def _event(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "claim_id": values["id"],
        "kind": values["kind"],
        "lawyer_id": values["lawyer_id"],
        "amount": values["amount"],
        "status": values["status"],
        "service_date": values["service_date"],
    }


def _item_problems(
    claim: Mapping[str, Any], known: dict[Any, tuple[dict[str, list[str]], tuple[str, ...]]]
) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """What is wrong with a claim's attributes and documents, by field, and its documents' names; the same
    answer for the same kind, attributes and documents is remembered in `known` (an import repeats them)."""
    attributes, documents = claim["attributes"], claim.get("documents") or ()
    try:  # (with the types: True and 1 are equal keys but not the same attribute)
        key: Any = (
            claim["kind"],
            tuple((name, type(value), value) for name, value in attributes.items()),
            type(documents),
            tuple((type(name), name) for name in documents),
        )
        hash(key)
    except (AttributeError, TypeError):  # not a mapping of plain values, or not a list: asked, not remembered
        key = None
    if key is not None and key in known:
        return known[key]
    problems = {**validate_attributes(kind=claim["kind"], attributes=attributes)}
    if isinstance(attributes, Mapping):
        for field, messages in submission_errors(attributes=attributes).items():
            problems[field] = [*problems.get(field, []), *messages]
    try:
        names = normalise_documents(documents)
    except DocumentsInvalid as exc:
        problems["documents"] = exc.errors["documents"]
        names = ()
    if key is not None:
        known[key] = (problems, names)
    return problems, names


def _check_items(unit: Unit, claims: Sequence[Mapping[str, Any]], errors: _Errors) -> list[tuple[str, ...]]:
    """What each claim of an import says wrong before pricing (attributes, documents, the lawyer, its case
    twice or already claimed), into `errors`; returns each claim's documents. Takes the writers' queue
    (`audit.begin`) before looking for claimed cases, so none is claimed meanwhile."""
    seen: set[tuple[str, str]] = set()
    documents: list[tuple[str, ...]] = []
    known: dict[Any, tuple[dict[str, list[str]], tuple[str, ...]]] = {}
    for i, claim in enumerate(claims):
        problems, names = _item_problems(claim, known)
        for key, messages in problems.items():
            errors.add(i, key, messages)
        documents.append(names)
        case = (claim["kind"], claim["case_no"])
        if case in seen:
            errors.add(i, "case_no", [f"case {claim['case_no']} is in this import twice"])
        seen.add(case)
    missing = {cl["lawyer_id"] for cl in claims} - _known_lawyers(unit, {cl["lawyer_id"] for cl in claims})
    audit.begin(unit)
    claimed = _existing_cases(unit, seen)
    for i, claim in enumerate(claims):
        if claim["lawyer_id"] in missing:
            errors.add(i, "lawyer_id", [f"no lawyer {claim['lawyer_id']} in the lawyer directory"])
        if (claim["kind"], claim["case_no"]) in claimed:
            errors.add(i, "case_no", [f"a {claim['kind']} claim for case {claim['case_no']} already exists"])
    return documents


class _Pricer:
    """Picks the scheme and prices the claims of one import, each distinct question answered once.

    calculate() is a pure function of the scheme, the attributes and (under a monthly cap) what the month
    already holds: many claims of an import share all three, so each distinct case is priced once."""

    def __init__(self, schemes: dict[str, list[Scheme]]) -> None:
        self.schemes = schemes
        self.picked: dict[tuple[str, str, date], Scheme | None] = {}
        self.priced: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Calculation, list[Any]]] = {}
        self.at_cap: dict[tuple[Any, ...], tuple[Calculation, list[Any]]] = {}

    def scheme_for(self, kind: str, region: str, day: date) -> Scheme | None:
        """The scheme of `kind` in force on `day` in `region`, or None."""
        key = (kind, region, day)
        if key not in self.picked:
            self.picked[key] = select_scheme(
                self.schemes[kind], kind=kind, region_code=region, service_date=day
            )
        return self.picked[key]

    def calculation(
        self, scheme: Scheme, attributes: Mapping[str, Any], so_far: Decimal
    ) -> tuple[Calculation, list[Any]]:
        """The calculation and its breakdown as JSON, for a lawyer whose month already holds `so_far`."""
        key = (scheme.id, tuple(sorted((k, repr(v)) for k, v in attributes.items())))
        known = self.priced.get(key)
        cap = scheme.monthly_cap_per_lawyer
        if known is not None and (cap is None or known[0].amount <= cap - so_far):
            return known
        capped_key = (*key, so_far)  # under the cap the answer depends on what the month already holds
        if capped_key in self.at_cap:
            return self.at_cap[capped_key]
        calc = calculate(scheme, attributes, month_total_so_far=so_far)
        result = (calc, breakdown_as_json(calc.breakdown))
        if so_far == ZERO and not any(step.get("rule") == "monthly_cap" for step in calc.breakdown):
            self.priced[key] = result  # what any claim with this much room under the cap gets
        else:
            self.at_cap[capped_key] = (
                result  # a lawyer at the cap stays there: the same answer again and again
            )
        return result


def _totals_so_far(
    unit: Unit, claims: Sequence[Mapping[str, Any]], schemes: dict[str, list[Scheme]]
) -> dict[tuple[str, str, date], Decimal]:
    """What each lawyer's month already holds, per kind, where some scheme of the kind caps it (else zero)."""
    capped = {kind for kind, known in schemes.items() if any(s.monthly_cap_per_lawyer for s in known)}
    if not capped:
        return defaultdict(lambda: ZERO)
    return _month_totals(unit, months={month_bounds(cl["service_date"])[0] for cl in claims}, kinds=capped)


def _claim_row(
    claim: Mapping[str, Any],
    priced: tuple[Calculation, list[Any]],
    *,
    documents: list[str] | None,
    submitted_by: str,
    now: datetime,
    claim_id: str,
) -> dict[str, Any]:
    """The claims table row of one priced, pending claim (`documents`: the stored list, None for none)."""
    calc, breakdown = priced
    return {
        "id": claim_id,
        "kind": claim["kind"],
        "case_no": claim["case_no"],
        "lawyer_id": claim["lawyer_id"],
        "region_code": claim["region_code"],
        "service_date": claim["service_date"],
        "attributes": dict(claim["attributes"]),
        "amount": calc.amount,
        "breakdown": breakdown,
        "scheme_id": calc.scheme_id,
        "document_no": calc.document_no,
        "status": ClaimStatus.PENDING.value,
        "submitted_by": submitted_by,
        "submitted_at": now,
        "reviewed_by": None,
        "reviewed_at": None,
        "reason": None,
        "budget_id": None,
        "batch_id": None,
        "paid_at": None,
        "assignment_id": None,
        "documents": documents,
    }


def _price_claims(
    unit: Unit,
    claims: Sequence[Mapping[str, Any]],
    *,
    documents: list[tuple[str, ...]],
    errors: _Errors,
    submitted_by: str,
) -> list[dict[str, Any]]:
    """The rows of the claims with nothing wrong so far, each priced after the ones before it in the same
    lawyer's month; a claim no scheme covers or no rate prices goes into `errors` instead."""
    bad = {i for i, _ in errors.found}  # not priced: what is wrong with them is already said
    schemes = {kind: schemes_of(unit, kind) for kind in {cl["kind"] for cl in claims}}
    pricer = _Pricer(schemes)
    totals = _totals_so_far(unit, claims, schemes)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    lists: dict[tuple[str, ...], list[str] | None] = {}
    ids = iter(new_ids(len(claims)))
    for i, claim in enumerate(claims):
        if i in bad:
            continue
        kind, day = claim["kind"], claim["service_date"]
        scheme = pricer.scheme_for(kind, claim["region_code"], day)
        if scheme is None:
            errors.add(
                i,
                "service_date",
                [f"no {kind} scheme in force on {day.isoformat()} covers region {claim['region_code']}"],
            )
            continue
        month_key = (claim["lawyer_id"], kind, day.replace(day=1))
        try:
            priced = pricer.calculation(scheme, claim["attributes"], totals[month_key])
        except NoMatchingRate as exc:
            errors.add(i, "attributes", [str(exc)])
            continue
        totals[month_key] += priced[0].amount
        names = documents[i]
        if names not in lists:  # claims with the same documents share one list (its JSON is written once)
            lists[names] = list(names) or None
        row = _claim_row(
            claim, priced, documents=lists[names], submitted_by=submitted_by, now=now, claim_id=next(ids)
        )
        rows.append(row)
    return rows


def _record_claims(unit: Unit, rows: list[dict[str, Any]], *, submitted_by: str, chunk: int) -> None:
    """Insert the rows in chunks, with their audit records and `subsidy.claim.created` events."""
    try:
        insert_as_core(unit.session.connection(), claims_table, rows, chunk=chunk)
    except IntegrityError:
        raise Conflict(
            "some of these cases already have a claim of their kind; nothing was recorded"
        ) from None
    audit.record_many(
        unit,
        [
            {
                "actor": submitted_by,
                "action": "claim.created",
                "entity": "claim",
                "entity_id": row["id"],
                "at": row["submitted_at"],
                "after": _stored_view(row),
            }
            for row in rows
        ],
        chunk=chunk,
        json_ready=True,
    )
    emit_many(unit, "subsidy.claim.created", [_event(row) for row in rows])


def submit_claims_in_bulk(
    unit: Unit,
    *,
    claims: Sequence[Mapping[str, Any]],
    submitted_by: str,
    chunk: int = CHUNK,
    labels: Sequence[str] | None = None,
    validate_only: bool = False,
) -> dict[str, Any]:
    """Price and record many case claims (each `{kind, lawyer_id, region_code, case_no, service_date,
    attributes, documents?}`) as submit_claim would, all or nothing; returns how many, their total and ids.

    Refused (Invalid, nothing stored) with every problem named by item (`labels[i]` when given, e.g. "row 5"):
    attributes, unknown lawyers, a case twice in the import or already claimed, a case nothing prices.
    `validate_only` checks everything and stops before anything is written (creating nothing)."""
    errors = _Errors(labels)
    documents = _check_items(unit, claims, errors)
    rows = _price_claims(unit, claims, documents=documents, errors=errors, submitted_by=submitted_by)
    errors.raise_if_any("claims")
    if validate_only:
        return {"created": 0, "total": ZERO, "ids": [], "amounts": []}
    _record_claims(unit, rows, submitted_by=submitted_by, chunk=chunk)
    return {
        "created": len(rows),
        "total": sum((row["amount"] for row in rows), ZERO),
        "ids": [row["id"] for row in rows],
        "amounts": [row["amount"] for row in rows],
    }
