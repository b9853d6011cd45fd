"""The rules a scheme keeps: known attributes and values for its kind, amounts of yuan, factors in range,
caps, and no two equally specific rates that both match some claim (a tie nothing settles)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from itertools import combinations

from ..money import CENT, ZERO
from ..regions import validate_region
from .attributes import ATTRIBUTES, KINDS, AttrValue, describe_attributes, normalise_value
from .model import Adjustment, Rate, Scheme, SchemeInvalid

MAX_MULTIPLY = Decimal(10)
_ATTR_NAME = re.compile(r"[a-z][a-z0-9_]*")


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


_Errors = dict[str, list[str]]


def _add(errors: _Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _is_date(value: object) -> bool:
    """A date and not a datetime."""
    return isinstance(value, date) and not isinstance(value, datetime)


def _identity_errors(scheme: Scheme, errors: _Errors) -> None:
    """Kind, name and region."""
    if scheme.kind not in KINDS:
        _add(errors, "kind", f"must be one of {', '.join(sorted(KINDS))}")
    if not isinstance(scheme.name, str) or not scheme.name.strip():
        _add(errors, "name", "a scheme needs a name")
    if scheme.region_code is not None:
        try:
            validate_region(scheme.region_code)
        except ValueError as exc:
            _add(errors, "region_code", str(exc))


def _period_errors(scheme: Scheme, errors: _Errors) -> None:
    """effective_from and effective_to, and their order."""
    if not _is_date(scheme.effective_from):
        _add(errors, "effective_from", "must be a date")
    if scheme.effective_to is None:
        return
    if not _is_date(scheme.effective_to):
        _add(errors, "effective_to", "must be a date or null (open-ended)")
    elif isinstance(scheme.effective_from, date) and scheme.effective_to < scheme.effective_from:
        _add(errors, "effective_to", "must not be before effective_from")


def _rate_errors(scheme: Scheme, errors: _Errors) -> None:
    """Each rate (its conditions and amount), then ties between the readable ones."""
    if not isinstance(scheme.rates, tuple) or not scheme.rates:
        _add(errors, "rates", "a scheme needs at least one rate")
        return
    unreadable = set()
    for i, rate in enumerate(scheme.rates):
        if not isinstance(rate, Rate):
            _add(errors, f"rates[{i}]", "must be a rate {when, amount}")
            unreadable.add(i)
            continue
        if _when_errors(when=rate.when, kind=scheme.kind, where=f"rates[{i}].when", errors=errors):
            unreadable.add(i)
        if not _is_money(rate.amount):
            _add(
                errors,
                f"rates[{i}].amount",
                "must be an amount of yuan, not negative, with at most two decimals",
            )
    if len(unreadable) < len(scheme.rates) and all(isinstance(r, Rate) for r in scheme.rates):
        for message in _tie_errors(rates=scheme.rates, skip=frozenset(unreadable)):
            _add(errors, "rates", message)


def _is_factor(value: object) -> bool:
    """A finite Decimal from 0 to MAX_MULTIPLY."""
    return isinstance(value, Decimal) and value.is_finite() and ZERO <= value <= MAX_MULTIPLY


def _adjustment_errors(*, adj: object, kind: str, where: str, errors: _Errors) -> None:
    """One adjustment: its conditions, a multiply or an add in range, its label."""
    if not isinstance(adj, Adjustment):
        _add(errors, where, "must be an adjustment {when, multiply?, add?}")
        return
    _when_errors(when=adj.when, kind=kind, where=f"{where}.when", errors=errors)
    if adj.multiply is None and adj.add is None:
        _add(errors, where, 'needs a multiply (e.g. "1.20") or an add (e.g. "100.00")')
    if adj.multiply is not None and not _is_factor(adj.multiply):
        _add(
            errors,
            f"{where}.multiply",
            f'must be a factor from 0 (pays nothing, e.g. a failed file) to {MAX_MULTIPLY}, e.g. "1.20"',
        )
    if adj.add is not None and not _is_money(adj.add, allow_negative=True):
        _add(errors, f"{where}.add", "must be an amount of yuan with at most two decimals")
    if adj.label is not None and (not isinstance(adj.label, str) or not adj.label.strip()):
        _add(errors, f"{where}.label", "must be text when given")


def _adjustments_errors(scheme: Scheme, errors: _Errors) -> None:
    """The list of adjustments, then each one."""
    if not isinstance(scheme.adjustments, tuple):
        _add(errors, "adjustments", "must be a list")
        return
    for i, adj in enumerate(scheme.adjustments):
        _adjustment_errors(adj=adj, kind=scheme.kind, where=f"adjustments[{i}]", errors=errors)


def _cap_errors(scheme: Scheme, errors: _Errors) -> None:
    """The monthly cap per lawyer and the maximum per claim: positive amounts, or null."""
    for name in ("monthly_cap_per_lawyer", "max_amount"):
        value = getattr(scheme, name)
        if value is not None and not (_is_money(value) and value > 0):
            _add(errors, name, "must be a positive amount of yuan with at most two decimals, or null")


def _documents_and_grading_errors(scheme: Scheme, errors: _Errors) -> None:
    """The policy document's number, the documents a claim's file needs, whether it needs a grade."""
    if scheme.document_no is not None and (
        not isinstance(scheme.document_no, str) or not scheme.document_no.strip()
    ):
        _add(
            errors, "document_no", "must be the policy document's number, e.g. 伊州司发〔2025〕12号, or null"
        )
    for message in document_list_errors(scheme.required_documents):
        _add(errors, "required_documents", message)
    if not isinstance(scheme.requires_grade, bool):
        _add(errors, "requires_grade", "must be true or false")


def scheme_errors(scheme: Scheme) -> dict[str, list[str]]:
    """Every rule the scheme breaks, by field (empty when valid)."""
    errors: _Errors = {}
    _identity_errors(scheme, errors)
    _period_errors(scheme, errors)
    _rate_errors(scheme, errors)
    _adjustments_errors(scheme, errors)
    _cap_errors(scheme, errors)
    _documents_and_grading_errors(scheme, errors)
    return errors


MAX_DOCUMENTS = 50
MAX_DOCUMENT_NAME = 100


def document_list_errors(documents: object) -> list[str]:
    """What is wrong with a list of document names (a scheme's required ones or a claim's file)."""
    if not isinstance(documents, tuple | list):
        return ["must be a list of document names"]
    messages = []
    if len(documents) > MAX_DOCUMENTS:
        messages.append(f"at most {MAX_DOCUMENTS} documents")
    seen: set[str] = set()
    for i, name in enumerate(documents):
        if not isinstance(name, str) or not name.strip():
            messages.append(f"item {i}: a document is named by non-blank text, e.g. 结案报告")
            continue
        if len(name.strip()) > MAX_DOCUMENT_NAME:
            messages.append(f"item {i}: at most {MAX_DOCUMENT_NAME} characters")
        key = name.strip().casefold()
        if key in seen:
            messages.append(f"item {i}: {name.strip()} is listed twice")
        seen.add(key)
    return messages


def validate_scheme(scheme: Scheme) -> Scheme:
    """Return the scheme when it keeps every rule, else raise SchemeInvalid listing all problems."""
    errors = scheme_errors(scheme)
    if errors:
        raise SchemeInvalid(errors)
    return scheme
