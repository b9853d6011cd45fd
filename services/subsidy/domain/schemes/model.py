"""Schemes as data: a rate table of one kind for one region and period, its rates and adjustments, the
calculation of a claim under it, and the refusals (an invalid scheme, no matching rate)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any

from ..errors import DomainError
from .attributes import AttrValue, Kind, describe_attributes, normalise_value


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


def _frozen_when(when: Any) -> Any:
    """A read-only copy of a `when` mapping (left as is when it is not a mapping, for validation to report)."""
    return MappingProxyType(dict(when)) if isinstance(when, Mapping) else when


class _Conditions:
    """What rates and adjustments share: `when`, the attribute values a claim must have for them to apply."""

    when: Mapping[str, AttrValue]

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _frozen_when(self.when))

    @cached_property
    def _normalised(self) -> dict[str, str]:
        return {k: normalise_value(v) for k, v in self.when.items()}

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether every condition holds for already-normalised claim attributes."""
        return all(attributes.get(k) == v for k, v in self._normalised.items())


@dataclass(frozen=True)
class Rate(_Conditions):
    """A base amount paid when every `when` pair equals the claim's attribute."""

    when: Mapping[str, AttrValue]
    amount: Decimal


@dataclass(frozen=True)
class Adjustment(_Conditions):
    """An uplift applied when every `when` pair matches: `multiply` first (in order), then `add`."""

    when: Mapping[str, AttrValue]
    multiply: Decimal | None = None
    add: Decimal | None = None
    label: str | None = None

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
    # 一案一卷 and 案件质量评估: what a claim's file must hold, and whether it is paid only once graded
    required_documents: tuple[str, ...] = ()
    requires_grade: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.required_documents, list):
            object.__setattr__(self, "required_documents", tuple(self.required_documents))
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
