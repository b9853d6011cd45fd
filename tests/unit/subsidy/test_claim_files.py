"""The case file before money (一案一卷, 案件质量评估): documents complete, then graded, then the budget."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from services.subsidy.domain.claims import (
    Budget,
    ClaimStatus,
    DocumentsInvalid,
    DocumentsMissing,
    FileRequirements,
    GradeInvalid,
    MakerChecker,
    NotGraded,
    WrongState,
    approve,
    approve_against_budget,
    attach_documents,
    grade,
    graded_breakdown,
    missing_documents,
    normalise_documents,
    submission_errors,
)
from services.subsidy.domain.schemes import (
    Adjustment,
    Kind,
    SchemeInvalid,
    calculate,
    parse_scheme,
    scheme_as_json,
)

from .builders import claim, rate, scheme

STRICT = FileRequirements(required_documents=("委托书", "结案报告"), requires_grade=True)


def _budget(amount: str = "1000.00") -> Budget:
    return Budget(region_code="654000", kind=Kind.LEGAL_AID_CASE, year=2026, amount=Decimal(amount), id="B1")


def test_a_complete_and_graded_file_is_approved_against_the_budget() -> None:
    ready = replace(claim(), documents=("委托书", "结案报告"), grade="good")
    approved, budget = approve_against_budget(ready, [_budget()], by_user="finance-li", requirements=STRICT)
    assert approved.status == ClaimStatus.APPROVED
    assert budget.committed == Decimal("100.00")


def test_approval_names_the_missing_documents_first() -> None:
    with pytest.raises(DocumentsMissing) as refused:
        approve(replace(claim(), documents=("委托书",)), by_user="finance-li", requirements=STRICT)
    assert refused.value.missing == ["结案报告"]
    assert "结案报告" in str(refused.value)


def test_a_complete_but_ungraded_file_is_refused_for_want_of_a_grade() -> None:
    with pytest.raises(NotGraded, match="not graded"):
        approve(replace(claim(), documents=("结案报告", "委托书")), by_user="finance-li", requirements=STRICT)


def test_an_incomplete_file_is_refused_before_its_grade_and_its_budget_are_looked_at() -> None:
    with pytest.raises(DocumentsMissing):
        approve_against_budget(
            claim(amount="5000.00"), [_budget("1.00")], by_user="finance-li", requirements=STRICT
        )


def test_a_scheme_that_asks_nothing_approves_as_before() -> None:
    assert approve(claim(), by_user="finance-li").status == ClaimStatus.APPROVED


def test_document_names_compare_trimmed_and_ignoring_case() -> None:
    assert missing_documents(["Closing report", "委托书"], [" closing REPORT "]) == ["委托书"]


def test_a_claims_documents_are_trimmed_and_blanks_dropped() -> None:
    assert normalise_documents([" 委托书 ", "", "结案报告"]) == ("委托书", "结案报告")


@pytest.mark.parametrize("documents", ["委托书", ["委托书", "委托书"], [3], ["x" * 101]])
def test_a_document_list_that_is_not_a_list_of_distinct_names_is_refused(documents: object) -> None:
    with pytest.raises(DocumentsInvalid) as refused:
        normalise_documents(documents)
    assert set(refused.value.errors) == {"documents"}


def test_documents_are_added_only_while_the_claim_is_pending() -> None:
    assert attach_documents(claim(), documents=["委托书"]).documents == ("委托书",)
    with pytest.raises(WrongState):
        attach_documents(claim(status=ClaimStatus.APPROVED), documents=["委托书"])


def test_a_grade_is_given_by_finance_never_by_the_submitter() -> None:
    assert grade(claim(), grade="pass", by_user="finance-li").grade == "pass"
    with pytest.raises(MakerChecker):
        grade(claim(), grade="pass", by_user="lawyer-li")


def test_a_regrade_while_pending_replaces_the_grade() -> None:
    once = grade(claim(), grade="fail", by_user="finance-li")
    assert grade(once, grade="excellent", by_user="finance-zhao").grade == "excellent"


@pytest.mark.parametrize("status", [ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.PAID])
def test_a_reviewed_claim_is_not_graded(status: ClaimStatus) -> None:
    with pytest.raises(WrongState, match="graded"):
        grade(claim(status=status), grade="good", by_user="finance-li")


def test_a_grade_outside_the_four_is_refused() -> None:
    with pytest.raises(GradeInvalid) as refused:
        grade(claim(), grade="superb", by_user="finance-li")
    assert set(refused.value.errors) == {"grade"}


def test_a_failed_file_is_paid_nothing_when_the_scheme_says_so_in_data() -> None:
    s = scheme(
        rate("1500.00", case_type="civil"),
        adjustments=(
            Adjustment(when={"grade": "fail"}, multiply=Decimal("0"), label="不合格 failed file"),
            Adjustment(when={"grade": "excellent"}, multiply=Decimal("1.10"), label="优秀 excellent file"),
        ),
    )
    failed = calculate(s, {"case_type": "civil", "grade": "fail"})
    assert failed.amount == Decimal("0.00")
    assert calculate(s, {"case_type": "civil", "grade": "excellent"}).amount == Decimal("1650.00")
    assert calculate(s, {"case_type": "civil"}).amount == Decimal("1500.00")
    steps = graded_breakdown(failed.breakdown, grade="fail", amount=failed.amount)
    assert steps[-1]["rule"] == "grade"
    assert steps[-1]["grade"] == "fail"
    assert "不合格" in steps[-1]["step"]
    assert steps[-1]["amount"] == failed.amount


def test_a_claim_does_not_grade_itself_at_submission() -> None:
    assert set(submission_errors(attributes={"case_type": "civil", "grade": "excellent"})) == {
        "attributes.grade"
    }
    assert submission_errors(attributes={"case_type": "civil"}) == {}


def _body() -> dict[str, object]:
    body = scheme_as_json(scheme())
    del body["id"]
    return body


def test_a_scheme_keeps_its_file_requirements_through_json() -> None:
    body = _body()
    body.update(required_documents=[" 结案报告 ", "委托书"], requires_grade=True)
    parsed = parse_scheme(body, id="S2")
    assert parsed.required_documents == ("结案报告", "委托书")
    assert parsed.requires_grade is True
    assert scheme_as_json(parsed)["required_documents"] == ["结案报告", "委托书"]


def test_a_scheme_with_a_document_listed_twice_or_a_grade_flag_that_is_no_boolean_is_refused() -> None:
    body = {**_body(), "required_documents": ["委托书", "委托书"], "requires_grade": "yes"}
    with pytest.raises(SchemeInvalid) as refused:
        parse_scheme(body, id="S3")
    assert {"required_documents", "requires_grade"} <= set(refused.value.errors)


def test_a_grade_a_scheme_does_not_know_is_refused_in_its_conditions() -> None:
    body = {**_body(), "adjustments": [{"when": {"grade": "superb"}, "multiply": "0"}]}
    with pytest.raises(SchemeInvalid, match="grade must be one of"):
        parse_scheme(body, id="S4")
