"""Watching a budget: finance hears when commitments first reach 80 % and 95 % of it, once each.

A budget remembers the highest threshold it has announced. After every change (an approval commits more,
an amendment raises or cuts the amount) `watch` says which thresholds are newly reached; a threshold the
ratio has fallen back below (the budget was raised) is armed again, so it is announced again when reached.
"""

from __future__ import annotations

from decimal import Decimal

THRESHOLDS = (80, 95)  # percent of the budget's amount


def reached(*, amount: Decimal, committed: Decimal, threshold: int) -> bool:
    """Whether commitments are at or above `threshold` percent of a (non-empty) budget."""
    return amount > 0 and committed * 100 >= amount * threshold


def watch(*, amount: Decimal, committed: Decimal, announced: int) -> tuple[int, list[int]]:
    """(the highest threshold now announced, the thresholds to announce now, lowest first)."""
    armed_from = max(
        (
            t
            for t in THRESHOLDS
            if t <= announced and reached(amount=amount, committed=committed, threshold=t)
        ),
        default=0,
    )
    new = [
        t for t in THRESHOLDS if t > armed_from and reached(amount=amount, committed=committed, threshold=t)
    ]
    return (new[-1] if new else armed_from), new
