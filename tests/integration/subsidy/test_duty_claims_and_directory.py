"""Station-duty claims from roster.duty.completed, and the lawyer and station directories, through the
subsidy service's consumer: exactly once whatever arrives twice, late or out of order."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.events import make_envelope

from .conftest import Kit, duty, station_duty_scheme

QUEUE = "subsidy.on_duty_completed"
COMPLETED = "roster.duty.completed"


def _claims(kit: Kit, **query: str) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in {"kind": "station_duty", **query}.items())
    return kit.client.get(f"/api/subsidy/claims?{qs}", headers=kit.finance()).json["items"]


def test_a_completed_duty_becomes_one_pending_claim_priced_by_the_scheme_in_force(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    outcome, envelope = kit.deliver(QUEUE, COMPLETED, duty("A1", "L1"))
    assert outcome == "processed"
    [claim] = _claims(kit)
    assert (claim["assignment_id"], claim["lawyer_id"], claim["status"], claim["amount"]) == (
        "A1",
        "L1",
        "pending",
        "150.00",
    )
    assert claim["attributes"] == {"station_level": "township", "length": "full_day", "holiday": False}
    assert claim["submitted_by"] == "system"
    assert claim["case_no"] is None
    [created] = kit.events("subsidy.claim.created")
    assert created["data"]["claim_id"] == claim["id"]
    assert created["correlation_id"] == envelope["correlation_id"]


def test_a_short_holiday_duty_is_a_half_day_with_the_holiday_uplift(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    kit.deliver(
        QUEUE,
        COMPLETED,
        duty("A1", "L1", start_time="09:30", end_time="13:30", holiday=True, date=date(2026, 10, 2)),
    )
    [claim] = _claims(kit)
    assert claim["attributes"]["length"] == "half_day"
    assert claim["amount"] == "135.00"


def test_the_same_event_twice_makes_no_second_claim(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    outcome, envelope = kit.deliver(QUEUE, COMPLETED, duty("A1", "L1"))
    again, _ = kit.deliver(QUEUE, COMPLETED, {}, envelope=envelope)
    assert (outcome, again) == ("processed", "duplicate")
    assert len(_claims(kit)) == 1
    assert len(kit.events("subsidy.claim.created")) == 1


def test_a_second_completion_of_one_assignment_under_another_event_id_makes_no_second_claim(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    kit.deliver(QUEUE, COMPLETED, duty("A1", "L1"))
    records = kit.count("audit_records")
    outcome, _ = kit.deliver(QUEUE, COMPLETED, duty("A1", "L1", end_time="12:00"))
    assert outcome == "processed"  # applied, and it changed nothing
    [claim] = _claims(kit)
    assert claim["attributes"]["length"] == "full_day"
    assert kit.count("audit_records") == records
    assert len(kit.events("subsidy.claim.created")) == 1


def test_duplicates_in_one_delivered_batch_make_one_claim_each(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    first = make_envelope(COMPLETED, duty("A1", "L1"), producer="roster")
    second = make_envelope(COMPLETED, duty("A2", "L2"), producer="roster")
    resent = make_envelope(COMPLETED, duty("A1", "L1"), producer="roster")
    batch = [(QUEUE, json.dumps(e).encode(), {}) for e in (first, second, first, resent, second)]
    outcomes = kit.consumer().handle_batch(batch)
    assert outcomes == ["processed", "processed", "duplicate", "processed", "duplicate"]
    assert sorted(c["assignment_id"] for c in _claims(kit)) == ["A1", "A2"]
    assert kit.client.get("/api/subsidy/audit/verify", headers=kit.finance()).json["ok"] is True


def test_a_duty_arriving_before_its_lawyer_is_claimed_and_the_lawyer_named_when_they_arrive(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    kit.deliver(QUEUE, COMPLETED, duty("A1", "L7"))
    [claim] = _claims(kit)
    assert claim["lawyer_name"] is None
    kit.add_lawyer("L7", "努尔兰")
    assert _claims(kit)[0]["lawyer_name"] == "努尔兰"
    kit.deliver(QUEUE, COMPLETED, duty("A1", "L7"))
    assert len(_claims(kit)) == 1


def test_an_older_lawyer_event_arriving_late_changes_nothing(kit: Kit) -> None:
    newer = make_envelope(
        "roster.lawyer.upserted",
        {
            "id": "L1",
            "name": "新名字",
            "license_no": "16540202010123456",
            "status": "suspended",
            "region_code": "654021",
            "languages": ["zh"],
            "max_duties_per_month": 8,
        },
        producer="roster",
    )
    older = make_envelope(
        "roster.lawyer.upserted",
        {**newer["data"], "name": "旧名字", "status": "practising"},
        producer="roster",
    )
    older["occurred_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    kit.deliver("subsidy.on_lawyer_upserted", "", {}, envelope=newer)
    kit.deliver("subsidy.on_lawyer_upserted", "", {}, envelope=older)
    with kit.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT name, status FROM lawyer_directory")).one() == (
            "新名字",
            "suspended",
        )


def test_stations_are_copied_and_kept_current(kit: Kit) -> None:
    station = {
        "id": "S1",
        "name": "霍城县清水河镇司法所",
        "level": "township",
        "region_code": "654023",
        "parent_id": None,
        "address": "清水河镇",
    }
    kit.deliver("subsidy.on_station_upserted", "roster.station.upserted", station)
    kit.deliver("subsidy.on_station_upserted", "roster.station.upserted", {**station, "level": "village"})
    with kit.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT level, region_code FROM station_directory")).all() == [
            ("village", "654023")
        ]


def test_a_duty_no_rate_prices_waits_visibly_and_the_next_matching_scheme_prices_it(kit: Kit) -> None:
    kit.deliver(QUEUE, COMPLETED, duty("A1", "L1", station_level="hotline"))  # no scheme at all yet
    [waiting] = _claims(kit, status="needs_rate")
    assert waiting["amount"] == "0.00"
    assert waiting["scheme_id"] is None
    assert "no station_duty scheme" in waiting["breakdown"][0]["step"]
    assert kit.events("subsidy.claim.created") == []
    assert kit.approve(waiting["id"]).status_code == 409  # nothing to approve yet
    kit.create_scheme(station_duty_scheme())  # township rates only: still no hotline rate
    assert _claims(kit, status="needs_rate")[0]["id"] == waiting["id"]
    hotline = station_duty_scheme(
        region_code="654021",
        name="Yining County hotline",
        rates=[{"when": {"station_level": "hotline"}, "amount": "60.00"}],
    )
    created = kit.create_scheme(hotline)
    assert created["priced_waiting_claims"] == 1
    [priced] = _claims(kit, status="pending")
    assert (priced["id"], priced["amount"], priced["scheme_id"]) == (waiting["id"], "60.00", created["id"])
    assert [e["data"]["claim_id"] for e in kit.events("subsidy.claim.created")] == [waiting["id"]]


def test_a_waiting_duty_claim_can_be_rejected(kit: Kit) -> None:
    kit.deliver(QUEUE, COMPLETED, duty("A1", "L1"))
    [waiting] = _claims(kit)
    rejected = kit.client.post(
        f"/api/subsidy/claims/{waiting['id']}/reject",
        json={"reason": "not a paid duty"},
        headers=kit.finance(),
    )
    assert rejected.status_code == 200
    assert rejected.json["status"] == "rejected"


def test_a_handler_failing_halfway_leaves_nothing_behind_and_the_event_is_retried(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.subsidy.service import audit

    kit.create_scheme(station_duty_scheme())
    before = (kit.count("claims"), kit.count("audit_records"), kit.outbox_size())

    def fail(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", fail)
    outcome, envelope = kit.deliver(QUEUE, COMPLETED, duty("A1", "L1"))
    assert outcome == "retried"
    assert (kit.count("claims"), kit.count("audit_records"), kit.outbox_size()) == before
    assert kit.count("processed_events") == 0
    monkeypatch.undo()
    again, _ = kit.deliver(QUEUE, COMPLETED, {}, envelope=envelope)
    assert again == "processed"
    assert len(_claims(kit)) == 1
