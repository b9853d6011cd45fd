"""Subsidy schemes: effective-dated rate tables kept as data, and the calculation of one claim under one.

A scheme is what a policy document (e.g. 伊州司发〔2025〕12号) sets: base rates matched on a
claim's attributes (the matching rate with the most conditions wins), adjustments (every
matching multiply in order, then every matching add in order), a cap per claim
(`max_amount`) and a cap per lawyer and month (`monthly_cap_per_lawyer`). Intermediate
values are exact Decimals; the result is rounded half-up to 0.01 once, by `money.to_money`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum
from functools import cached_property
from itertools import combinations
from types import MappingProxyType
from typing import Any

from .errors import DomainError
from .money import CENT, ZERO, format_money, to_money
from .regions import covers, specificity, validate_region

AttrValue = str | bool | int


class Kind(StrEnum):
    """The three programmes that pay lawyers."""

    MEDIATION_CASE = "mediation_case"
    LEGAL_AID_CASE = "legal_aid_case"
    STATION_DUTY = "station_duty"


KINDS: frozenset[str] = frozenset(k.value for k in Kind)

_BOOL = ("true", "false")

# What each kind's claims carry. A tuple lists the only values that make sense (checked in
# rate tables, so a typo such as "dificult" is refused instead of silently never matching);
# None marks an open list (case types and stages vary between provinces' standards).
ATTRIBUTES: Mapping[str, Mapping[str, tuple[str, ...] | None]] = MappingProxyType(
    {
        Kind.MEDIATION_CASE: MappingProxyType(
            {"difficulty": ("simple", "ordinary", "difficult", "major"), "agreement": _BOOL}
        ),
        Kind.LEGAL_AID_CASE: MappingProxyType(
            {
                "case_type": None,
                "stage": None,
                "remote_area": _BOOL,
                "language": None,
                "jurisdiction": ("same_county", "cross_county", "cross_city"),
            }
        ),
        Kind.STATION_DUTY: MappingProxyType(
            {
                "station_level": ("prefecture", "county", "township", "village", "hotline"),
                "length": ("half_day", "full_day"),
                "holiday": _BOOL,
            }
        ),
    }
)
# What a claim of each kind must say before it can be priced.
REQUIRED_ATTRIBUTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        Kind.MEDIATION_CASE: ("difficulty",),
        Kind.LEGAL_AID_CASE: ("case_type", "stage"),
        Kind.STATION_DUTY: ("station_level", "length", "holiday"),
    }
)

HALF_DAY = "half_day"
FULL_DAY = "full_day"
HALF_DAY_AT_MOST = timedelta(hours=4)
MAX_MULTIPLY = Decimal(10)
_ATTR_NAME = re.compile(r"[a-z][a-z0-9_]*")


class SchemeInvalid(DomainError):
    """A scheme (or a draft of one) breaks the rules; `errors` maps each field to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class NoMatchingRate(DomainError):
    """No rate of the scheme matches the claim's attributes."""

    def __init__(self, attributes: Mapping[str, Any], kind: str, scheme_id: str | None = None) -> None:
        self.attributes = dict(attributes)
        self.kind = str(kind)
        self.scheme_id = scheme_id
        described = describe_attributes(attributes=attributes) or "no attributes"
        where = f" in scheme {scheme_id}" if scheme_id else ""
        super().__init__(f"no {self.kind} rate{where} matches {described}")

    @property
    def errors(self) -> dict[str, list[str]]:
        """The problem as field errors, for a 422 response."""
        return {"attributes": [str(self)]}


def normalise_value(value: object) -> str:
    """Compare attribute values sensibly: True, "true" and " TRUE " are all "true"; strings ignore case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, float):
        raise ValueError(f"attribute value {value!r} is a float; send a string, a whole number or a boolean")
    raise ValueError(f"attribute value {value!r} must be a string, a whole number or a boolean")


def _show(value: object) -> str:
    """One attribute value as a finance officer reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_attributes(*, attributes: Mapping[str, Any]) -> str:
    """Attributes as 'case_type=criminal, stage=appeal', in the order given."""
    return ", ".join(f"{k}={_show(v)}" for k, v in attributes.items() if v is not None)


