"""Every event type of docs/api.md "Events" round-trips its schema; producers are strict, consumers lenient."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.common.events import EVENT_SCHEMAS, EventContractError, make_envelope, parse_envelope
from services.common.topology import TOPOLOGY

LAWYER = {
    "id": "l1",
    "name": "Gulnar",
    "license_no": "16540202010123456",
    "status": "intern",
    "region_code": "654021",
    "languages": ["zh", "kk"],
    "max_duties_per_month": 8,
    "intern_start": date(2026, 3, 1),
    "intern_end": date(2027, 2, 28),
    "supervisor_id": "l0",
}
ASSIGNMENT = {
    "id": "a1",
    "station_id": "s1",
    "date": date(2026, 12, 1),
    "start_time": "09:00",
    "end_time": "13:00",
    "lawyer_id": "l1",
    "role": "lawyer",
    "status": "scheduled",
}
CLAIM = {
    "claim_id": "c1",
    "kind": "station_duty",
    "lawyer_id": "l1",
    "amount": Decimal("150.00"),
    "status": "approved",
    "service_date": date(2026, 12, 1),
}

SAMPLES = {
    "roster.lawyer.upserted": LAWYER,
    "roster.station.upserted": {
        "id": "s1",
        "name": "萨木于孜乡工作站",
        "level": "township",
        "region_code": "654021",
        "parent_id": "s0",
        "address": "霍城县萨木于孜乡",
    },
    "roster.roster.published": {
        "roster_id": "r1",
        "region_code": "654000",
        "period_start": date(2026, 12, 1),
        "period_end": date(2026, 12, 31),
        "assignments": [ASSIGNMENT],
    },
    "roster.duty.changed": {
        "assignment_id": "a1",
        "lawyer_id": "l2",
        "previous_lawyer_id": "l1",
        "station_id": "s1",
        "date": date(2026, 12, 1),
        "start_time": "09:00",
        "end_time": "13:00",
    },
    "roster.duty.completed": {
        "assignment_id": "a1",
        "lawyer_id": "l1",
        "station_id": "s1",
        "station_level": "township",
        "region_code": "654021",
        "date": date(2026, 12, 1),
        "start_time": "09:00",
        "end_time": "13:00",
        "checked_in_at": datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        "checked_out_at": datetime(2026, 12, 1, 5, 0, tzinfo=UTC),
        "holiday": False,
    },
    "roster.swap.changed": {
        "swap_id": "w1",
        "assignment_id": "a1",
        "from_lawyer_id": "l1",
        "to_lawyer_id": "l2",
        "status": "requested",
        "station_id": "s1",
        "date": date(2026, 12, 1),
        "start_time": "09:00",
        "end_time": "13:00",
    },
    "subsidy.claim.created": CLAIM,
    "subsidy.claim.approved": CLAIM,
    "subsidy.claim.rejected": CLAIM,
    "subsidy.claim.paid": CLAIM,
    "subsidy.budget.threshold_reached": {
        "budget_id": "b1",
        "region_code": None,
        "kind": "station_duty",
        "year": 2026,
        "amount": Decimal("10000.00"),
        "committed": Decimal("8000.00"),
        "threshold": 80,
    },
}


def test_every_contract_event_type_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(EVENT_SCHEMAS)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_event_type_round_trips_through_its_schema(event_type: str) -> None:
    envelope = make_envelope(event_type, SAMPLES[event_type], producer="test", correlation_id="req-1")
    wire = json.loads(json.dumps(envelope))
    assert set(wire) == {"id", "type", "version", "occurred_at", "producer", "correlation_id", "data"}
    assert wire["version"] == 1
    assert uuid.UUID(wire["id"])
    parsed, data = parse_envelope(wire)
    assert parsed["type"] == event_type
    assert parsed["correlation_id"] == "req-1"
    assert data == SAMPLES[event_type]


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_event_type_reaches_at_least_one_queue(event_type: str) -> None:
    assert TOPOLOGY.routes(event_type), f"{event_type} would be unroutable"


def test_money_travels_as_a_two_place_decimal_string() -> None:
    envelope = make_envelope("subsidy.claim.paid", {**CLAIM, "amount": Decimal("1234.5")}, producer="t")
    assert envelope["data"]["amount"] == "1234.50"


def test_a_producer_cannot_send_a_field_the_contract_does_not_name() -> None:
    with pytest.raises(EventContractError) as err:
        make_envelope("subsidy.claim.paid", {**CLAIM, "secret": 1}, producer="t")
    assert "secret" in str(err.value)


def test_a_producer_cannot_leave_out_a_required_field() -> None:
    data = dict(CLAIM)
    del data["lawyer_id"]
    with pytest.raises(EventContractError) as err:
        make_envelope("subsidy.claim.paid", data, producer="t")
    assert "lawyer_id" in str(err.value)


def test_a_consumer_ignores_fields_it_does_not_know() -> None:
    envelope = json.loads(json.dumps(make_envelope("subsidy.claim.paid", CLAIM, producer="t")))
    envelope["data"]["added_in_v1_1"] = "x"
    envelope["added_to_envelope"] = True
    _, data = parse_envelope(envelope)
    assert "added_in_v1_1" not in data
    assert data["claim_id"] == "c1"
