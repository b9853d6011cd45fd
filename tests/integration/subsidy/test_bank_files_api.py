"""Money leaving as a bank file, on SQLite and PostgreSQL: lawyers' bank accounts (masked for all but
finance, audited), batches that refuse lawyers without one, bank files in every profile read back, the
voucher, budget warnings and estimates."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from services.common.db import UnitOfWork
from services.common.web import runtime
from services.subsidy.domain.bank_profiles import BY_NAME
from services.subsidy.service.bulk_approval import approve_claims_in_bulk

from .conftest import ILI, Kit, mediation_scheme, station_duty_scheme

NUMBERS = {"L1": "6222020200112233445566", "L2": "0012345678901"}  # 22 digits; a leading zero


@pytest.fixture
def paid_lawyers(kit: Kit) -> Kit:
    """Two lawyers with approved May claims (600.00 and 100.00) and their accounts."""
    kit.add_lawyer("L1", "阿依古丽·买买提")
    kit.add_lawyer("L2", "<b>王建国</b>")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("100000.00")
    for lawyer, difficulty in (("L1", "ordinary"), ("L1", "difficult"), ("L2", "simple")):
        assert kit.approve(kit.claim(lawyer, attributes={"difficulty": difficulty})["id"]).status_code == 200
    kit.give_account("L1", NUMBERS["L1"], name="阿依古丽·买买提")
    kit.give_account("L2", NUMBERS["L2"], name="王建国", branch=None)
    return kit


def _batch(kit: Kit) -> dict:
    response = kit.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=kit.finance()
    )
    assert response.status_code == 201, response.json
    return response.json


# ------------------------------------------------------------------------------------------- accounts


def test_finance_sees_an_account_whole_and_the_lawyer_only_its_last_four_digits(paid_lawyers: Kit) -> None:
    kit = paid_lawyers
    path = "/api/subsidy/lawyers/L1/bank-account"
    whole = kit.client.get(path, headers=kit.finance())
    assert whole.status_code == 200
    assert (whole.json["account_no"], whole.json["bank_name"], whole.json["updated_by"]) == (
        NUMBERS["L1"],
        "中国工商银行",
        "finance-zhao",
    )
    own = kit.client.get(path, headers=kit.lawyer("L1"))
    assert own.status_code == 200
    assert own.json["account_no"] == "****5566"
    assert kit.client.get(path, headers=kit.lawyer("L2")).status_code == 404
    for role in ("admin", "scheduler"):
        assert kit.client.get(path, headers=kit.headers(role)).status_code == 403
    assert kit.client.get("/api/subsidy/lawyers/L9/bank-account", headers=kit.finance()).status_code == 404


def test_a_lawyer_records_their_own_account_and_sees_it_masked(paid_lawyers: Kit) -> None:
    kit = paid_lawyers
    changed = kit.set_account("L2", "6217000010001234567", headers=kit.lawyer("L2"), bank_name="中国建设银行")
    assert changed.status_code == 200
    assert changed.json["account_no"] == "****4567"
    assert changed.json["updated_by"] == "user-of-L2"
    assert kit.client.get("/api/subsidy/lawyers/L2/bank-account", headers=kit.finance()).json[
        "account_no"
    ] == ("6217000010001234567")
    elsewhere = kit.set_account("L1", "6217000010001234567", headers=kit.lawyer("L2"))
    assert elsewhere.status_code == 404
    assert (
        kit.client.get("/api/subsidy/lawyers/L1/bank-account", headers=kit.finance()).json["account_no"]
        == NUMBERS["L1"]
    )


def test_every_change_of_an_account_is_audited_masked_with_who(paid_lawyers: Kit) -> None:
    kit = paid_lawyers
    assert kit.set_account("L1", "6217000010001234567", headers=kit.lawyer("L1")).status_code == 200
    assert (
        kit.set_account("L1", "6217000010001234567", headers=kit.lawyer("L1")).status_code == 200
    )  # no change
    records = kit.client.get(
        "/api/subsidy/audit?entity=bank_account&entity_id=L1", headers=kit.finance()
    ).json
    assert records["total"] == 2
    latest, first = records["items"]
    assert (first["actor"], first["before"], first["after"]["account_no"]) == (
        "finance-zhao",
        None,
        "****5566",
    )
    assert (latest["actor"], latest["before"]["account_no"], latest["after"]["account_no"]) == (
        "user-of-L1",
        "****5566",
        "****4567",
    )
    with kit.engine.connect() as conn:
        stored = " ".join(str(row) for row in conn.execute(text("SELECT before, after FROM audit_records")))
    assert "6217000010001234567" not in stored
    assert NUMBERS["L1"] not in stored
    assert kit.client.get("/api/subsidy/audit/verify", headers=kit.finance()).json["ok"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("account_no", "62220202001122334A5"),
        ("account_no", "622202"),
        ("account_no", "6" * 31),
        ("account_no", 6222020200112233445),
        ("account_name", "   "),
        ("bank_name", "=cmd|' /C calc'!A0"),
    ],
)
def test_an_account_a_bank_would_refuse_is_422_naming_the_field_and_nothing_is_stored(
    kit: Kit, field: str, value: object
) -> None:
    kit.add_lawyer("L1")
    records = kit.count("audit_records")
    response = (
        kit.set_account("L1", **{field: value}) if field != "account_no" else kit.set_account("L1", value)
    )  # type: ignore[arg-type]
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert kit.count("lawyer_bank_accounts") == 0
    assert kit.count("audit_records") == records


def test_an_account_for_a_lawyer_the_directory_does_not_know_is_404(kit: Kit) -> None:
    response = kit.set_account("nobody")
    assert response.status_code == 404
    assert "nobody" in response.json["detail"]


# ------------------------------------------------------------------------------------------- batches


def test_a_batch_with_a_lawyer_without_an_account_is_refused_naming_them(kit: Kit) -> None:
    kit.add_lawyer("L1", "阿依古丽·买买提")
    kit.add_lawyer("L2", "王建国")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("100000.00")
    for lawyer in ("L1", "L2"):
        assert kit.approve(kit.claim(lawyer)["id"]).status_code == 200
    kit.give_account("L2")
    refused = kit.client.post(
        "/api/subsidy/payment-batches", json={"month": "2026-05"}, headers=kit.finance()
    )
    assert refused.status_code == 409
    assert "L1 (阿依古丽·买买提)" in refused.json["detail"]
    assert "L2" not in refused.json["detail"]
    assert kit.count("payment_batches") == 0
    kit.give_account("L1")
    assert _batch(kit)["total"] == "400.00"


def test_a_batch_states_its_total_in_capitals(paid_lawyers: Kit) -> None:
    batch = _batch(paid_lawyers)
    assert (batch["total"], batch["total_in_words"]) == ("700.00", "人民币柒佰元整")
    shown = paid_lawyers.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}", headers=paid_lawyers.finance()
    )
    assert shown.json["total_in_words"] == "人民币柒佰元整"


def test_the_profiles_are_listed(paid_lawyers: Kit) -> None:
    response = paid_lawyers.client.get("/api/subsidy/profiles", headers=paid_lawyers.finance())
    assert response.status_code == 200
    profiles = {p["name"]: p for p in response.json["items"]}
    assert {"generic-xlsx", "icbc-daifa-csv"} <= set(profiles)
    assert (profiles["icbc-daifa-csv"]["file_type"], profiles["icbc-daifa-csv"]["encoding"]) == ("csv", "gbk")
    assert (
        paid_lawyers.client.get("/api/subsidy/profiles", headers=paid_lawyers.lawyer("L1")).status_code == 403
    )


@pytest.mark.parametrize("profile", sorted(BY_NAME))
def test_the_bank_file_in_each_profile_has_a_row_per_lawyer_text_account_numbers_and_no_totals_row(
    paid_lawyers: Kit, profile: str
) -> None:
    batch = _batch(paid_lawyers)
    response = paid_lawyers.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}/bank-file?profile={profile}",
        headers=paid_lawyers.finance(),
    )
    assert response.status_code == 200, response.json
    assert "attachment" in response.headers["Content-Disposition"]
    spec = BY_NAME[profile]
    sources = [c.source for c in spec.columns]
    if spec.file_type == "csv":
        assert response.headers["Content-Type"] == f"text/csv; charset={spec.encoding}"
        rows = list(csv.reader(io.StringIO(response.data.decode(spec.encoding), newline="")))
        body = rows[1:]
        numbers = [row[sources.index("account_no")] for row in body]
        amounts = [row[sources.index("amount")] for row in body]
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        body = [list(row) for row in sheet.iter_rows(min_row=2)]
        cells = [row[sources.index("account_no")] for row in body]
        assert {c.data_type for c in cells} == {"s"}
        numbers = [c.value for c in cells]
        amounts = [f"{Decimal(str(row[sources.index('amount')].value)):.2f}" for row in body]
        assert {row[sources.index("amount")].number_format for row in body} == {"0.00"}
    assert sorted(numbers) == sorted(NUMBERS.values())
    assert sorted(amounts) == ["100.00", "600.00"]
    assert len(body) == 2  # one row per lawyer, no totals row
    assert not any("合计" in str(v) or "Total" in str(v) for row in body for v in row)


def test_a_bank_file_in_a_profile_that_does_not_exist_is_404_naming_it(paid_lawyers: Kit) -> None:
    batch = _batch(paid_lawyers)
    path = f"/api/subsidy/payment-batches/{batch['id']}/bank-file"
    unknown = paid_lawyers.client.get(f"{path}?profile=abc-bank", headers=paid_lawyers.finance())
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/problem+json"
    assert "abc-bank" in unknown.json["detail"]
    assert "icbc-daifa-csv" in unknown.json["detail"]
    assert (
        paid_lawyers.client.get(path, headers=paid_lawyers.finance()).status_code == 422
    )  # no profile named
    assert (
        paid_lawyers.client.get(
            f"{path}?profile=generic-xlsx", headers=paid_lawyers.headers("admin")
        ).status_code
        == 403
    )
    assert (
        paid_lawyers.client.get(
            "/api/subsidy/payment-batches/nope/bank-file?profile=generic-xlsx", headers=paid_lawyers.finance()
        ).status_code
        == 404
    )


def test_a_payee_name_the_banks_encoding_cannot_write_is_409_naming_the_lawyer(paid_lawyers: Kit) -> None:
    paid_lawyers.give_account("L1", NUMBERS["L1"], name="ئايگۈل مەمەت")
    batch = _batch(paid_lawyers)
    path = f"/api/subsidy/payment-batches/{batch['id']}/bank-file"
    refused = paid_lawyers.client.get(f"{path}?profile=icbc-daifa-csv", headers=paid_lawyers.finance())
    assert refused.status_code == 409
    assert "L1" in refused.json["detail"]
    assert "gbk" in refused.json["detail"]
    assert (
        paid_lawyers.client.get(f"{path}?profile=generic-xlsx", headers=paid_lawyers.finance()).status_code
        == 200
    )


def test_the_voucher_is_a_printable_page_that_loads_nothing_from_elsewhere(paid_lawyers: Kit) -> None:
    batch = _batch(paid_lawyers)
    response = paid_lawyers.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}/voucher", headers=paid_lawyers.headers("admin")
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "http" not in policy
    page = response.get_data(as_text=True)
    for shown in (
        batch["id"],
        "2026-05",
        "700.00",
        "600.00",
        "人民币柒佰元整",
        "阿依古丽·买买提",
        "@media print",
    ):
        assert shown in page
    assert "<b>王建国</b>" not in page
    assert "&lt;b&gt;王建国&lt;/b&gt;" in page
    assert "src=" not in page
    assert "href=" not in page
    assert (
        paid_lawyers.client.get(
            f"/api/subsidy/payment-batches/{batch['id']}/voucher", headers=paid_lawyers.lawyer("L1")
        ).status_code
        == 403
    )


def test_the_report_export_keeps_its_totals_row(paid_lawyers: Kit) -> None:
    batch = _batch(paid_lawyers)
    report = paid_lawyers.client.get(
        f"/api/subsidy/payment-batches/{batch['id']}/export.csv", headers=paid_lawyers.finance()
    )
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"), newline="")))
    assert rows[-1][0] == "合计 Total"
    assert rows[-1][4] == "700.00"


# ------------------------------------------------------------------------------------------- budgets


def test_finance_hears_when_commitments_first_reach_80_and_95_percent_and_again_after_a_raise(
    kit: Kit,
) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    budget = kit.create_budget("1000.00")
    claims = [kit.claim("L1")["id"] for _ in range(9)]  # 200.00 each

    def warnings() -> list[tuple[int, str]]:
        return [
            (e["data"]["threshold"], e["data"]["committed"])
            for e in kit.events("subsidy.budget.threshold_reached")
        ]

    for claim_id in claims[:3]:
        assert kit.approve(claim_id).status_code == 200
    assert warnings() == []
    assert kit.approve(claims[3]).status_code == 200  # 800.00: 80 %
    assert warnings() == [(80, "800.00")]
    event = kit.events("subsidy.budget.threshold_reached")[0]["data"]
    assert event == {
        "budget_id": budget["id"],
        "region_code": ILI,
        "kind": "mediation_case",
        "year": 2026,
        "amount": "1000.00",
        "committed": "800.00",
        "threshold": 80,
    }
    assert kit.approve(claims[4]).status_code == 200  # 1000.00: 95 %, once
    assert warnings() == [(80, "800.00"), (95, "1000.00")]
    raised = kit.client.patch(
        f"/api/subsidy/budgets/{budget['id']}",
        json={"amount": "2000.00", "reason": "追加"},
        headers=kit.finance(),
    )
    assert raised.status_code == 200
    assert len(warnings()) == 2  # 50 %: both thresholds armed again
    for claim_id in claims[5:8]:
        assert kit.approve(claim_id).status_code == 200  # 1600.00: 80 % again
    assert warnings()[2:] == [(80, "1600.00")]
    cut = kit.client.patch(
        f"/api/subsidy/budgets/{budget['id']}",
        json={"amount": "1650.00", "reason": "调减"},
        headers=kit.finance(),
    )
    assert cut.status_code == 200  # 1600 of 1650: a cut reaches 95 %
    assert warnings()[3:] == [(95, "1600.00")]


# ------------------------------------------------------------------------------------------- estimates


def _duty(**overrides: object) -> dict[str, object]:
    return {
        "region_code": "654021",
        "station_level": "township",
        "date": "2026-05-12",
        "start_time": "09:00",
        "end_time": "18:00",
        **overrides,
    }


def test_an_estimate_prices_planned_duties_by_region_beside_the_budget_and_stores_nothing(kit: Kit) -> None:
    kit.create_scheme(station_duty_scheme())
    kit.create_budget("5000.00", kind="station_duty")
    before = (kit.count("audit_records"), kit.outbox_size(), kit.count("claims"))
    duties = [
        _duty(),
        _duty(end_time="12:00"),
        _duty(date="2026-05-01"),
        _duty(holiday=True),
        _duty(region_code="653101"),
    ]
    response = kit.client.post(
        "/api/subsidy/estimates", json={"duties": duties}, headers=kit.headers("scheduler")
    )
    assert response.status_code == 200, response.json
    by_region = {r["region_code"]: r for r in response.json["by_region"]}
    assert response.json["total"] == "690.00"  # 150 + 90 + 225 (Labour Day) + 225 (the caller's holiday)
    assert (by_region["654021"]["total"], by_region["654021"]["budget_remaining"]) == ("690.00", "5000.00")
    assert (
        by_region["653101"]["total"],
        by_region["653101"]["unpriced"],
        by_region["653101"]["budget_remaining"],
    ) == ("0.00", 1, None)
    assert (kit.count("audit_records"), kit.outbox_size(), kit.count("claims")) == before
    assert (
        kit.client.post("/api/subsidy/estimates", json={"duties": duties}, headers=kit.finance()).status_code
        == 200
    )
    assert (
        kit.client.post(
            "/api/subsidy/estimates", json={"duties": duties}, headers=kit.lawyer("L1")
        ).status_code
        == 403
    )


def test_an_estimate_of_100000_duties_is_refused_naming_the_limit(sqlite_kit: Kit) -> None:
    huge = sqlite_kit.client.post(
        "/api/subsidy/estimates", json={"duties": [_duty()] * 100_000}, headers=sqlite_kit.finance()
    )
    assert huge.status_code == 413  # over 10 MB of JSON
    assert huge.mimetype == "application/problem+json"
    assert "10 MB" in huge.json["detail"]
    many = sqlite_kit.client.post(
        "/api/subsidy/estimates", json={"duties": [_duty()] * 20_001}, headers=sqlite_kit.finance()
    )
    assert many.status_code == 422
    assert many.mimetype == "application/problem+json"
    assert "at most 20000 duties" in " ".join(many.json["errors"]["duties"])
    fine = sqlite_kit.client.post(
        "/api/subsidy/estimates", json={"duties": [_duty()] * 20_000}, headers=sqlite_kit.finance()
    )
    assert fine.status_code == 200
    assert fine.json["by_region"][0]["duties"] == 20_000


def test_an_estimate_with_a_bad_duty_names_it(sqlite_kit: Kit) -> None:
    response = sqlite_kit.client.post(
        "/api/subsidy/estimates",
        json={"duties": [_duty(), _duty(station_level="palace", end_time="25:00")]},
        headers=sqlite_kit.finance(),
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"duties.1.station_level", "duties.1.end_time"}


def test_a_bulk_approval_announces_the_thresholds_it_passes_once(kit: Kit) -> None:
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("1000.00")
    ids = [kit.claim("L1")["id"] for _ in range(5)]  # 200.00 each
    with UnitOfWork(runtime(kit.app).session_factory, producer="subsidy") as uow:
        approve_claims_in_bulk(uow, claim_ids=ids, by_user="finance-li")
        uow.commit()
    assert [e["data"]["threshold"] for e in kit.events("subsidy.budget.threshold_reached")] == [80, 95]


def test_the_openapi_document_says_what_the_new_operations_take_and_give(sqlite_kit: Kit) -> None:
    spec = sqlite_kit.client.get("/openapi.json").json
    bank_file = spec["paths"]["/api/subsidy/payment-batches/{batch_id}/bank-file"]["get"]
    assert set(bank_file["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert [p["name"] for p in bank_file["parameters"] if p["in"] == "query"] == ["profile"]
    account = spec["components"]["schemas"]["BankAccountIn"]
    assert account["properties"]["account_no"]["pattern"] == "^[0-9]{10,30}$"
    assert set(account["required"]) == {"account_name", "account_no", "bank_name"}
    assert "total_in_words" in spec["components"]["schemas"]["BatchOut"]["required"]
    assert set(spec["paths"]["/api/subsidy/estimates"]["post"]["x-roles"]) == {"finance", "scheduler"}