def _frozen_when(when: Any) -> Any:
    """A read-only copy of a `when` mapping (left as is when it is not a mapping, for validation to report)."""
    return MappingProxyType(dict(when)) if isinstance(when, Mapping) else when


@dataclass(frozen=True)
class Rate:
    """A base amount paid when every `when` pair equals the claim's attribute."""

    when: Mapping[str, AttrValue]
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _frozen_when(self.when))

    @cached_property
    def _normalised(self) -> dict[str, str]:
        return {k: normalise_value(v) for k, v in self.when.items()}

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether every condition holds for already-normalised claim attributes."""
        return all(attributes.get(k) == v for k, v in self._normalised.items())


@dataclass(frozen=True)
class Adjustment:
    """An uplift applied when every `when` pair matches: `multiply` first (in order), then `add`."""

    when: Mapping[str, AttrValue]
    multiply: Decimal | None = None
    add: Decimal | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _frozen_when(self.when))

    @cached_property
    def _normalised(self) -> dict[str, str]:
        return {k: normalise_value(v) for k, v in self.when.items()}

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether every condition holds for already-normalised claim attributes."""
        return all(attributes.get(k) == v for k, v in self._normalised.items())

    @property
    def title(self) -> str:
        """The adjustment's name in a breakdown: its label, or its conditions."""
        if self.label:
            return self.label
        return describe_attributes(attributes=self.when) or "every claim"


