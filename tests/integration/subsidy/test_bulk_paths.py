"""The bulk paths (imports, the benchmark): the same rules, records and events as one claim at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.common.db import UnitOfWork
from services.common.events import parse_envelope
from services.common.web import runtime
from services.subsidy.service.bulk import submit_claims_in_bulk
from services.subsidy.service.bulk_approval import approve_claims_in_bulk
from services.subsidy.service.errors import Invalid

from .conftest import Kit, mediation_scheme


def _case(i: int, *, lawyer: str = "L1", difficulty: str = "ordinary", day: int = 3) -> dict[str, Any]:
    return {
        "kind": "mediation_case",
        "lawyer_id": lawyer,
        "region_code": "654021",
        "case_no": f"B-{i}",
        "service_date": date(2026, 5, day),
        "attributes": {"difficulty": difficulty, "agreement": i % 2 == 0},
    }


def _uow(kit: Kit) -> UnitOfWork:
    return UnitOfWork(runtime(kit.app).session_factory, producer="subsidy")


@pytest.fixture
def imported(kit: Kit) -> Kit:
    kit.add_lawyer("L1")
    kit.add_lawyer("L2")
    kit.create_scheme(mediation_scheme(monthly_cap_per_lawyer="1000.00"))
    kit.create_budget("100000.00")
    return kit


def test_an_import_prices_each_case_as_one_submission_would_including_the_monthly_cap(imported: Kit) -> None:
    single = imported.claim("L2", attributes={"difficulty": "ordinary", "agreement": True})
    with _uow(imported) as uow:
        result = submit_claims_in_bulk(uow, claims=[_case(i) for i in range(5)], submitted_by="import-1")
        uow.commit()
    assert result["created"] == 5
    claims = imported.client.get(
        "/api/subsidy/claims?lawyer_id=L1&limit=10", headers=imported.finance()
    ).json["items"]
    # 300, 200, 300, 200 reach the 1000.00 cap; the fifth (300) gets nothing
    assert sorted(c["amount"] for c in claims) == ["0.00", "200.00", "200.00", "300.00", "300.00"]
    agreed = next(c for c in claims if c["case_no"] == "B-0")
    assert agreed["breakdown"] == single["breakdown"]
    assert agreed["document_no"] == single["document_no"]
    created = imported.events("subsidy.claim.created")
    assert len(created) == 6
    for envelope in created:  # every event of the import keeps the wire contract
        _, data = parse_envelope(envelope)
        assert data["status"] == "pending"
        assert data["kind"] == "mediation_case"
    by_claim = {e["data"]["claim_id"]: e["data"] for e in created}
    for claim in claims:  # the first envelope of an import is built by make_envelope, the others alike
        assert by_claim[claim["id"]] == {
            "claim_id": claim["id"],
            "kind": "mediation_case",
            "lawyer_id": "L1",
            "amount": claim["amount"],
            "status": "pending",
            "service_date": "2026-05-03",
        }
    assert imported.client.get("/api/subsidy/audit/verify", headers=imported.finance()).json["ok"] is True


def test_an_import_with_a_bad_case_records_nothing_and_names_it(imported: Kit) -> None:
    before = (imported.count("claims"), imported.count("audit_records"), imported.outbox_size())
    bad = [_case(1), _case(2, difficulty="enormous"), _case(3, lawyer="L9"), _case(1)]
    with _uow(imported) as uow, pytest.raises(Invalid) as refused:
        submit_claims_in_bulk(uow, claims=bad, submitted_by="import-1")
    assert {"1.attributes.difficulty", "2.lawyer_id", "3.case_no"} <= set(refused.value.errors)
    imported.claim("L1", case_no="B-7")
    with (
        _uow(imported) as uow,
        pytest.raises(Invalid) as claimed,
    ):  # a case already claimed is named, not a 409
        submit_claims_in_bulk(uow, claims=[_case(6), _case(7)], submitted_by="import-1")
    assert claimed.value.errors == {"1.case_no": ["a mediation_case claim for case B-7 already exists"]}
    assert imported.count("claims") == before[0] + 1


def test_bulk_approval_commits_each_budget_once_and_refuses_all_when_one_is_short(imported: Kit) -> None:
    with _uow(imported) as uow:
        ids = submit_claims_in_bulk(
            uow, claims=[_case(i, day=1 + i) for i in range(3)], submitted_by="import-1"
        )["ids"]
        uow.commit()
    with _uow(imported) as uow, pytest.raises(Exception, match="submitted by import-1"):
        approve_claims_in_bulk(uow, claim_ids=ids, by_user="import-1")  # maker-checker holds in bulk too
    with _uow(imported) as uow:
        result = approve_claims_in_bulk(uow, claim_ids=ids, by_user="finance-li")
        uow.commit()
    assert result == {"approved": 3, "total": result["total"]}
    assert str(result["total"]) == "800.00"
    budget = imported.client.get("/api/subsidy/budgets", headers=imported.finance()).json["items"][0]
    assert budget["committed"] == "800.00"
    assert len(imported.events("subsidy.claim.approved")) == 3
    small = imported.create_budget("100.00", region_code="654021")
    with _uow(imported) as uow:
        more = submit_claims_in_bulk(
            uow, claims=[_case(10, day=20), _case(11, day=21)], submitted_by="import-2"
        )["ids"]
        uow.commit()
    with _uow(imported) as uow, pytest.raises(Exception, match="overspend"):
        approve_claims_in_bulk(uow, claim_ids=more, by_user="finance-li")
    shown = imported.client.get(f"/api/subsidy/budgets/{small['id']}", headers=imported.finance()).json
    assert shown["committed"] == "0.00"


def test_an_import_counts_what_the_lawyer_already_claimed_that_month_towards_the_cap(imported: Kit) -> None:
    imported.claim(
        "L1", attributes={"difficulty": "difficult", "agreement": True}, service_date="2026-05-28"
    )  # 600
    imported.claim("L1", attributes={"difficulty": "simple"}, service_date="2026-06-01")  # another month
    with _uow(imported) as uow:
        submit_claims_in_bulk(uow, claims=[_case(1), _case(3)], submitted_by="import-1")  # 200 each
        uow.commit()
    may = imported.client.get(
        "/api/subsidy/claims?lawyer_id=L1&month=2026-05", headers=imported.finance()
    ).json
    assert sorted(c["amount"] for c in may["items"]) == ["200.00", "200.00", "600.00"]
    with _uow(imported) as uow:
        submit_claims_in_bulk(uow, claims=[_case(5), _case(7)], submitted_by="import-2")
        uow.commit()
    may = imported.client.get(
        "/api/subsidy/claims?lawyer_id=L1&month=2026-05", headers=imported.finance()
    ).json
    assert sorted(c["amount"] for c in may["items"]) == ["0.00", "0.00", "200.00", "200.00", "600.00"]


def test_ids_made_at_once_are_version_4_uuids_spelled_as_one_made_alone() -> None:
    import uuid

    from services.subsidy.service.claims import new_id, new_ids

    made = new_ids(5000)
    assert len(set(made)) == 5000
    assert new_ids(0) == []
    for text in made:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)
        assert len(text) == len(new_id())


def test_claims_written_through_the_fast_path_are_stored_as_core_stores_them(kit: Kit) -> None:
    from datetime import UTC, datetime, timedelta, timezone
    from decimal import Decimal

    from sqlalchemy import insert, text

    from services.subsidy.adapters.fast_insert import insert_as_core
    from services.subsidy.adapters.orm import claims_table

    shared = [{"rule": "base", "amount": "200.00"}]

    def rows(prefix: str) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{prefix}-{i}",
                "kind": "mediation_case",
                "case_no": f"{prefix}-(2026)伊调字第{i}号",
                "lawyer_id": "L1",
                "region_code": "654021",
                "service_date": date(2026, 5, 3 + i),
                "attributes": {"difficulty": "ordinary", "agreement": i == 0, "note": 'a "quoted" 说明'},
                "amount": Decimal("300.5") if i else Decimal("0.00"),
                "breakdown": shared,
                "scheme_id": None,
                "document_no": "伊州司发〔2026〕1号",
                "status": "pending",
                "submitted_by": "import-1",
                "submitted_at": datetime(2026, 5, 20, 9, 30, 1, 123456, tzinfo=timezone(timedelta(hours=8))),
                "reviewed_by": None,
                "reviewed_at": datetime(2026, 5, 21, tzinfo=UTC) if i else None,
                "reason": None,
                "budget_id": None,
                "batch_id": None,
                "paid_at": None,
                "assignment_id": None,
                "documents": None if i else ["申请表", "结案报告"],
            }
            for i in range(2)
        ]

    with kit.engine.begin() as conn:
        insert_as_core(conn, claims_table, rows("fast"), chunk=1)
        conn.execute(insert(claims_table), rows("core"))
    columns = [c.name for c in claims_table.columns if c.name not in ("id", "case_no")]
    listed = ", ".join(f"CAST({name} AS TEXT)" for name in columns)
    with kit.engine.connect() as conn:
        stored = {
            prefix: conn.execute(
                text(f"SELECT {listed} FROM claims WHERE id LIKE :p ORDER BY id"), {"p": f"{prefix}-%"}
            ).all()
            for prefix in ("fast", "core")
        }
    assert len(stored["fast"]) == 2
    assert stored["fast"] == stored["core"]  # the same text in every column, JSON null and NULL alike


def test_an_imported_claim_is_audited_with_what_a_single_submission_records(imported: Kit) -> None:
    from sqlalchemy import select

    from services.subsidy.adapters.orm import audit_table

    attributes = {"difficulty": "ordinary", "agreement": True}
    single = imported.claim("L2", case_no="S-1", service_date="2026-05-12", attributes=attributes)
    with _uow(imported) as uow:
        result = submit_claims_in_bulk(
            uow, claims=[{**_case(1, day=12), "attributes": attributes}], submitted_by="import-1"
        )
        uow.commit()
    with imported.engine.connect() as conn:
        records = {
            row.entity_id: row
            for row in conn.execute(select(audit_table).where(audit_table.c.action == "claim.created"))
        }
    alone, imported_one = records[single["id"]], records[result["ids"][0]]
    assert (alone.entity, alone.before, alone.reason) == (imported_one.entity, imported_one.before, None)
    assert {**imported_one.after, "case_no": "S-1", "lawyer_id": "L2"} == alone.after
    assert alone.after["amount"] == "300.00"
    assert imported.client.get("/api/subsidy/audit/verify", headers=imported.finance()).json["ok"] is True
