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
_INVALID: Any = object()  # stands in for a field that failed to parse; never leaves this module


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


class _Problems:
    """The parse errors found so far, by field, in the order found."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, key: str, message: str) -> Any:
        """Note a problem with `key`; returns the stand-in for the field that failed."""
        self.errors.setdefault(key, []).append(message)
        return _INVALID

    def conv(self, key: str, func: Any, value: Any) -> Any:
        """`func(value)`, or the stand-in (with the problem noted) when it raises ValueError."""
        try:
            return func(value)
        except ValueError as exc:
            return self.fail(key, str(exc))


def _check_fields(data: Mapping[str, Any], problems: _Problems) -> None:
    """Unknown fields of the body, then the required ones it lacks."""
    for key in sorted(set(data) - _SCHEME_FIELDS, key=str):
        problems.fail(str(key), "unknown field")
    for key in ("kind", "name", "effective_from", "rates"):
        if key not in data:
            problems.fail(key, "missing")


def _parse_kind(data: Mapping[str, Any], problems: _Problems) -> Any:
    """The scheme's Kind; an unknown kind stays as written (a string, hence Any) so the attribute checks
    that need no kind still run."""
    kind = data.get("kind", "")
    if isinstance(kind, str) and kind in KINDS:
        return Kind(kind)
    if "kind" in data:
        problems.fail("kind", f"must be one of {', '.join(sorted(KINDS))}")
    return kind if isinstance(kind, str) else ""


def _parse_period(data: Mapping[str, Any], problems: _Problems) -> tuple[date, date | None]:
    """effective_from and effective_to (date.min and None stand in for ones that fail to parse)."""
    effective_from = (
        problems.conv("effective_from", _parse_date, data.get("effective_from"))
        if "effective_from" in data
        else _INVALID
    )
    effective_to = data.get("effective_to")
    if effective_to is not None:
        effective_to = problems.conv("effective_to", _parse_date, effective_to)
    return (
        date.min if effective_from is _INVALID else effective_from,
        None if effective_to is _INVALID else effective_to,
    )


def _parse_when(where: str, item: Mapping[str, Any], problems: _Problems) -> Mapping[str, Any]:
    """An item's `when` mapping ({} stands in for one that is not an object)."""
    when = item.get("when", {})
    if not isinstance(when, Mapping):
        problems.fail(where, "must be an object of attribute: value pairs")
        return {}
    return when


def _parse_rate(where: str, item: object, problems: _Problems) -> Rate:
    """One rate; a rate that fails to parse becomes a harmless stand-in that keeps its place."""
    if not isinstance(item, Mapping):
        problems.fail(where, "must be an object {when, amount}")
        return Rate(when={}, amount=ZERO)
    for key in sorted(set(item) - _RATE_FIELDS, key=str):
        problems.fail(f"{where}.{key}", "unknown field")
    when = _parse_when(f"{where}.when", item, problems)
    if "amount" in item:
        amount = problems.conv(f"{where}.amount", to_money, item["amount"])
    else:
        amount = problems.fail(f"{where}.amount", "missing")
    return Rate(when=when, amount=ZERO if amount is _INVALID else amount)


def _parse_adjustment(where: str, item: object, problems: _Problems) -> Adjustment:
    """One adjustment; one that fails to parse becomes a harmless stand-in that keeps its place."""
    if not isinstance(item, Mapping):
        problems.fail(where, "must be an object {when, multiply?, add?}")
        return Adjustment(when={})
    for key in sorted(set(item) - _ADJUSTMENT_FIELDS, key=str):
        problems.fail(f"{where}.{key}", "unknown field")
    when = _parse_when(f"{where}.when", item, problems)
    multiply = item.get("multiply")
    if multiply is not None:
        multiply = problems.conv(f"{where}.multiply", _parse_factor, multiply)
    add = item.get("add")
    if add is not None:
        add = problems.conv(f"{where}.add", to_money, add)
    return Adjustment(
        when=when,
        multiply=None if multiply is _INVALID else multiply,
        add=None if add is _INVALID else add,
        label=item.get("label"),
    )


