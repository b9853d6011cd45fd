"""The lawyer's own page, assembled from the directory, roster and subsidy; and their notifications."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs

from sqlalchemy import select

from services.gateway.adapters.orm import LawyerEntry, Notification, User
from services.gateway.consumers import on_claim_changed, on_lawyer_upserted

from .conftest import GatewayKit


def lawyer_event(name: str, occurred_at: datetime, lawyer_id: str = "L-7") -> tuple[dict, dict]:
    data = {
        "id": lawyer_id,
        "name": name,
        "license_no": "16540120101234567",
        "status": "practising",
        "region_code": "654021",
        "languages": ["zh", "kk"],
        "max_duties_per_month": 8,
        "intern_start": None,
        "intern_end": None,
        "supervisor_id": None,
    }
    return {"id": str(uuid.uuid4()), "occurred_at": occurred_at}, data


def answer_lawyer_sections(gw: GatewayKit) -> None:
    today = date.today()
    gw.fakes["roster"].answers[("GET", "/api/roster/me/duties")] = (
        200,
        {
            "items": [
                {
                    "id": "A-1",
                    "date": (today + timedelta(days=2)).isoformat(),
                    "station_id": "S-1",
                    "start_time": "09:00",
                    "end_time": "12:00",
                    "status": "scheduled",
                }
            ],
            "total": 1,
        },
        {},
    )
    gw.fakes["roster"].answers[("GET", "/api/roster/swaps")] = (
        200,
        {"items": [{"id": "W-1", "status": "pending"}], "total": 1},
        {},
    )
    gw.fakes["subsidy"].answers[("GET", "/api/subsidy/claims")] = (
        200,
        {
            "items": [
                {"id": "C-1", "status": "pending", "amount": "120.00"},
                {"id": "C-2", "status": "approved", "amount": "80.50"},
                {"id": "C-3", "status": "pending", "amount": "0.25"},
            ],
            "total": 3,
        },
        {},
    )


def test_a_lawyer_sees_profile_duties_swaps_and_this_months_claims_in_one_call(gw: GatewayKit) -> None:
    with gw.session() as session:
        meta, data = lawyer_event("Aygul Nurlan", datetime.now(UTC))
        on_lawyer_upserted(session, meta, data)
        session.commit()
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    answer_lawyer_sections(gw)
    page = gw.client.get("/api/me", headers=gw.auth(lawyer)).get_json()
    assert page["user"]["lawyer_id"] == "L-7"
    assert page["lawyer"]["name"] == "Aygul Nurlan"
    assert page["lawyer"]["languages"] == ["zh", "kk"]
    duties = page["upcoming_duties"]
    assert duties["available"]
    assert duties["total"] == 1
    assert duties["items"][0]["id"] == "A-1"
    assert page["pending_swaps"]["items"] == [{"id": "W-1", "status": "pending"}]
    claims = page["claims_this_month"]
    assert claims["month"] == date.today().strftime("%Y-%m")
    assert claims["totals_by_status"] == {
        "pending": {"count": 2, "amount": "120.25"},
        "approved": {"count": 1, "amount": "80.50"},
    }
    assert Decimal(claims["total_amount"]) == Decimal("200.75")


def test_the_services_are_asked_as_the_lawyer_for_the_right_period(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    answer_lawyer_sections(gw)
    response = gw.client.get("/api/me", headers={**gw.auth(lawyer), "X-Request-ID": "me-page-1"})
    assert response.status_code == 200
    by_path = {s.path: s for s in gw.fakes["roster"].seen + gw.fakes["subsidy"].seen}
    duties = parse_qs(by_path["/api/roster/me/duties"].query.decode())
    today = date.today()
    assert duties["from"] == [today.isoformat()]
    assert duties["to"] == [(today + timedelta(days=30)).isoformat()]
    assert parse_qs(by_path["/api/roster/swaps"].query.decode())["status"] == ["pending"]
    assert parse_qs(by_path["/api/subsidy/claims"].query.decode())["month"] == [today.strftime("%Y-%m")]
    for seen in by_path.values():
        assert seen.identity.lawyer_id == "L-7"
        assert seen.identity.role == "lawyer"
        assert seen.headers["X-Request-Id"] == "me-page-1"


def test_a_service_that_is_down_leaves_its_sections_unavailable_and_the_rest_served(
    make_gateway: Callable[..., GatewayKit], downed_port: int
) -> None:
    gw = make_gateway(roster_port=downed_port)
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    answer_lawyer_sections(gw)
    response = gw.client.get("/api/me", headers=gw.auth(lawyer))
    assert response.status_code == 200
    page = response.get_json()
    assert page["upcoming_duties"]["available"] is False
    assert "roster" in page["upcoming_duties"]["detail"]
    assert page["pending_swaps"]["available"] is False
    assert page["claims_this_month"]["available"] is True
    assert page["claims_this_month"]["total"] == 3


def test_a_section_the_service_refuses_is_unavailable_with_the_reason(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    answer_lawyer_sections(gw)
    gw.fakes["subsidy"].answers[("GET", "/api/subsidy/claims")] = (
        500,
        {"type": "about:blank", "title": "Internal server error", "status": 500, "detail": "boom"},
        {},
    )
    claims = gw.client.get("/api/me", headers=gw.auth(lawyer)).get_json()["claims_this_month"]
    assert claims["available"] is False
    assert "500" in claims["detail"]


def test_staff_see_who_they_are_and_no_lawyer_sections(gw: GatewayKit) -> None:
    page = gw.client.get("/api/me", headers=gw.auth("finance")).get_json()
    assert page["user"]["role"] == "finance"
    assert page["lawyer"] is None
    assert page["upcoming_duties"] is None
    assert page["claims_this_month"] is None
    assert gw.fakes["roster"].seen == []
    assert gw.fakes["subsidy"].seen == []


def test_the_directory_keeps_the_newest_lawyer_whatever_order_events_arrive_in(gw: GatewayKit) -> None:
    now = datetime.now(UTC)
    with gw.session() as session:
        on_lawyer_upserted(session, *lawyer_event("New Name", now))
        on_lawyer_upserted(session, *lawyer_event("Old Name", now - timedelta(minutes=5)))
        session.commit()
    with gw.session() as session:
        assert session.get(LawyerEntry, "L-7").name == "New Name"


def claim_event(session, lawyer_id: str, status: str) -> None:  # type: ignore[no-untyped-def]
    on_claim_changed(
        session,
        {"id": str(uuid.uuid4())},
        {
            "claim_id": "C-1",
            "kind": "legal_aid_case",
            "lawyer_id": lawyer_id,
            "amount": Decimal("1200.00"),
            "status": status,
            "service_date": date(2026, 11, 3),
        },
    )


def test_a_lawyer_reads_their_notifications_newest_first_and_marks_them_read(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    with gw.session() as session:
        claim_event(session, "L-7", "approved")
        claim_event(session, "L-7", "paid")
        claim_event(session, "L-8", "approved")
        session.commit()
    headers = gw.auth(lawyer)
    listing = gw.client.get("/api/me/notifications", headers=headers).get_json()
    assert listing["total"] == 2
    assert listing["unread"] == 2
    assert [n["kind"] for n in listing["items"]] == ["claim_paid", "claim_approved"]
    assert "1200.00 yuan" in listing["items"][0]["message"]
    first = listing["items"][0]["id"]
    read = gw.client.post(f"/api/me/notifications/{first}/read", headers=headers)
    assert read.status_code == 200
    assert read.get_json()["read"] is True
    unread = gw.client.get("/api/me/notifications?unread=true", headers=headers).get_json()
    assert unread["total"] == 1
    assert unread["unread"] == 1
    assert gw.client.post("/api/me/notifications/read-all", headers=headers).get_json() == {"marked": 1}


def test_another_lawyers_notification_is_not_found(gw: GatewayKit) -> None:
    lawyer = gw.add_user("lawyer", lawyer_id="L-7")
    with gw.session() as session:
        claim_event(session, "L-8", "approved")
        session.commit()
        theirs = session.scalar(select(Notification.id))
    response = gw.client.post(f"/api/me/notifications/{theirs}/read", headers=gw.auth(lawyer))
    assert response.status_code == 404
    assert (
        gw.client.post("/api/me/notifications/99999999999999999999/read", headers=gw.auth(lawyer)).status_code
        == 404
    )
    with gw.session() as session:
        assert session.get(Notification, theirs).read is False


def test_the_asked_lawyer_hears_of_a_swap_and_the_asker_hears_the_answer(gw: GatewayKit) -> None:
    from services.gateway.consumers import on_swap_changed

    asked = gw.add_user("lawyer", lawyer_id="L-2")
    swap = {
        "swap_id": "W-1",
        "assignment_id": "A-1",
        "from_lawyer_id": "L-1",
        "to_lawyer_id": "L-2",
        "station_id": "S-1",
        "date": date(2026, 12, 3),
        "start_time": "09:30",
        "end_time": "13:30",
    }
    with gw.session() as session:
        session.add(
            LawyerEntry(
                id="L-1",
                name="阿依古丽",
                status="practising",
                region_code="654021",
                updated_at=datetime.now(UTC),
            )
        )
        session.flush()
        on_swap_changed(session, {"id": str(uuid.uuid4())}, {**swap, "status": "requested"})
        on_swap_changed(session, {"id": str(uuid.uuid4())}, {**swap, "status": "accepted"})
        on_swap_changed(session, {"id": str(uuid.uuid4())}, {**swap, "status": "approved"})
        session.commit()
        by_lawyer = {(n.lawyer_id, n.kind) for n in session.scalars(select(Notification))}
    assert by_lawyer == {("L-2", "swap_requested"), ("L-1", "swap_accepted")}
    mine = gw.client.get("/api/me/notifications", headers=gw.auth(asked)).get_json()["items"]
    assert mine[0]["message"] == "阿依古丽 asks you to take their duty of 2026-12-03 09:30–13:30."


def test_every_finance_user_hears_when_a_budget_reaches_a_threshold_and_reads_it_for_themself(
    gw: GatewayKit,
) -> None:
    from services.gateway.consumers import on_budget_threshold_reached

    wang, li = gw.add_user("finance"), gw.add_user("finance")
    gone = gw.add_user("finance")
    scheduler, lawyer = gw.add_user("scheduler"), gw.add_user("lawyer", lawyer_id="L-7")
    with gw.session() as session:
        session.get(User, gone.id).disabled = True
        session.commit()
    with gw.session() as session:
        on_budget_threshold_reached(
            session,
            {"id": str(uuid.uuid4())},
            {
                "budget_id": "B-1",
                "region_code": "654021",
                "kind": "station_duty",
                "year": 2026,
                "amount": Decimal("10000.00"),
                "committed": Decimal("8000.00"),
                "threshold": 80,
            },
        )
        session.commit()
        addressed = sorted(n.user_id for n in session.scalars(select(Notification)))
    assert addressed == sorted([wang.id, li.id])  # not the disabled one
    seen = gw.client.get("/api/me/notifications", headers=gw.auth(wang)).get_json()
    assert (seen["total"], seen["unread"]) == (1, 1)
    notice = seen["items"][0]
    assert notice["kind"] == "budget_threshold_reached"
    assert (
        notice["message"]
        == "The 2026 station duty budget of 654021 is 80 % committed: 8000.00 of 10000.00 yuan."
    )
    assert notice["data"]["budget_id"] == "B-1"
    assert (
        gw.client.post(f"/api/me/notifications/{notice['id']}/read", headers=gw.auth(wang)).status_code == 200
    )
    assert gw.client.get("/api/me/notifications", headers=gw.auth(li)).get_json()["unread"] == 1
    assert (
        gw.client.post(f"/api/me/notifications/{notice['id']}/read", headers=gw.auth(li)).status_code == 404
    )
    for other in (scheduler, lawyer):
        assert gw.client.get("/api/me/notifications", headers=gw.auth(other)).get_json()["total"] == 0
    assert gw.client.post("/api/me/notifications/read-all", headers=gw.auth(li)).get_json() == {"marked": 1}
