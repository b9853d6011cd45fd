"""Pricing one claim under one scheme: the most specific matching rate, every matching multiply then every
matching add, the floor at zero, the caps per claim and per lawyer and month, one half-up rounding; and the
breakdown that explains the amount."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from typing import Any

from ..money import ZERO, format_money, to_money
from .attributes import describe_attributes, normalise_value
from .model import Adjustment, Calculation, NoMatchingRate, Rate, Scheme, SchemeInvalid


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


def _best_rate(scheme: Scheme, attributes: Mapping[str, Any], attrs: Mapping[str, str]) -> Rate:
    """The most specific rate that matches the claim; NoMatchingRate when none does, SchemeInvalid when two
    equally specific ones do."""
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
    return best


def _base_step(rate: Rate) -> dict[str, Any]:
    return {
        "step": f"base rate: {describe_attributes(attributes=rate.when) or 'any claim'}",
        "amount": rate.amount,
        "rule": "rate",
        "when": dict(rate.when),
    }


def _adjusted(amount: Decimal, matching: list[Adjustment], steps: list[dict[str, Any]]) -> Decimal:
    """The amount after every matching multiply, then every matching add, each a step."""
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
    return amount


def _floored_and_capped(amount: Decimal, scheme: Scheme, steps: list[dict[str, Any]]) -> Decimal:
    """The amount not below zero and not above the scheme's maximum per claim."""
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
    return amount


def _within_monthly_cap(
    amount: Decimal, scheme: Scheme, so_far: Decimal, steps: list[dict[str, Any]]
) -> Decimal:
    """The amount no more than what the lawyer's monthly cap leaves after `so_far`."""
    cap = scheme.monthly_cap_per_lawyer
    if cap is None:
        return amount
    left = max(cap - so_far, ZERO)
    if amount <= left:
        return amount
    steps.append(
        {
            "step": f"capped by monthly limit per lawyer ({format_money(cap)}, "
            f"{format_money(so_far)} already this month)",
            "amount": left,
            "rule": "monthly_cap",
            "limit": cap,
            "already": so_far,
        }
    )
    return left


def _rounded(amount: Decimal, steps: list[dict[str, Any]]) -> Decimal:
    """The amount rounded half-up to the cent (a step only when that changes it)."""
    final = to_money(amount)
    if final != amount:
        steps.append({"step": "rounded half-up", "amount": final, "rule": "rounding"})
    return final


def calculate(
    scheme: Scheme, attributes: Mapping[str, Any], *, month_total_so_far: Decimal = ZERO
) -> Calculation:
    """Price one claim under one scheme: most specific rate, multiplies, adds, caps, one half-up rounding."""
    so_far = to_money(month_total_so_far)
    if so_far < 0:
        raise ValueError("month_total_so_far cannot be negative")
    wanted = {k for r in scheme.rates for k in r.when} | {k for a in scheme.adjustments for k in a.when}
    attrs = _normalised_attributes(attributes, wanted=wanted)
    best = _best_rate(scheme, attributes, attrs)
    steps: list[dict[str, Any]] = [_base_step(best)]
    with localcontext() as ctx:
        ctx.prec = 100  # exact for any sane table; rounding happens once, below
        matching = [a for a in scheme.adjustments if a.matches(attrs)]
        amount = _adjusted(best.amount, matching, steps)
        amount = _floored_and_capped(amount, scheme, steps)
        amount = _within_monthly_cap(amount, scheme, so_far, steps)
    final = _rounded(amount, steps)
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