@dataclass(frozen=True)
class Scheme:
    """One standard (rate table) of one kind for one region, in force from `effective_from` to `effective_to` inclusive."""

    id: str
    kind: Kind
    name: str
    region_code: str | None
    effective_from: date
    effective_to: date | None = None
    rates: tuple[Rate, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    monthly_cap_per_lawyer: Decimal | None = None
    max_amount: Decimal | None = None
    document_no: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.rates, list):
            object.__setattr__(self, "rates", tuple(self.rates))
        if isinstance(self.adjustments, list):
            object.__setattr__(self, "adjustments", tuple(self.adjustments))

    def in_force_on(self, day: date) -> bool:
        """Whether the scheme applies to a claim served on `day`."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Calculation:
    """What a claim is paid and why, step by step."""

    amount: Decimal
    breakdown: list[dict[str, Any]]
    scheme_id: str
    document_no: str | None


# ---------------------------------------------------------------------------------------------
# Validation


def _is_money(value: object, *, allow_negative: bool = False) -> bool:
    """A finite Decimal with at most two places (and not negative unless allowed)."""
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and value == value.quantize(CENT)
        and (allow_negative or value >= 0)
        and abs(value) < Decimal("1000000000000")
    )


def _when_errors(*, when: object, kind: str, where: str, errors: dict[str, list[str]]) -> bool:
    """Check one `when` mapping (attribute names, value types, known values for the kind); True if it has errors."""
    if not isinstance(when, Mapping):
        errors.setdefault(where, []).append("must be an object of attribute: value pairs")
        return True
    before = len(errors.get(where, []))
    known = ATTRIBUTES.get(kind, {})
    for key, value in when.items():
        if not isinstance(key, str) or not _ATTR_NAME.fullmatch(key):
            errors.setdefault(where, []).append(f"attribute name {key!r} must be lower_snake_case")
            continue
        try:
            norm = normalise_value(value)
        except ValueError as exc:
            errors.setdefault(where, []).append(f"{key}: {exc}")
            continue
        allowed = known.get(key)
        if allowed is not None and norm not in allowed:
            errors.setdefault(where, []).append(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return len(errors.get(where, [])) > before


def _pairs(when: Mapping[str, AttrValue]) -> frozenset[tuple[str, str]]:
    """A `when` mapping as a set of normalised (attribute, value) pairs."""
    return frozenset((k, normalise_value(v)) for k, v in when.items())


def _tie_errors(*, rates: tuple[Rate, ...], skip: frozenset[int] = frozenset()) -> list[str]:
    """Pairs of rates with equally many conditions that some claim matches with nothing more specific to settle it.

    Two such rates can both match a claim when they disagree on no attribute they share; the
    smallest such claim carries exactly the union of their conditions. If a rate with more
    conditions matches that claim, it matches every claim both match and wins; otherwise that
    claim is a tie. `skip` lists unreadable rates left out of the check.
    """
    readable = [(i, rate, _pairs(rate.when)) for i, rate in enumerate(rates) if i not in skip]
    messages = []
    for (i, first, a), (j, second, b) in combinations(readable, 2):
        if len(a) != len(b):
            continue
        claim = a | b
        if len({key for key, _ in claim}) != len(claim):
            continue  # they disagree on a shared attribute: no claim matches both
        if any(len(p) > len(a) and p <= claim for _, _, p in readable):
            continue  # a more specific rate wins wherever both match
        witness = ", ".join(f"{k}={v}" for k, v in sorted(claim)) or "no attributes"
        messages.append(
            f"rates[{i}] ({describe_attributes(attributes=first.when) or 'any claim'}) and "
            f"rates[{j}] ({describe_attributes(attributes=second.when) or 'any claim'}) both match a claim "
            f"with {witness}, each with {len(a)} condition(s); add a condition to one of them, "
            "or a rate for that combination"
        )
    return messages


def scheme_errors(scheme: Scheme) -> dict[str, list[str]]:
    """Every rule the scheme breaks, by field (empty when valid)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if scheme.kind not in KINDS:
        add("kind", f"must be one of {', '.join(sorted(KINDS))}")
    if not isinstance(scheme.name, str) or not scheme.name.strip():
        add("name", "a scheme needs a name")
    if scheme.region_code is not None:
        try:
            validate_region(scheme.region_code)
        except ValueError as exc:
            add("region_code", str(exc))
    if not isinstance(scheme.effective_from, date) or isinstance(scheme.effective_from, datetime):
        add("effective_from", "must be a date")
    if scheme.effective_to is not None:
        if not isinstance(scheme.effective_to, date) or isinstance(scheme.effective_to, datetime):
            add("effective_to", "must be a date or null (open-ended)")
        elif isinstance(scheme.effective_from, date) and scheme.effective_to < scheme.effective_from:
            add("effective_to", "must not be before effective_from")

    if not isinstance(scheme.rates, tuple) or not scheme.rates:
        add("rates", "a scheme needs at least one rate")
    else:
        unreadable = set()
        for i, rate in enumerate(scheme.rates):
            if not isinstance(rate, Rate):
                add(f"rates[{i}]", "must be a rate {when, amount}")
                unreadable.add(i)
                continue
            if _when_errors(when=rate.when, kind=scheme.kind, where=f"rates[{i}].when", errors=errors):
                unreadable.add(i)
            if not _is_money(rate.amount):
                add(
                    f"rates[{i}].amount", "must be an amount of yuan, not negative, with at most two decimals"
                )
        if len(unreadable) < len(scheme.rates) and all(isinstance(r, Rate) for r in scheme.rates):
            for message in _tie_errors(rates=scheme.rates, skip=frozenset(unreadable)):
                add("rates", message)

    if not isinstance(scheme.adjustments, tuple):
        add("adjustments", "must be a list")
    else:
        for i, adj in enumerate(scheme.adjustments):
            if not isinstance(adj, Adjustment):
                add(f"adjustments[{i}]", "must be an adjustment {when, multiply?, add?}")
                continue
            _when_errors(when=adj.when, kind=scheme.kind, where=f"adjustments[{i}].when", errors=errors)
            if adj.multiply is None and adj.add is None:
                add(f"adjustments[{i}]", 'needs a multiply (e.g. "1.20") or an add (e.g. "100.00")')
            if adj.multiply is not None and not (
                isinstance(adj.multiply, Decimal)
                and adj.multiply.is_finite()
                and ZERO < adj.multiply <= MAX_MULTIPLY
            ):
                add(
                    f"adjustments[{i}].multiply",
                    f'must be a factor above 0 and at most {MAX_MULTIPLY}, e.g. "1.20"',
                )
            if adj.add is not None and not _is_money(adj.add, allow_negative=True):
                add(f"adjustments[{i}].add", "must be an amount of yuan with at most two decimals")
            if adj.label is not None and (not isinstance(adj.label, str) or not adj.label.strip()):
                add(f"adjustments[{i}].label", "must be text when given")

    for name in ("monthly_cap_per_lawyer", "max_amount"):
        value = getattr(scheme, name)
        if value is not None and not (_is_money(value) and value > 0):
            add(name, "must be a positive amount of yuan with at most two decimals, or null")
    if scheme.document_no is not None and (
        not isinstance(scheme.document_no, str) or not scheme.document_no.strip()
    ):
        add("document_no", "must be the policy document's number, e.g. 伊州司发〔2025〕12号, or null")
    return errors


