"""Which scheme applies: the one of the claim's kind in force on its service date whose region covers the
claim's, most specific first; and the overlap rule that keeps that choice unambiguous."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..regions import covers, specificity, validate_region
from .model import Scheme


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
