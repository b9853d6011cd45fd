"""The gateway's event handlers: its copy of the lawyer directory, and lawyers' notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.common.copies import copy_if_newer
from services.gateway.adapters.orm import LawyerEntry, Notification


def _wire(value: Any) -> Any:
    """A loaded event value back in its JSON form (dates as ISO strings)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def on_lawyer_upserted(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    # a late, older version of the lawyer changes nothing: the directory already holds a newer one
    copy_if_newer(session, LawyerEntry, data["id"], {
        "name": data["name"], "status": data["status"], "region_code": data["region_code"], "profile": _wire(data),
    }, occurred_at=envelope.get("occurred_at"))


def _notify(session: Session, envelope: dict[str, Any], lawyer_id: str, kind: str, message: str,
            data: dict[str, Any]) -> None:
    session.add(
        Notification(
            lawyer_id=lawyer_id, event_id=envelope["id"], kind=kind, message=message,
            data={k: _wire(v) for k, v in data.items() if k != "assignments"},
            created_at=datetime.now(UTC), read=False,
        )
    )


def on_roster_published(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for assignment in data["assignments"]:
        counts[assignment["lawyer_id"]] = counts.get(assignment["lawyer_id"], 0) + 1
    period = f"{data['period_start'].isoformat()} – {data['period_end'].isoformat()}"
    for lawyer_id, n in counts.items():
        _notify(session, envelope, lawyer_id, "roster_published",
                f"The roster for {period} is published: you have {n} duties.", data)


def on_duty_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    when = f"{data['date'].isoformat()} {data['start_time']}–{data['end_time']}"
    _notify(session, envelope, data["lawyer_id"], "duty_assigned", f"You now have the duty of {when}.", data)
    if data.get("previous_lawyer_id"):
        _notify(session, envelope, data["previous_lawyer_id"], "duty_released",
                f"Your duty of {when} was given to another lawyer.", data)


def on_claim_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    status = data["status"]
    _notify(session, envelope, data["lawyer_id"], f"claim_{status}",
            f"Your {data['kind'].replace('_', ' ')} claim of {data['service_date'].isoformat()} "
            f"({data['amount']} yuan) is {status}.", data)


def _name(session: Session, lawyer_id: str) -> str:
    entry = session.get(LawyerEntry, lawyer_id)
    return entry.name if entry is not None else "another lawyer"


def on_swap_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    """A lawyer hears when a colleague asks them to take a duty, and how their own request fares."""
    when = f"{data['date'].isoformat()} {data['start_time']}–{data['end_time']}"
    asker, asked = data["from_lawyer_id"], data["to_lawyer_id"]
    status = data["status"]
    if status == "requested":
        _notify(session, envelope, asked, "swap_requested",
                f"{_name(session, asker)} asks you to take their duty of {when}.", data)
    elif status == "accepted":
        _notify(session, envelope, asker, "swap_accepted",
                f"{_name(session, asked)} will take your duty of {when}; it waits for the scheduler.", data)
    elif status == "declined":
        _notify(session, envelope, asker, "swap_declined", f"Your request to hand over the duty of {when} "
                "was declined.", data)
    elif status == "cancelled":
        _notify(session, envelope, asked, "swap_cancelled",
                f"{_name(session, asker)} withdrew the request for the duty of {when}.", data)
    # approved: roster.duty.changed tells both lawyers


HANDLERS = {
    "gateway.on_lawyer_upserted": on_lawyer_upserted,
    "gateway.on_roster_published": on_roster_published,
    "gateway.on_duty_changed": on_duty_changed,
    "gateway.on_claim_changed": on_claim_changed,
    "gateway.on_swap_changed": on_swap_changed,
}
