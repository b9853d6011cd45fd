"""Quality before money over HTTP: documents (一案一卷) added while pending, grading (案件质量评估) that prices
the claim again, and approval in the order documents -> grade -> budget, each refusal naming its step."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Kit, legal_aid_scheme

GRADED = {
    "required_documents": ["委托书", "结案报告"],
    "requires_grade": True,
    "adjustments": [
        {"when": {"grade": "fail"}, "multiply": "0", "label": "不合格 failed file"},
        {"when": {"grade": "excellent"}, "multiply": "1.10", "label": "优秀 excellent file"},
    ],
}


@pytest.fixture
def graded(kit: Kit) -> Kit:
    kit.add_lawyer("L1")
    kit.create_scheme(legal_aid_scheme(**GRADED))
    kit.create_budget("100000.00", kind="legal_aid_case")
    return kit


def _claim(kit: Kit, **body: Any) -> dict[str, Any]:
    response = kit.client.post(
        "/api/subsidy/claims",
        headers=kit.finance("finance-wang"),
        json={
            "kind": "legal_aid_case",
            "lawyer_id": "L1",
            "region_code": "654021",
            "case_no": "(2026)伊援字第7号",
            "service_date": "2026-05-12",
            "attributes": {"case_type": "civil", "stage": "first_instance"},
            **body,
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def _grade(kit: Kit, claim_id: str, grade: str, user: str = "finance-li", note: str | None = None) -> Any:
    return kit.client.post(
        f"/api/subsidy/claims/{claim_id}/grade",
        headers=kit.finance(user),
        json={"grade": grade, **({"note": note} if note else {})},
    )


def test_a_claim_is_approved_only_once_its_file_is_complete_and_graded(graded: Kit) -> None:
    claim = _claim(graded, documents=["委托书"])
    assert graded.client.get("/api/subsidy/schemes", headers=graded.finance()).json["items"][0][
        "required_documents"
    ] == ["委托书", "结案报告"]
    refused = graded.approve(claim["id"])
    assert refused.status_code == 409
    assert "结案报告" in refused.json["detail"]
    assert "委托书," not in refused.json["detail"]
    patched = graded.client.patch(
        f"/api/subsidy/claims/{claim['id']}",
        headers=graded.lawyer("L1"),
        json={"documents": ["委托书", "结案报告"]},
    )
    assert patched.status_code == 200
    assert patched.json["documents"] == ["委托书", "结案报告"]
    ungraded = graded.approve(claim["id"])
    assert ungraded.status_code == 409
    assert "not graded" in ungraded.json["detail"]
    assert _grade(graded, claim["id"], "excellent", note="卷宗齐全").status_code == 200
    approved = graded.approve(claim["id"])
    assert approved.status_code == 200
    assert approved.json["amount"] == "1650.00"
    budget = graded.client.get("/api/subsidy/budgets", headers=graded.finance()).json["items"][0]
    assert budget["committed"] == "1650.00"


def test_a_failed_file_is_priced_at_nothing_and_a_regrade_prices_it_again(graded: Kit) -> None:
    claim = _claim(graded)
    assert claim["amount"] == "1500.00"
    failed = _grade(graded, claim["id"], "fail").json
    assert failed["amount"] == "0.00"
    assert failed["attributes"]["grade"] == "fail"
    assert failed["breakdown"][-1] == {
        "step": "quality grade 不合格 (fail): priced with grade=fail",
        "amount": "0.00",
        "rule": "grade",
        "grade": "fail",
    }
    assert any(s["rule"] == "multiply" and s.get("factor") == "0" for s in failed["breakdown"])
    regraded = _grade(graded, claim["id"], "pass", user="finance-zhao").json
    assert regraded["amount"] == "1500.00"
    assert regraded["attributes"]["grade"] == "pass"
    assert [s["rule"] for s in regraded["breakdown"]].count("grade") == 1


def test_grading_is_audited_with_the_grader_and_the_note(graded: Kit) -> None:
    claim = _claim(graded)
    _grade(graded, claim["id"], "good", note="材料基本齐全")
    graded.client.patch(
        f"/api/subsidy/claims/{claim['id']}", headers=graded.finance(), json={"documents": ["委托书"]}
    )
    records = graded.client.get(
        f"/api/subsidy/audit?entity=claim&entity_id={claim['id']}", headers=graded.finance()
    ).json["items"]
    by_action = {r["action"]: r for r in records}
    assert by_action["claim.graded"]["actor"] == "finance-li"
    assert by_action["claim.graded"]["reason"] == "材料基本齐全"
    assert by_action["claim.graded"]["after"]["grade"] == "good"
    assert by_action["claim.documents_changed"]["after"]["documents"] == ["委托书"]
    assert graded.client.get("/api/subsidy/audit/verify", headers=graded.finance()).json["ok"] is True


def test_the_submitter_never_grades_and_a_reviewed_claim_is_not_graded_again(graded: Kit) -> None:
    claim = _claim(graded, documents=["委托书", "结案报告"])
    assert _grade(graded, claim["id"], "good", user="finance-wang").status_code == 403
    assert _grade(graded, claim["id"], "good").status_code == 200
    assert graded.approve(claim["id"]).status_code == 200
    after = _grade(graded, claim["id"], "fail")
    assert after.status_code == 409
    assert "approved" in after.json["detail"]
    assert (
        graded.client.patch(
            f"/api/subsidy/claims/{claim['id']}", headers=graded.finance(), json={"documents": []}
        ).status_code
        == 409
    )


def test_grading_a_rejected_claim_is_a_conflict_and_changes_nothing(graded: Kit) -> None:
    claim = _claim(graded)
    graded.client.post(
        f"/api/subsidy/claims/{claim['id']}/reject",
        headers=graded.finance("finance-li"),
        json={"reason": "重复申报"},
    )
    refused = _grade(graded, claim["id"], "fail")
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    shown = graded.client.get(f"/api/subsidy/claims/{claim['id']}", headers=graded.finance()).json
    assert shown["amount"] == "1500.00"
    assert "grade" not in shown["attributes"]


def test_a_grade_is_not_sent_at_submission_nor_outside_the_four(graded: Kit) -> None:
    response = graded.client.post(
        "/api/subsidy/claims",
        headers=graded.finance(),
        json={
            "kind": "legal_aid_case",
            "lawyer_id": "L1",
            "region_code": "654021",
            "case_no": "X-1",
            "service_date": "2026-05-12",
            "attributes": {"case_type": "civil", "stage": "appeal", "grade": "excellent"},
        },
    )
    assert response.status_code == 422
    assert "attributes.grade" in response.json["errors"]
    claim = _claim(graded)
    assert _grade(graded, claim["id"], "superb").status_code == 422


def test_another_lawyer_cannot_touch_a_claims_documents(graded: Kit) -> None:
    graded.add_lawyer("L2")
    claim = _claim(graded)
    response = graded.client.patch(
        f"/api/subsidy/claims/{claim['id']}", headers=graded.lawyer("L2"), json={"documents": ["委托书"]}
    )
    assert response.status_code == 404


def test_a_bulk_approval_keeps_the_same_order_of_steps_and_approves_all_or_none(graded: Kit) -> None:
    complete = _claim(graded, case_no="A-1", documents=["委托书", "结案报告"])
    incomplete = _claim(graded, case_no="A-2", documents=["委托书"])
    _grade(graded, complete["id"], "good")
    _grade(graded, incomplete["id"], "good")
    refused = graded.client.post(
        "/api/subsidy/claims/approvals",
        headers=graded.finance("finance-li"),
        json={"claim_ids": [complete["id"], incomplete["id"]]},
    )
    assert refused.status_code == 409
    assert "结案报告" in refused.json["detail"]
    assert (
        graded.client.get(f"/api/subsidy/claims/{complete['id']}", headers=graded.finance()).json["status"]
        == "pending"
    )
    own = graded.client.post(
        "/api/subsidy/claims/approvals",
        headers=graded.finance("finance-wang"),
        json={"claim_ids": [complete["id"]]},
    )
    assert own.status_code == 403
    approved = graded.client.post(
        "/api/subsidy/claims/approvals",
        headers=graded.finance("finance-li"),
        json={"claim_ids": [complete["id"]]},
    )
    assert approved.status_code == 200
    assert approved.json == {"approved": 1, "total": "1500.00"}
    assert len(graded.events("subsidy.claim.approved")) == 1
