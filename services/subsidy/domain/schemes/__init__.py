"""Subsidy schemes: effective-dated rate tables kept as data, and the calculation of one claim under one.

A scheme is what a policy document (e.g. 伊州司发〔2025〕12号) sets: base rates matched on a
claim's attributes (the matching rate with the most conditions wins), adjustments (every
matching multiply in order, then every matching add in order), a cap per claim
(`max_amount`) and a cap per lawyer and month (`monthly_cap_per_lawyer`). Intermediate
values are exact Decimals; the result is rounded half-up to 0.01 once, by `money.to_money`.

The package, one concern a module:
- `attributes`: the kinds of claim, what a claim of each carries, how attribute values compare;
- `model`: Scheme, Rate, Adjustment, Calculation and the refusals;
- `validation`: the rules a scheme keeps (`scheme_errors`, `validate_scheme`);
- `parsing`: the contract's JSON body to a Scheme and back (`parse_scheme`, `scheme_as_json`);
- `selection`: which scheme applies to a claim, and the overlap rule (`select_scheme`, `overlaps`);
- `calculation`: pricing one claim under one scheme (`calculate`, `breakdown_as_json`).
"""

from __future__ import annotations

from .attributes import (
    ATTRIBUTES,
    FULL_DAY,
    GRADES,
    HALF_DAY,
    KINDS,
    REQUIRED_ATTRIBUTES,
    Kind,
    describe_attributes,
    duty_length,
    normalise_value,
    validate_attributes,
)
from .calculation import breakdown_as_json, calculate
from .model import Adjustment, Calculation, NoMatchingRate, Rate, Scheme, SchemeInvalid
from .parsing import parse_scheme, scheme_as_json
from .selection import find_overlap, overlaps, select_scheme
from .validation import scheme_errors, validate_scheme

__all__ = [
    "ATTRIBUTES",
    "FULL_DAY",
    "GRADES",
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
