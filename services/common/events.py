"""The wire contract of integration events (docs/api.md, "Events"): an envelope and one schema per type.

Producers validate strictly on the way out (unknown or missing fields are a bug); consumers ignore
unknown fields, so a producer may add fields without breaking anyone.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

EXCHANGE = "legal.events"
VERSION = 1

HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be a time HH:MM")
REGION = validate.Regexp(r"^\d{6}$", error="must be a six-digit region code")


def _money() -> fields.Decimal:
    return fields.Decimal(required=True, places=2, as_string=True)


class Payload(Schema):
    class Meta:
        unknown = EXCLUDE


class LawyerUpserted(Payload):
    id = fields.String(required=True)
    name = fields.String(required=True)
    license_no = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["practising", "intern", "suspended"]))
    region_code = fields.String(required=True, validate=REGION)
    languages = fields.List(fields.String(), required=True)
    max_duties_per_month = fields.Integer(required=True)
    intern_start = fields.Date(allow_none=True, load_default=None)
    intern_end = fields.Date(allow_none=True, load_default=None)
    supervisor_id = fields.String(allow_none=True, load_default=None)


class StationUpserted(Payload):
    id = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(
        required=True, validate=validate.OneOf(["prefecture", "county", "township", "village", "hotline"])
    )
    region_code = fields.String(required=True, validate=REGION)
    parent_id = fields.String(allow_none=True, load_default=None)
    address = fields.String(allow_none=True, load_default=None)


class PublishedAssignment(Payload):
    id = fields.String(required=True)
    station_id = fields.String(required=True)
    date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)
    lawyer_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["lawyer", "intern"]))
    status = fields.String(required=True)


class RosterPublished(Payload):
    roster_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    assignments = fields.List(fields.Nested(PublishedAssignment), required=True)


class DutyChanged(Payload):
    assignment_id = fields.String(required=True)
    lawyer_id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null when a replan took the duty away with nobody to take it"},
    )
    previous_lawyer_id = fields.String(required=True, allow_none=True)
    station_id = fields.String(required=True)
    date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)


class SwapChanged(Payload):
    """An addition to docs/api.md "Events": a swap was asked for, accepted, approved, declined or cancelled."""

    swap_id = fields.String(required=True)
    assignment_id = fields.String(required=True)
    from_lawyer_id = fields.String(required=True)
    to_lawyer_id = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["requested", "accepted", "approved", "declined", "cancelled"])
    )
    station_id = fields.String(required=True)
    date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)


class DutyCompleted(Payload):
    assignment_id = fields.String(required=True)
    lawyer_id = fields.String(required=True)
    station_id = fields.String(required=True)
    station_level = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION)
    date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)
    checked_in_at = fields.AwareDateTime(required=True)
    checked_out_at = fields.AwareDateTime(required=True)
    holiday = fields.Boolean(required=True)


class ClaimChanged(Payload):
    claim_id = fields.String(required=True)
    kind = fields.String(
        required=True, validate=validate.OneOf(["mediation_case", "legal_aid_case", "station_duty"])
    )
    lawyer_id = fields.String(required=True)
    amount = _money()
    status = fields.String(required=True)
    service_date = fields.Date(required=True)


class BudgetThresholdReached(Payload):
    """Commitments against a budget first reached `threshold` percent (80 or 95) of its amount."""

    budget_id = fields.String(required=True)
    region_code = fields.String(required=True, allow_none=True, validate=REGION)
    kind = fields.String(
        required=True, validate=validate.OneOf(["mediation_case", "legal_aid_case", "station_duty"])
    )
    year = fields.Integer(required=True)
    amount = _money()
    committed = _money()
    threshold = fields.Integer(required=True, validate=validate.OneOf([80, 95]))


EVENT_SCHEMAS: dict[str, type[Payload]] = {
    "roster.lawyer.upserted": LawyerUpserted,
    "roster.station.upserted": StationUpserted,
    "roster.roster.published": RosterPublished,
    "roster.duty.changed": DutyChanged,
    "roster.duty.completed": DutyCompleted,
    "roster.swap.changed": SwapChanged,
    "subsidy.claim.created": ClaimChanged,
    "subsidy.claim.approved": ClaimChanged,
    "subsidy.claim.rejected": ClaimChanged,
    "subsidy.claim.paid": ClaimChanged,
    "subsidy.budget.threshold_reached": BudgetThresholdReached,
}


class Envelope(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_SCHEMAS)))
    version = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)


class EventContractError(ValueError):
    """An event does not keep its wire contract."""

    def __init__(self, event_type: str, errors: Any):
        super().__init__(f"{event_type}: {errors}")
        self.event_type = event_type
        self.errors = errors


@functools.cache
def _schemas(event_type: str) -> tuple[Payload, Payload]:
    schema = EVENT_SCHEMAS[event_type]
    return schema(), schema(unknown=RAISE)


def serialise_data(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Turn domain values (dates, Decimals) into the wire form and validate it strictly."""
    if event_type not in EVENT_SCHEMAS:
        raise EventContractError(event_type, "unknown event type")
    try:
        lenient, strict = _schemas(event_type)
    except KeyError as exc:
        raise EventContractError(event_type, "unknown event type") from exc
    extra = set(data) - set(lenient.fields)
    if extra:
        raise EventContractError(event_type, {name: ["unknown field"] for name in sorted(extra)})
    wire = lenient.dump(data)
    try:
        strict.load(wire)
    except ValidationError as exc:
        raise EventContractError(event_type, exc.messages) from exc
    return wire


def make_envelope(
    event_type: str, data: dict[str, Any], *, producer: str, correlation_id: str | None = None
) -> dict[str, Any]:
    """Build a complete, validated envelope with a new event id."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": VERSION,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": serialise_data(event_type, data),
    }


_ENVELOPE = Envelope()
_LENIENT = {name: schema() for name, schema in EVENT_SCHEMAS.items()}


def parse_envelope(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a received envelope; returns (envelope, data loaded into Python values)."""
    envelope = _ENVELOPE.load(body)
    data = _LENIENT[envelope["type"]].load(envelope["data"])
    envelope["id"] = str(envelope["id"])
    return envelope, data
