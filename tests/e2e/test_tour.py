"""The README tour, as the three kinds of users live it, through the gateway only, on `make run` with its
demo data: a scheduler publishes a roster, a lawyer checks in and out, the duty's subsidy claim appears and the
lawyer records their bank account; finance approves the claim, batches the month, downloads the bank's file and
the voucher, and marks the batch paid; the lawyer hears of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from services.roster.service.duties import today_in_beijing
from services.roster.service.ical import uid_of
from tests.buskit import wait_for
from tests.calendar_feeds import events
from tests.e2e.stack import Client, Stack, running_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_demo(tmp_path_factory, "tour")


def test_the_tour_from_roster_to_payment(stack: Stack) -> None:
    admin = Client(stack, stack.token())
    for username, role in (("scheduler", "scheduler"), ("finance", "finance")):
        created = admin.post("/users", {"username": username, "password": f"{username}-pass", "role": role})
        assert created.status_code == 201, created.text
    scheduler = Client(stack, stack.token("scheduler", "scheduler-pass"))
    finance = Client(stack, stack.token("finance", "finance-pass"))

    # the scheduler: the demo's published roster of this month, and a new one for next month
    [current] = scheduler.get("/roster/rosters", status="published").json()["items"]
    today = today_in_beijing()
    next_first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    next_last = (next_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    roster = scheduler.post(
        "/roster/rosters",
        {
            "region_code": "654021",
            "period_start": next_first.isoformat(),
            "period_end": next_last.isoformat(),
        },
    ).json()
    generated = scheduler.post(f"/roster/rosters/{roster['id']}/generate")
    assert generated.status_code in (200, 202), generated.text
    wait_for(
        lambda: scheduler.get(f"/roster/rosters/{roster['id']}").json()["status"] == "generated",
        timeout=60,
        what="the roster to be generated",
    )
    assert scheduler.post(f"/roster/rosters/{roster['id']}/publish").json()["status"] == "published"
    export = scheduler.get(f"/roster/rosters/{roster['id']}/export.xlsx")
    assert export.status_code == 200
    assert export.content[:2] == b"PK"

    # a lawyer on duty today: the demo has duties every day (Yining County keeps weekend and holiday duty)
    todays = scheduler.get(f"/roster/rosters/{current['id']}/assignments", date=today.isoformat()).json()[
        "items"
    ]
    duty = next(d for d in todays if d["role"] == "lawyer")
    # the gateway knows lawyers from roster.lawyer.upserted events: right after start it may still be catching up
    lawyer_user = wait_for(
        lambda: (
            (
                r := admin.post(
                    "/users",
                    {
                        "username": "lawyer",
                        "password": "lawyer-pass",
                        "role": "lawyer",
                        "lawyer_id": duty["lawyer_id"],
                    },
                )
            ).status_code
            == 201
            and r
        ),
        timeout=60,
        interval=0.5,
        what="the gateway's lawyer directory to know the lawyer",
    )
    assert lawyer_user.json()["lawyer_id"] == duty["lawyer_id"]
    lawyer = Client(stack, stack.token("lawyer", "lawyer-pass"))
    page = lawyer.get("/me").json()
    assert any(d["id"] == duty["id"] for d in page["upcoming_duties"]["items"])
    feed = lawyer.get("/roster/me/duties.ics")
    assert feed.status_code == 200
    assert b"BEGIN:VCALENDAR" in feed.content
    # the phone subscribes to the secret address, sending no token
    subscription = requests.get(lawyer.post("/roster/me/calendar-link").json()["url"], timeout=30)
    assert subscription.status_code == 200
    assert uid_of(duty["id"]) in events(subscription.content)
    assert lawyer.post(f"/roster/assignments/{duty['id']}/check-in").json()["status"] == "checked_in"
    assert lawyer.post(f"/roster/assignments/{duty['id']}/check-out").json()["status"] == "completed"

    # the completed duty becomes exactly one station-duty claim
    month = today.strftime("%Y-%m")
    claims = wait_for(
        lambda: lawyer.get("/subsidy/claims", month=month).json()["items"],
        timeout=60,
        what="the duty's subsidy claim",
    )
    [claim] = [c for c in claims if c["kind"] == "station_duty"]
    assert claim["status"] == "pending"
    assert float(claim["amount"]) > 0
    account = lawyer.put(
        f"/subsidy/lawyers/{duty['lawyer_id']}/bank-account",
        {
            "account_name": page["lawyer"]["name"],
            "account_no": "6222020200112233445",
            "bank_name": "中国工商银行",
            "branch": "伊宁市解放路支行",
        },
    )
    assert account.status_code == 200, account.text
    assert account.json()["account_no"] == "****3445"  # the lawyer too sees only the last four digits
    approved = finance.post(f"/subsidy/claims/{claim['id']}/approve")
    assert approved.status_code == 200, approved.text
    batch = finance.post("/subsidy/payment-batches", {"month": month})
    assert batch.status_code == 201, batch.text
    lines = batch.json()["lines"]
    assert [line["lawyer_id"] for line in lines] == [duty["lawyer_id"]]
    export = finance.get(f"/subsidy/payment-batches/{batch.json()['id']}/export.csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert any(claim["amount"] in row for row in rows)
    bank_file = finance.get(
        f"/subsidy/payment-batches/{batch.json()['id']}/bank-file", profile="icbc-daifa-csv"
    )
    assert bank_file.status_code == 200, bank_file.text
    [header, row] = list(csv.reader(io.StringIO(bank_file.content.decode("gbk"))))
    assert "6222020200112233445" in row
    assert claim["amount"] in row
    voucher = finance.get(f"/subsidy/payment-batches/{batch.json()['id']}/voucher")
    assert batch.json()["total_in_words"].startswith("人民币")
    assert batch.json()["total_in_words"] in voucher.text
    assert finance.post(f"/subsidy/payment-batches/{batch.json()['id']}/mark-paid").status_code == 200
    assert lawyer.get(f"/subsidy/claims/{claim['id']}").json()["status"] == "paid"
    wait_for(
        lambda: any(n["kind"] == "claim_paid" for n in lawyer.get("/me/notifications").json()["items"]),
        timeout=60,
        what="the lawyer to hear the claim was paid",
    )
