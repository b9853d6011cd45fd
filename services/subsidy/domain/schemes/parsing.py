"""The contract's JSON body of a scheme (POST /api/subsidy/schemes) to a validated Scheme, every problem
named by field, and a Scheme back to that shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..money import ZERO, format_money, to_money
from .attributes import KINDS, AttrValue, Kind
from .model import Adjustment, Rate, Scheme, SchemeInvalid
from .validation import scheme_errors

_SCHEME_FIELDS = frozenset(
    {
        "kind",
        "name",
        "region_code",
        "effective_from",
        "effective_to",
        "rates",
        "adjustments",
        "monthly_cap_per_lawyer",
        "max_amount",
        "document_no",
        "required_documents",
        "requires_grade",
    }
)
_RATE_FIELDS = frozenset({"when", "amount"})
_ADJUSTMENT_FIELDS = frozenset({"when", "multiply", "add", "label"})
_INVALID: Any = object()  # stands in for a field that failed to parse; never leaves parse_scheme


def _parse_date(value: object) -> date:
    """An ISO date string or a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date like 2026-07-01")


def _parse_factor(value: object) -> Decimal:
    """A multiply factor from a string, int or Decimal (never a float)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        extra = '; write it as a string such as "1.20"' if isinstance(value, float) else ""
        raise ValueError(f"{value!r} is not a factor{extra}")
    try:
        factor = Decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:
        raise ValueError(f'{value!r} is not a factor such as "1.20"') from None
    if not factor.is_finite():
        raise ValueError(f"{value!r} is not a finite factor")
    return factor


def _item(key: str) -> str:
    """The item a field error belongs to: 'rates[0].amount' -> 'rates[0]'."""
    return key.split(".", 1)[0]


def parse_scheme(data: Mapping[str, Any], *, id: str) -> Scheme:
    """Build and validate a Scheme from the contract's JSON body, raising SchemeInvalid with every problem."""
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> Any:
        errors.setdefault(key, []).append(message)
        return _INVALID

    def conv(key: str, func: Any, value: Any) -> Any:
        try:
            return func(value)
        except ValueError as exc:
            return fail(key, str(exc))

    if not isinstance(data, Mapping):
        raise SchemeInvalid({"_schema": ["the scheme must be a JSON object"]})
    for key in sorted(set(data) - _SCHEME_FIELDS, key=str):
        fail(str(key), "unknown field")
    for key in ("kind", "name", "effective_from", "rates"):
        if key not in data:
            fail(key, "missing")

    # An unknown kind stays as written (a string) so the attribute checks that need no kind still run.
    kind = data.get("kind", "")
    if isinstance(kind, str) and kind in KINDS:
        kind = Kind(kind)
    else:
        if "kind" in data:
            fail("kind", f"must be one of {', '.join(sorted(KINDS))}")
        kind = kind if isinstance(kind, str) else ""
    effective_from = data.get("effective_from")
    effective_from = (
        conv("effective_from", _parse_date, effective_from) if "effective_from" in data else _INVALID
    )
    effective_to = data.get("effective_to")
    if effective_to is not None:
        effective_to = conv("effective_to", _parse_date, effective_to)

    def parse_when(where: str, item: Mapping[str, Any]) -> Any:
        when = item.get("when", {})
        if not isinstance(when, Mapping):
            return fail(where, "must be an object of attribute: value pairs")
        return when

    # A rate or adjustment that fails to parse keeps its place (as a harmless stand-in) so that
    # the indices in later messages still point at the item the user wrote.
    rates: list[Rate] = []
    raw_rates = data.get("rates", [])
    if not isinstance(raw_rates, list):
        fail("rates", "must be a list of {when, amount}")
        raw_rates = []
    for i, item in enumerate(raw_rates):
        if not isinstance(item, Mapping):
            fail(f"rates[{i}]", "must be an object {when, amount}")
            rates.append(Rate(when={}, amount=ZERO))
            continue
        for key in sorted(set(item) - _RATE_FIELDS, key=str):
            fail(f"rates[{i}].{key}", "unknown field")
        when = parse_when(f"rates[{i}].when", item)
        if "amount" in item:
            amount = conv(f"rates[{i}].amount", to_money, item["amount"])
        else:
            amount = fail(f"rates[{i}].amount", "missing")
        rates.append(
            Rate(when={} if when is _INVALID else when, amount=ZERO if amount is _INVALID else amount)
        )

    adjustments: list[Adjustment] = []
    raw_adjustments = data.get("adjustments") or []
    if not isinstance(raw_adjustments, list):
        fail("adjustments", "must be a list of {when, multiply?, add?}")
        raw_adjustments = []
    for i, item in enumerate(raw_adjustments):
        if not isinstance(item, Mapping):
            fail(f"adjustments[{i}]", "must be an object {when, multiply?, add?}")
            adjustments.append(Adjustment(when={}))
            continue
        for key in sorted(set(item) - _ADJUSTMENT_FIELDS, key=str):
            fail(f"adjustments[{i}].{key}", "unknown field")
        when = parse_when(f"adjustments[{i}].when", item)
        multiply = item.get("multiply")
        if multiply is not None:
            multiply = conv(f"adjustments[{i}].multiply", _parse_factor, multiply)
        add = item.get("add")
        if add is not None:
            add = conv(f"adjustments[{i}].add", to_money, add)
        adjustments.append(
            Adjustment(
                when={} if when is _INVALID else when,
                multiply=None if multiply is _INVALID else multiply,
                add=None if add is _INVALID else add,
                label=item.get("label"),
            )
        )

    caps: dict[str, Decimal | None] = {}
    for key in ("monthly_cap_per_lawyer", "max_amount"):
        value = data.get(key)
        parsed = None if value is None else conv(key, to_money, value)
        caps[key] = None if parsed is _INVALID else parsed

    required_documents = data.get("required_documents") or []
    if not isinstance(required_documents, list | tuple):
        required_documents = fail("required_documents", 'must be a list of document names, e.g. ["结案报告"]')
    requires_grade = data.get("requires_grade", False)
    if requires_grade is None:
        requires_grade = False
    if not isinstance(requires_grade, bool):
        requires_grade = fail("requires_grade", "must be true or false")

    scheme = Scheme(
        id=id,
        kind=kind,
        name=data.get("name", ""),
        region_code=data.get("region_code"),
        effective_from=effective_from if effective_from is not _INVALID else date.min,
        effective_to=effective_to if effective_to is not _INVALID else None,
        rates=tuple(rates),
        adjustments=tuple(adjustments),
        monthly_cap_per_lawyer=caps["monthly_cap_per_lawyer"],
        max_amount=caps["max_amount"],
        document_no=data.get("document_no"),
        required_documents=()
        if required_documents is _INVALID
        else tuple(d.strip() if isinstance(d, str) else d for d in required_documents),
        requires_grade=False if requires_grade is _INVALID else requires_grade,
    )
    parse_errors = set(errors)
    failed_items = {_item(k) for k in parse_errors}
    for key, messages in scheme_errors(scheme).items():
        # A field that failed to parse already says why; leave out knock-on complaints about stand-ins.
        if key in parse_errors or key in failed_items:
            continue
        if key == "rates" and any(k.startswith("rates[") for k in parse_errors):
            continue
        errors[key] = messages
    if errors:
        raise SchemeInvalid(errors)
    return scheme


