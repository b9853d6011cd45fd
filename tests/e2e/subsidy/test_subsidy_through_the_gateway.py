"""The subsidy service in the running system (`make run`'s processes, embedded broker, demo data): a completed
duty published by the roster becomes a priced claim, a lawyer submits a case, finance approves, pays in a
batch for the bank, and the lawyer hears about it, all through the gateway."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from services.common.connections import connection_for
from services.common.events import make_envelope
from services.common.publisher import Outgoing, Publisher
from tests.buskit import wait_for
from tests.e2e.stack import Stack

LAWYER = "e2e-lawyer-1"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("subsidy-e2e") / "var").start()
    yield s
    s.stop()


class Caller:
    def __init__(self, stack: Stack, token: str):
        self.base, self.headers = stack.url() + "/api", {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, params=params, timeout=10)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(self.base + path, headers=self.headers, json=body, timeout=10)

    def put(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.put(self.base + path, headers=self.headers, json=body, timeout=10)

    def patch(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.patch(self.base + path, headers=self.headers, json=body, timeout=10)


def _user(stack: Stack, admin: Caller, role: str, lawyer_id: str | None = None) -> Caller:
    """A new user; a lawyer user once the gateway's own lawyer directory has the lawyer."""
    username, password = f"{role}-{uuid.uuid4().hex[:6]}", "a-long-enough-password"
    body = {"username": username, "password": password, "role": role, "lawyer_id": lawyer_id}
    wait_for(lambda: admin.post("/users", body).status_code == 201, timeout=60, what=f"the {role} user")
    return Caller(stack, stack.token(username, password))


def _publish(stack: Stack, event_type: str, data: dict[str, Any]) -> None:
    """What the roster's relay does: an event on the exchange (here the embedded broker of the stack)."""
    envelope = make_envelope(event_type, data, producer="roster")
    publisher = Publisher(connection_for(stack.data_dir, None))
    try:
        result = publisher.publish([Outgoing(envelope["id"], event_type, json.dumps(envelope).encode(), {})])
        assert envelope["id"] in result.confirmed
    finally:
        publisher.close()


