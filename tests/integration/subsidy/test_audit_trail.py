"""The audit trail: every change recorded with who, what, before and after; the hash chain shows the first
record someone edited, removed or cut off, over the API and from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from services.subsidy.cli import audit_verify

from .conftest import ROOT, Kit, mediation_scheme


@pytest.fixture
def history(kit: Kit) -> Kit:
    """scheme (1), budget (2), claim created (3), approved (4) + budget committed (5), claim created (6),
    rejected (7)."""
    kit.add_lawyer("L1")
    kit.create_scheme(mediation_scheme())
    kit.create_budget("1000.00")
    kit.approve(kit.claim("L1")["id"])
    second = kit.claim("L1")
    kit.client.post(
        f"/api/subsidy/claims/{second['id']}/reject", json={"reason": "重复申报"}, headers=kit.finance()
    )
    return kit


def _verify(kit: Kit) -> dict:
    response = kit.client.get("/api/subsidy/audit/verify", headers=kit.finance())
    assert response.status_code == 200
    return response.json


def test_every_change_is_recorded_with_who_what_before_after_and_why(history: Kit) -> None:
    records = history.client.get("/api/subsidy/audit?limit=1000", headers=history.headers("admin")).json
    assert [r["action"] for r in reversed(records["items"])] == [
        "scheme.created",
        "budget.created",
        "claim.created",
        "claim.approved",
        "budget.committed",
        "claim.created",
        "claim.rejected",
    ]
    rejected = records["items"][0]
    assert rejected["actor"] == "finance-wang"
    assert rejected["reason"] == "重复申报"
    assert (rejected["before"]["status"], rejected["after"]["status"]) == ("pending", "rejected")
    committed = records["items"][2]
    assert (committed["before"], committed["after"]["committed"]) == ({"committed": "0.00"}, "200.00")
    assert all(
        r["prev_hash"] == n["hash"] for r, n in zip(records["items"], records["items"][1:], strict=False)
    )
    one_claim = history.client.get(
        f"/api/subsidy/audit?entity=claim&entity_id={rejected['entity_id']}", headers=history.finance()
    ).json
    assert [r["action"] for r in one_claim["items"]] == ["claim.rejected", "claim.created"]
    assert history.client.get("/api/subsidy/audit", headers=history.lawyer("L1")).status_code == 403


def test_an_intact_chain_verifies(history: Kit) -> None:
    assert _verify(history) == {
        "ok": True,
        "records": 7,
        "first_bad": None,
        "detail": "the audit chain is intact",
    }


def test_a_record_edited_in_the_database_is_named_as_the_first_bad_one(history: Kit) -> None:
    with history.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 4"))
        conn.execute(text("UPDATE audit_records SET actor = 'someone' WHERE seq = 6"))
    result = _verify(history)
    assert result["ok"] is False
    assert result["first_bad"]["seq"] == 4
    assert result["first_bad"]["action"] == "claim.approved"


def test_a_record_edited_with_its_hash_recomputed_breaks_the_next_link(history: Kit) -> None:
    from sqlalchemy.orm import Session

    from services.subsidy.adapters.orm import AuditRecordRow
    from services.subsidy.domain.audit import record_hash

    with Session(history.engine) as session:
        row = session.get_one(AuditRecordRow, 3)
        row.after = {**(row.after or {}), "amount": "9999.00"}
        row.hash = record_hash(
            row.prev_hash,
            {
                "seq": row.seq,
                "at": row.at,
                "actor": row.actor,
                "action": row.action,
                "entity": row.entity,
                "entity_id": row.entity_id,
                "before": row.before,
                "after": row.after,
                "reason": row.reason,
            },
        )
        session.commit()
    assert _verify(history)["first_bad"]["seq"] == 4


def test_records_removed_from_the_middle_or_the_end_are_noticed(history: Kit) -> None:
    with history.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq = 7"))
    cut = _verify(history)
    assert cut["ok"] is False
    assert cut["first_bad"]["seq"] == 7
    assert "removed from the end" in cut["detail"]
    with history.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    assert _verify(history)["first_bad"]["seq"] == 3


def test_the_command_line_check_exits_nonzero_and_names_the_record(
    history: Kit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit_verify(history.settings, []) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    with history.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET entity_id = 'x' WHERE seq = 5"))
    assert audit_verify(history.settings, []) == 1
    out = capsys.readouterr()
    assert json.loads(out.out)["first_bad"]["seq"] == 5
    assert "audit record 5" in out.err


def test_the_service_command_runs_the_check(sqlite_kit: Kit) -> None:
    sqlite_kit.create_scheme(mediation_scheme())
    env = {
        **os.environ,
        "SUBSIDY_DATABASE_URL": sqlite_kit.url,
        "LEGALDUTY_DATA_DIR": str(sqlite_kit.settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.subsidy", "audit-verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == 1