def _when_as_json(when: Mapping[str, AttrValue]) -> dict[str, AttrValue]:
    """A plain dict copy of a `when` mapping."""
    return dict(when)


def scheme_as_json(scheme: Scheme) -> dict[str, Any]:
    """The scheme in the contract's JSON shape (money and factors as strings, dates ISO)."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else format_money(value)

    adjustments = []
    for adj in scheme.adjustments:
        item: dict[str, Any] = {"when": _when_as_json(adj.when)}
        if adj.multiply is not None:
            item["multiply"] = str(adj.multiply)
        if adj.add is not None:
            item["add"] = format_money(adj.add)
        if adj.label is not None:
            item["label"] = adj.label
        adjustments.append(item)
    return {
        "id": scheme.id,
        "kind": str(scheme.kind),
        "name": scheme.name,
        "region_code": scheme.region_code,
        "effective_from": scheme.effective_from.isoformat(),
        "effective_to": None if scheme.effective_to is None else scheme.effective_to.isoformat(),
        "rates": [{"when": _when_as_json(r.when), "amount": format_money(r.amount)} for r in scheme.rates],
        "adjustments": adjustments,
        "monthly_cap_per_lawyer": money(scheme.monthly_cap_per_lawyer),
        "max_amount": money(scheme.max_amount),
        "document_no": scheme.document_no,
        "required_documents": list(scheme.required_documents),
        "requires_grade": scheme.requires_grade,
    }