def test_a_duty_and_a_case_are_claimed_approved_paid_and_exported_through_the_gateway(stack: Stack) -> None:
    admin = Caller(stack, stack.token())
    finance, checker = _user(stack, admin, "finance"), _user(stack, admin, "finance")

    # the roster tells the gateway and the subsidy service about a lawyer, then about a completed duty
    _publish(
        stack,
        "roster.lawyer.upserted",
        {
            "id": LAWYER,
            "name": "古丽娜尔",
            "license_no": "16540202010123456",
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh", "kk"],
            "max_duties_per_month": 8,
        },
    )
    lawyer = _user(stack, admin, "lawyer", LAWYER)
    _publish(
        stack,
        "roster.duty.completed",
        {
            "assignment_id": f"a-{uuid.uuid4().hex[:8]}",
            "lawyer_id": LAWYER,
            "station_id": "s-1",
            "station_level": "township",
            "region_code": "654021",
            "date": date(2026, 5, 4),
            "start_time": "09:30",
            "end_time": "18:00",
            "checked_in_at": datetime(2026, 5, 4, 1, 30, tzinfo=UTC),
            "checked_out_at": datetime(2026, 5, 4, 10, 0, tzinfo=UTC),
            "holiday": False,
        },
    )
    duty = wait_for(
        lambda: finance.get("/subsidy/claims", kind="station_duty", lawyer_id=LAWYER).json()["items"],
        timeout=60,
        what="the station-duty claim",
    )[0]
    assert duty["amount"] == "150.00"
    assert duty["document_no"] == "伊州司发〔2025〕18号"

    # the lawyer submits a mediated case of their own; another lawyer's would be refused
    body = {
        "kind": "mediation_case",
        "lawyer_id": LAWYER,
        "region_code": "654021",
        "case_no": "(2026)伊调字第0001号",
        "service_date": "2026-05-20",
        "attributes": {"difficulty": "difficult", "agreement": True},
    }
    case = lawyer.post("/subsidy/claims", body)
    assert case.status_code == 201, case.text
    assert case.json()["amount"] == "600.00"
    assert (
        lawyer.post("/subsidy/claims", {**body, "lawyer_id": "someone-else", "case_no": "x"}).status_code
        == 403
    )
    assert lawyer.post(f"/subsidy/claims/{duty['id']}/approve").status_code == 403

    for claim_id in (duty["id"], case.json()["id"]):
        approved = checker.post(f"/subsidy/claims/{claim_id}/approve")
        assert approved.status_code == 200, approved.text
    # no batch pays a lawyer without a bank account; the lawyer records theirs (seen masked)
    refused = finance.post("/subsidy/payment-batches", {"month": "2026-05", "region_code": "654021"})
    assert refused.status_code == 409
    assert LAWYER in refused.json()["detail"]
    account = {
        "account_name": "古丽娜尔",
        "account_no": "6222020200112233445566",
        "bank_name": "中国工商银行",
        "branch": "伊宁市解放路支行",
    }
    letters = lawyer.put(
        f"/subsidy/lawyers/{LAWYER}/bank-account", {**account, "account_no": "62220202001122A"}
    )
    assert letters.status_code == 422
    assert "account_no" in letters.json()["errors"]
    recorded = lawyer.put(f"/subsidy/lawyers/{LAWYER}/bank-account", account)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["account_no"] == "****5566"
    assert (
        finance.get(f"/subsidy/lawyers/{LAWYER}/bank-account").json()["account_no"] == account["account_no"]
    )
    batch = finance.post("/subsidy/payment-batches", {"month": "2026-05", "region_code": "654021"})
    assert batch.status_code == 201, batch.text
    assert batch.json()["total"] == "750.00"
    assert batch.json()["total_in_words"] == "人民币柒佰伍拾元整"
    batch_path = f"/subsidy/payment-batches/{batch.json()['id']}"
    bank_csv = finance.get(f"{batch_path}/bank-file", profile="icbc-daifa-csv")
    assert bank_csv.status_code == 200, bank_csv.text
    assert list(csv.reader(io.StringIO(bank_csv.content.decode("gbk"))))[1:] == [
        [
            "古丽娜尔",
            "6222020200112233445566",
            "中国工商银行伊宁市解放路支行",
            "750.00",
            "律师公共法律服务补贴2026-05",
        ]
    ]
    workbook = load_workbook(
        io.BytesIO(finance.get(f"{batch_path}/bank-file", profile="generic-xlsx").content)
    )
    [number_cell] = [c for c in workbook.active[2] if c.value == account["account_no"]]
    assert number_cell.data_type == "s"
    unknown = finance.get(f"{batch_path}/bank-file", profile="abc-bank")
    assert unknown.status_code == 404
    assert "abc-bank" in unknown.json()["detail"]
    voucher = finance.get(f"{batch_path}/voucher")
    assert "人民币柒佰伍拾元整" in voucher.text
    assert "default-src 'none'" in voucher.headers["Content-Security-Policy"]
    exported = requests.get(
        f"{finance.base}/subsidy/payment-batches/{batch.json()['id']}/export.csv",
        headers=finance.headers,
        timeout=10,
    )
    assert exported.status_code == 200
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][2] == "古丽娜尔"
    assert Decimal(rows[-1][4]) == Decimal("750.00")
    assert finance.post(f"/subsidy/payment-batches/{batch.json()['id']}/mark-paid").status_code == 200

    # the lawyer sees their paid claims, and hears about them from the gateway
    mine = lawyer.get("/subsidy/claims").json()
    assert {c["status"] for c in mine["items"]} == {"paid"}
    assert mine["total"] == 2
    kinds = wait_for(
        lambda: (
            {n["kind"] for n in lawyer.get("/me/notifications").json()["items"]} >= {"claim_paid"}
            and {n["kind"] for n in lawyer.get("/me/notifications").json()["items"]}
        ),
        timeout=60,
        what="the lawyer's claim_paid notification",
    )
    assert "claim_approved" in kinds
    assert admin.get("/subsidy/audit/verify").json()["ok"] is True


