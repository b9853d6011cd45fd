"""The subsidy service's event handlers: station-duty claims from completed duties, and its copies of the
roster's lawyers and stations. Each runs inside the consumer's transaction (with the processed-events key
of its event) and never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.subsidy.service import claims, directory
from services.subsidy.service.unit_of_work import SessionUnit


def _unit(session: Session, envelope: dict[str, Any]) -> SessionUnit:
    return SessionUnit(session, correlation_id=envelope.get("correlation_id"))


def on_duty_completed(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    """One station-duty claim per completed assignment, whatever arrives twice."""
    claims.record_duty_claim(_unit(session, envelope), duty=data)


def on_lawyer_upserted(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    directory.upsert_lawyer(_unit(session, envelope), lawyer=data, occurred_at=envelope.get("occurred_at"))


def on_station_upserted(session: Session, envelope: dict[str, Any], data: dict[str, Any]) -> None:
    directory.upsert_station(_unit(session, envelope), station=data, occurred_at=envelope.get("occurred_at"))


HANDLERS = {
    "subsidy.on_duty_completed": on_duty_completed,
    "subsidy.on_lawyer_upserted": on_lawyer_upserted,
    "subsidy.on_station_upserted": on_station_upserted,
}
