"""What a lawyer is told when the roster or subsidy service announces something about them, and what finance
users are told when a budget runs out.

Each function takes an event's data (as the consumer loaded it) and returns the notices to keep, one per
lawyer (or user) concerned; the data kept with a notice is the event's, minus a published roster's
assignment list (its notice keeps the lawyer's number of duties instead, as `duties`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.gateway.domain.directory import wire


@dataclass(frozen=True)
class Notice:
    """To a lawyer (`lawyer_id`) or to one staff user (`user_id`)."""

    lawyer_id: str | None
    kind: str
    message: str
    data: dict[str, Any]
    user_id: str | None = None


def _kept(data: dict[str, Any]) -> dict[str, Any]:
    return {k: wire(v) for k, v in data.items() if k != "assignments"}


def _when(data: dict[str, Any]) -> str:
    return f"{data['date'].isoformat()} {data['start_time']}–{data['end_time']}"


def roster_published(data: dict[str, Any]) -> list[Notice]:
    counts = Counter(assignment["lawyer_id"] for assignment in data["assignments"])
    period = f"{data['period_start'].isoformat()} – {data['period_end'].isoformat()}"
    return [
        Notice(
            lawyer_id,
            "roster_published",
            f"The roster for {period} is published: you have {n} duties.",
            {**_kept(data), "duties": n},
        )
        for lawyer_id, n in counts.items()
    ]


def duty_changed(data: dict[str, Any]) -> list[Notice]:
    when = _when(data)
    if data.get("lawyer_id") is None:  # a replan took the duty away with nobody to take it
        if not data.get("previous_lawyer_id"):
            return []
        return [
            Notice(
                data["previous_lawyer_id"],
                "duty_cancelled",
                f"Your duty of {when} is off the roster: nobody else could take it.",
                _kept(data),
            )
        ]
    notices = [Notice(data["lawyer_id"], "duty_assigned", f"You now have the duty of {when}.", _kept(data))]
    if data.get("previous_lawyer_id"):
        notices.append(
            Notice(
                data["previous_lawyer_id"],
                "duty_released",
                f"Your duty of {when} was given to another lawyer.",
                _kept(data),
            )
        )
    return notices


def claim_changed(data: dict[str, Any]) -> list[Notice]:
    status = data["status"]
    return [
        Notice(
            data["lawyer_id"],
            f"claim_{status}",
            f"Your {data['kind'].replace('_', ' ')} claim of {data['service_date'].isoformat()} "
            f"({data['amount']} yuan) is {status}.",
            _kept(data),
        )
    ]


def swap_changed(data: dict[str, Any], *, name_of: Callable[[str], str]) -> list[Notice]:
    """A lawyer hears when a colleague asks them to take a duty, and how their own request fares
    (`name_of` gives a lawyer's name). An approved swap says nothing: roster.duty.changed tells both."""
    when = _when(data)
    asker, asked, status = data["from_lawyer_id"], data["to_lawyer_id"], data["status"]
    if status == "requested":
        return [
            Notice(
                asked,
                "swap_requested",
                f"{name_of(asker)} asks you to take their duty of {when}.",
                _kept(data),
            )
        ]
    if status == "accepted":
        return [
            Notice(
                asker,
                "swap_accepted",
                f"{name_of(asked)} will take your duty of {when}; it waits for the scheduler.",
                _kept(data),
            )
        ]
    if status == "declined":
        return [
            Notice(
                asker,
                "swap_declined",
                f"Your request to hand over the duty of {when} was declined.",
                _kept(data),
            )
        ]
    if status == "cancelled":
        return [
            Notice(
                asked,
                "swap_cancelled",
                f"{name_of(asker)} withdrew the request for the duty of {when}.",
                _kept(data),
            )
        ]
    return []


def budget_threshold_reached(data: dict[str, Any], *, finance_users: list[str]) -> list[Notice]:
    """Every finance user hears that commitments reached 80 % or 95 % of a budget (each reads it for themself)."""
    region = data["region_code"] or "all regions"
    message = (
        f"The {data['year']} {data['kind'].replace('_', ' ')} budget of {region} is {data['threshold']} % "
        f"committed: {data['committed']} of {data['amount']} yuan."
    )
    return [
        Notice(None, "budget_threshold_reached", message, _kept(data), user_id=user) for user in finance_users
    ]