def _parse_rates(data: Mapping[str, Any], problems: _Problems) -> tuple[Rate, ...]:
    """The rates; one that fails to parse keeps its place (as a harmless stand-in) so that the indices in
    later messages still point at the item the user wrote."""
    raw = data.get("rates", [])
    if not isinstance(raw, list):
        problems.fail("rates", "must be a list of {when, amount}")
        return ()
    return tuple(_parse_rate(f"rates[{i}]", item, problems) for i, item in enumerate(raw))


def _parse_adjustments(data: Mapping[str, Any], problems: _Problems) -> tuple[Adjustment, ...]:
    """The adjustments, each in its place (as the rates are)."""
    raw = data.get("adjustments") or []
    if not isinstance(raw, list):
        problems.fail("adjustments", "must be a list of {when, multiply?, add?}")
        return ()
    return tuple(_parse_adjustment(f"adjustments[{i}]", item, problems) for i, item in enumerate(raw))


def _parse_caps(data: Mapping[str, Any], problems: _Problems) -> dict[str, Decimal | None]:
    """monthly_cap_per_lawyer and max_amount (None for absent or unreadable)."""
    caps: dict[str, Decimal | None] = {}
    for key in ("monthly_cap_per_lawyer", "max_amount"):
        value = data.get(key)
        parsed = None if value is None else problems.conv(key, to_money, value)
        caps[key] = None if parsed is _INVALID else parsed
    return caps


def _parse_required_documents(data: Mapping[str, Any], problems: _Problems) -> tuple[Any, ...]:
    """The names of the documents a claim's file needs, stripped (validation checks them further)."""
    documents = data.get("required_documents") or []
    if not isinstance(documents, list | tuple):
        problems.fail("required_documents", 'must be a list of document names, e.g. ["结案报告"]')
        return ()
    return tuple(d.strip() if isinstance(d, str) else d for d in documents)


def _parse_requires_grade(data: Mapping[str, Any], problems: _Problems) -> bool:
    """Whether a claim needs its file graded first (null means no)."""
    requires_grade = data.get("requires_grade", False)
    if requires_grade is None:
        return False
    if not isinstance(requires_grade, bool):
        problems.fail("requires_grade", "must be true or false")
        return False
    return requires_grade


def _merge_rule_errors(errors: dict[str, list[str]], scheme: Scheme) -> None:
    """Add the rules the parsed scheme breaks to the parse errors, leaving out knock-on complaints about
    stand-ins: a field that failed to parse already says why."""
    parse_errors = set(errors)
    failed_items = {_item(k) for k in parse_errors}
    for key, messages in scheme_errors(scheme).items():
        if key in parse_errors or key in failed_items:
            continue
        if key == "rates" and any(k.startswith("rates[") for k in parse_errors):
            continue
        errors[key] = messages


def parse_scheme(data: Mapping[str, Any], *, id: str) -> Scheme:
    """Build and validate a Scheme from the contract's JSON body, raising SchemeInvalid with every problem."""
    if not isinstance(data, Mapping):
        raise SchemeInvalid({"_schema": ["the scheme must be a JSON object"]})
    problems = _Problems()
    _check_fields(data, problems)
    kind = _parse_kind(data, problems)
    effective_from, effective_to = _parse_period(data, problems)
    rates = _parse_rates(data, problems)
    adjustments = _parse_adjustments(data, problems)
    caps = _parse_caps(data, problems)
    scheme = Scheme(
        id=id,
        kind=kind,
        name=data.get("name", ""),
        region_code=data.get("region_code"),
        effective_from=effective_from,
        effective_to=effective_to,
        rates=rates,
        adjustments=adjustments,
        monthly_cap_per_lawyer=caps["monthly_cap_per_lawyer"],
        max_amount=caps["max_amount"],
        document_no=data.get("document_no"),
        required_documents=_parse_required_documents(data, problems),
        requires_grade=_parse_requires_grade(data, problems),
    )
    _merge_rule_errors(problems.errors, scheme)
    if problems.errors:
        raise SchemeInvalid(problems.errors)
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