def test_finance_hears_through_the_gateway_when_a_budget_is_80_percent_committed(stack: Stack) -> None:
    admin = Caller(stack, stack.token())
    finance, checker = _user(stack, admin, "finance"), _user(stack, admin, "finance")
    lawyer_id = f"e2e-lawyer-{uuid.uuid4().hex[:6]}"
    _publish(
        stack,
        "roster.lawyer.upserted",
        {
            "id": lawyer_id,
            "name": "巴特尔",
            "license_no": "16540202010123457",
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh"],
            "max_duties_per_month": 8,
        },
    )
    budget = finance.post(
        "/subsidy/budgets",
        {"region_code": "654021", "kind": "station_duty", "year": 2027, "amount": "180.00"},
    )
    assert budget.status_code == 201, budget.text
    _publish(
        stack,
        "roster.duty.completed",
        {
            "assignment_id": f"a-{uuid.uuid4().hex[:8]}",
            "lawyer_id": lawyer_id,
            "station_id": "s-1",
            "station_level": "township",
            "region_code": "654021",
            "date": date(2027, 3, 2),
            "start_time": "09:30",
            "end_time": "18:00",
            "checked_in_at": datetime(2027, 3, 2, 1, 30, tzinfo=UTC),
            "checked_out_at": datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
            "holiday": False,
        },
    )
    duty = wait_for(
        lambda: finance.get("/subsidy/claims", lawyer_id=lawyer_id).json()["items"],
        timeout=60,
        what="the station-duty claim",
    )[0]
    assert checker.post(f"/subsidy/claims/{duty['id']}/approve").status_code == 200  # 150.00 of 180.00

    def warnings(caller: Caller) -> list[dict[str, Any]]:
        items = caller.get("/me/notifications").json()["items"]
        return [
            n
            for n in items
            if n["kind"] == "budget_threshold_reached" and n["data"]["budget_id"] == budget.json()["id"]
        ]

    [notice] = wait_for(
        lambda: warnings(finance), timeout=60, what="finance to hear the budget is 80 % committed"
    )
    assert notice["data"]["threshold"] == 80
    assert "80 %" in notice["message"]
    assert len(wait_for(lambda: warnings(checker), timeout=60, what="every finance user to hear it")) == 1
    estimate = finance.post(
        "/subsidy/estimates",
        {
            "duties": [
                {
                    "region_code": "654021",
                    "station_level": "township",
                    "date": "2027-03-03",
                    "start_time": "09:30",
                    "end_time": "18:00",
                }
            ]
        },
    )
    assert estimate.status_code == 200, estimate.text
    assert estimate.json()["by_region"][0]["budget_remaining"] == "30.00"


def test_an_imported_legal_aid_file_is_completed_graded_and_then_approved_through_the_gateway(
    stack: Stack,
) -> None:
    admin = Caller(stack, stack.token())
    finance, checker = _user(stack, admin, "finance"), _user(stack, admin, "finance")
    _publish(
        stack,
        "roster.lawyer.upserted",
        {
            "id": LAWYER,
            "name": "古丽娜尔",
            "license_no": "16540202010123456",
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh", "kk"],
            "max_duties_per_month": 8,
        },
    )
    wait_for(
        lambda: finance.get("/subsidy/claims", lawyer_id=LAWYER).status_code == 200,
        timeout=30,
        what="the subsidy service",
    )

    # a legal-aid centre's month, as GBK CSV from older software, imported whole by finance
    csv_text = (
        "案件类型,律师编号,行政区划代码,案号,服务日期,材料,案件类别,诉讼阶段,语言\n"
        f"法律援助,{LAWYER},654021,(2026)伊援字第0701号,2026-07-15,指派通知书,criminal,first_instance,kk\n"
    )
    imported = wait_for(
        lambda: (
            (
                r := requests.post(
                    f"{finance.base}/subsidy/claims/imports",
                    data=csv_text.encode("gbk"),
                    timeout=30,
                    headers={**finance.headers, "Content-Type": "text/csv; charset=gbk"},
                )
            ).status_code
            == 201
            and r
        ),
        timeout=30,
        what="the import (the subsidy service knows the lawyer)",
    )
    claim = imported.json()["claims"][0]
    assert claim["amount"] == "2500.00"  # the July 2026 standard: 2200 criminal first instance + 300 Kazakh

    # the raised standard pays a complete, graded file: each step refused in turn, named
    missing = checker.post(f"/subsidy/claims/{claim['id']}/approve")
    assert missing.status_code == 409
    assert "委托代理协议, 结案报告" in missing.json()["detail"]
    assert (
        finance.patch(
            f"/subsidy/claims/{claim['id']}", {"documents": ["指派通知书", "委托代理协议", "结案报告"]}
        ).status_code
        == 200
    )
    ungraded = checker.post(f"/subsidy/claims/{claim['id']}/approve")
    assert ungraded.status_code == 409
    assert "not graded" in ungraded.json()["detail"]
    assert (
        finance.post(f"/subsidy/claims/{claim['id']}/grade", {"grade": "good"}).status_code == 403
    )  # submitter
    graded = checker.post(f"/subsidy/claims/{claim['id']}/grade", {"grade": "excellent", "note": "卷宗规范"})
    assert graded.status_code == 200, graded.text
    assert graded.json()["amount"] == "2720.00"  # 2200 x 1.10 + 300
    assert graded.json()["breakdown"][-1]["rule"] == "grade"
    assert (
        finance.post(f"/subsidy/claims/{claim['id']}/approve").status_code == 403
    )  # the importer never approves
    approved = checker.post(f"/subsidy/claims/{claim['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["amount"] == "2720.00"
    assert checker.post(f"/subsidy/claims/{claim['id']}/grade", {"grade": "fail"}).status_code == 409
    assert admin.get("/subsidy/audit/verify").json()["ok"] is True