def validate_scheme(scheme: Scheme) -> Scheme:
    """Return the scheme when it keeps every rule, else raise SchemeInvalid listing all problems."""
    errors = scheme_errors(scheme)
    if errors:
        raise SchemeInvalid(errors)
    return scheme


# ---------------------------------------------------------------------------------------------
# Parsing the contract's body (POST /api/subsidy/schemes) and back


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
    }


# ---------------------------------------------------------------------------------------------
# Which scheme applies


def overlaps(a: Scheme, b: Scheme) -> bool:
    """Whether two schemes would both be in force for one kind and region on some day (the 409 rule)."""
    if a.kind != b.kind or a.region_code != b.region_code:
        return False
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def find_overlap(scheme: Scheme, existing: Iterable[Scheme]) -> Scheme | None:
    """The first other scheme (by id) that the new one overlaps, if any."""
    return next((s for s in existing if s.id != scheme.id and overlaps(scheme, s)), None)


def select_scheme(
    schemes: Iterable[Scheme], *, kind: str, region_code: str, service_date: date
) -> Scheme | None:
    """The scheme of `kind` in force on `service_date` whose region covers the claim's, most specific region first."""
    validate_region(region_code)
    candidates = [
        s
        for s in schemes
        if s.kind == kind and s.in_force_on(service_date) and covers(s.region_code, region_code)
    ]
    if not candidates:
        return None
    # Overlaps are refused at creation; should two still qualify, prefer the later standard.
    return max(candidates, key=lambda s: (specificity(s.region_code), s.effective_from, s.id))


# ---------------------------------------------------------------------------------------------
# Calculation


def _normalised_attributes(attributes: Mapping[str, Any], *, wanted: set[str]) -> dict[str, str]:
    """The claim's attributes that some condition names, normalised for comparison; None counts as absent."""
    result = {}
    for key in wanted:
        value = attributes.get(key)
        if value is None:
            continue
        try:
            result[key] = normalise_value(value)
        except ValueError as exc:
            raise ValueError(f"attribute {key}: {exc}") from None
    return result


def calculate(
    scheme: Scheme, attributes: Mapping[str, Any], *, month_total_so_far: Decimal = ZERO
) -> Calculation:
    """Price one claim under one scheme: most specific rate, multiplies, adds, caps, one half-up rounding."""
    so_far = to_money(month_total_so_far)
    if so_far < 0:
        raise ValueError("month_total_so_far cannot be negative")
    wanted = {k for r in scheme.rates for k in r.when} | {k for a in scheme.adjustments for k in a.when}
    attrs = _normalised_attributes(attributes, wanted=wanted)

    best: Rate | None = None
    best_at = tied_at = -1
    for at, rate in enumerate(scheme.rates):
        if not rate.matches(attrs):
            continue
        if best is None or len(rate.when) > len(best.when):
            best, best_at, tied_at = rate, at, -1
        elif len(rate.when) == len(best.when):
            tied_at = at
    if best is None:
        raise NoMatchingRate(attributes, scheme.kind, scheme.id)
    if tied_at >= 0:  # second line of defence: validate_scheme refuses such tables at creation
        raise SchemeInvalid(
            {
                "rates": [
                    f"rates[{best_at}] and rates[{tied_at}] of scheme {scheme.id} both match "
                    f"{describe_attributes(attributes=attributes) or 'the claim'} with "
                    f"{len(best.when)} condition(s) each"
                ]
            }
        )

    steps: list[dict[str, Any]] = []
    with localcontext() as ctx:
        ctx.prec = 100  # exact for any sane table; rounding happens once, below
        amount = best.amount
        steps.append(
            {
                "step": f"base rate: {describe_attributes(attributes=best.when) or 'any claim'}",
                "amount": amount,
                "rule": "rate",
                "when": dict(best.when),
            }
        )
        matching = [a for a in scheme.adjustments if a.matches(attrs)]
        for adj in matching:
            if adj.multiply is not None:
                amount = amount * adj.multiply
                steps.append(
                    {
                        "step": f"{adj.title} ×{adj.multiply}",
                        "amount": amount,
                        "rule": "multiply",
                        "factor": adj.multiply,
                    }
                )
        for adj in matching:
            if adj.add is not None:
                amount = amount + adj.add
                sign = "+" if adj.add >= 0 else "−"
                steps.append(
                    {
                        "step": f"{adj.title} {sign}{format_money(abs(adj.add))}",
                        "amount": amount,
                        "rule": "add",
                        "add": adj.add,
                    }
                )
        if amount < 0:
            amount = ZERO
            steps.append({"step": "not below zero", "amount": amount, "rule": "floor"})
        if scheme.max_amount is not None and amount > scheme.max_amount:
            amount = scheme.max_amount
            steps.append(
                {
                    "step": f"capped at scheme maximum {format_money(scheme.max_amount)}",
                    "amount": amount,
                    "rule": "max_amount",
                    "limit": scheme.max_amount,
                }
            )
        cap = scheme.monthly_cap_per_lawyer
        if cap is not None:
            left = max(cap - so_far, ZERO)
            if amount > left:
                amount = left
                steps.append(
                    {
                        "step": f"capped by monthly limit per lawyer ({format_money(cap)}, "
                        f"{format_money(so_far)} already this month)",
                        "amount": amount,
                        "rule": "monthly_cap",
                        "limit": cap,
                        "already": so_far,
                    }
                )
    final = to_money(amount)
    if final != amount:
        steps.append({"step": "rounded half-up", "amount": final, "rule": "rounding"})
    return Calculation(amount=final, breakdown=steps, scheme_id=scheme.id, document_no=scheme.document_no)


