"""The gateway's event handlers: its copy of the lawyer directory, lawyers' notifications and finance users'
budget warnings. Each runs
inside the consumer's transaction (with the processed-events key of its event) and never commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from services.gateway.domain import notifications as say
from services.gateway.service import directory, notifications


def on_lawyer_upserted(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    directory.on_lawyer_upserted(session, lawyer=data, occurred_at=envelope.get("occurred_at"))


def on_roster_published(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    notifications.keep(session, notices=say.roster_published(data), event_id=envelope["id"])


def on_duty_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    notifications.keep(session, notices=say.duty_changed(data), event_id=envelope["id"])


def on_claim_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    notifications.keep(session, notices=say.claim_changed(data), event_id=envelope["id"])


def on_swap_changed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    """A lawyer hears when a colleague asks them to take a duty, and how their own request fares."""
    notices = say.swap_changed(data, name_of=partial(directory.lawyer_name, session))
    notifications.keep(session, notices=notices, event_id=envelope["id"])


def on_budget_threshold_reached(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    """Every finance user who may log in hears that a budget is 80 % or 95 % committed."""
    notices = say.budget_threshold_reached(
        data, finance_users=notifications.users_of_role(session, "finance")
    )
    notifications.keep(session, notices=notices, event_id=envelope["id"])


HANDLERS = {
    "gateway.on_lawyer_upserted": on_lawyer_upserted,
    "gateway.on_roster_published": on_roster_published,
    "gateway.on_duty_changed": on_duty_changed,
    "gateway.on_claim_changed": on_claim_changed,
    "gateway.on_swap_changed": on_swap_changed,
    "gateway.on_budget_threshold_reached": on_budget_threshold_reached,
}