def breakdown_as_json(breakdown: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A breakdown with money as two-place strings (plus `exact` where an intermediate has more places)."""
    result = []
    for step in breakdown:
        item: dict[str, Any] = {}
        for key, value in step.items():
            if key == "factor":
                item[key] = str(value)
            elif isinstance(value, Decimal):
                item[key] = format_money(value)
                if key == "amount" and value != to_money(value):
                    item["exact"] = f"{value:f}"
            else:
                item[key] = value
        result.append(item)
    return result


def validate_attributes(*, kind: str, attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors for a claim's attributes (missing required ones, values outside a closed list)."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        return {"kind": [f"must be one of {', '.join(sorted(KINDS))}"]}
    if not isinstance(attributes, Mapping):
        return {"attributes": ["must be an object"]}
    for key in REQUIRED_ATTRIBUTES[kind]:
        if attributes.get(key) is None:
            errors.setdefault(f"attributes.{key}", []).append("missing")
    for key, allowed in ATTRIBUTES[kind].items():
        value = attributes.get(key)
        if value is None:
            continue
        try:
            norm = normalise_value(value)
        except ValueError as exc:
            errors.setdefault(f"attributes.{key}", []).append(str(exc))
            continue
        if allowed is not None and norm not in allowed:
            errors.setdefault(f"attributes.{key}", []).append(f"must be one of {', '.join(allowed)}")
    return errors


def _as_time(value: time | str) -> time:
    """A time of day from a time or 'HH:MM'."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time like 09:30")


def duty_length(start_time: time | str, end_time: time | str) -> str:
    """'half_day' when the duty is scheduled for up to four hours, else 'full_day' (an end before the start runs past midnight)."""
    start, end = _as_time(start_time), _as_time(end_time)
    begin = datetime.combine(date.min, start)
    finish = datetime.combine(date.min, end)
    if finish == begin:
        raise ValueError("a duty cannot end when it starts")
    if finish < begin:
        finish += timedelta(days=1)
    return HALF_DAY if finish - begin <= HALF_DAY_AT_MOST else FULL_DAY


__all__ = [
    "ATTRIBUTES",
    "FULL_DAY",
    "HALF_DAY",
    "KINDS",
    "REQUIRED_ATTRIBUTES",
    "Adjustment",
    "Calculation",
    "Kind",
    "NoMatchingRate",
    "Rate",
    "Scheme",
    "SchemeInvalid",
    "breakdown_as_json",
    "calculate",
    "describe_attributes",
    "duty_length",
    "find_overlap",
    "normalise_value",
    "overlaps",
    "parse_scheme",
    "scheme_as_json",
    "scheme_errors",
    "select_scheme",
    "validate_attributes",
    "validate_scheme",
]
