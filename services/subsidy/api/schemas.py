"""The subsidy API's request and response bodies, one section a resource. Bodies refuse unknown fields (422
names them); the field types are in `api/field_types.py`."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.common.schemas import Body, PageQuery, page_of
from services.subsidy.api.field_types import (
    ACCOUNT_NO_PATTERN,
    HHMM_PATTERN,
    Attributes,
    Day,
    Factor,
    Money,
    Month,
    Pattern,
    Region,
    Text,
)
from services.subsidy.domain.schemes import GRADES, KINDS
from services.subsidy.service.claims import CLAIM_ORDERS, DEFAULT_CLAIM_ORDER
from services.subsidy.service.estimates import MAX_DUTIES

KIND_VALUES = sorted(KINDS)
CASE_KINDS = ["legal_aid_case", "mediation_case"]
CLAIM_STATUSES = ["needs_rate", "pending", "approved", "rejected", "paid"]


# ------------------------------------------------------------------------------------------- shared pieces


class BreakdownStep(Schema):
    """One step of how an amount was reached."""

    step = fields.String(required=True, metadata={"description": "what this step did, for people"})
    amount = Money(signed=True, required=True, metadata={"description": "the running amount after this step"})
    exact = fields.String(
        metadata={"description": "the exact running amount when it has more than two places"}
    )
    rule = fields.String(
        metadata={
            "enum": [
                "rate",
                "multiply",
                "add",
                "floor",
                "max_amount",
                "monthly_cap",
                "rounding",
                "needs_rate",
                "grade",
            ]
        }
    )
    grade = fields.String(
        metadata={"description": "the grade step: the file's grade the claim was priced with"}
    )
    when = fields.Dict(metadata={"description": "the conditions of the rate that applied"})
    factor = fields.String()
    add = Money(signed=True)
    limit = Money()
    already = Money()


# ------------------------------------------------------------------------------------------- schemes


class RateIn(Body):
    when = Attributes(
        load_default=dict, metadata={"description": "attribute: value pairs that must all match"}
    )
    amount = Money(required=True)


class AdjustmentIn(Body):
    when = Attributes(load_default=dict)
    multiply = Factor(allow_none=True)
    add = Money(signed=True, allow_none=True)
    label = Text(written=True, max_length=200, allow_none=True)


class SchemeIn(Body):
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    name = Text(required=True, written=True, max_length=200)
    region_code = Region(allow_none=True, load_default=None, metadata={"description": "null: every region"})
    effective_from = Day(required=True)
    effective_to = Day(
        allow_none=True, load_default=None, metadata={"description": "inclusive; null: open-ended"}
    )
    rates = fields.List(fields.Nested(RateIn), required=True, validate=validate.Length(min=1, max=500))
    adjustments = fields.List(
        fields.Nested(AdjustmentIn), load_default=list, validate=validate.Length(max=100)
    )
    monthly_cap_per_lawyer = Money(positive=True, allow_none=True, load_default=None)
    max_amount = Money(
        positive=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "the most one claim can get"},
    )
    document_no = Text(
        written=True,
        max_length=100,
        allow_none=True,
        load_default=None,
        metadata={"description": "the policy document that set the standard"},
    )
    required_documents = fields.List(
        Text(written=True, max_length=100),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "一案一卷: what a claim's file must hold before approval"},
    )
    requires_grade = fields.Boolean(
        load_default=False,
        metadata={
            "description": "案件质量评估: claims are approved only once graded (POST /claims/{id}/grade)"
        },
    )


class RateOut(Schema):
    when = fields.Dict(required=True)
    amount = Money(required=True)


class AdjustmentOut(Schema):
    when = fields.Dict(required=True)
    multiply = fields.String()
    add = Money(signed=True)
    label = fields.String()


class SchemeOut(Schema):
    id = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    name = fields.String(required=True)
    region_code = fields.String(required=True, allow_none=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(required=True, allow_none=True)
    rates = fields.List(fields.Nested(RateOut), required=True)
    adjustments = fields.List(fields.Nested(AdjustmentOut), required=True)
    monthly_cap_per_lawyer = Money(required=True, allow_none=True)
    max_amount = Money(required=True, allow_none=True)
    document_no = fields.String(required=True, allow_none=True)
    required_documents = fields.List(fields.String(), required=True)
    requires_grade = fields.Boolean(required=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    claims = fields.Integer(metadata={"description": "claims priced by this scheme"})
    priced_waiting_claims = fields.Integer(
        metadata={"description": "on creation: waiting (needs_rate) claims this scheme priced"}
    )


SchemePage = page_of(SchemeOut)


class SchemeQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KIND_VALUES))
    region_code = Region(metadata={"description": "schemes whose region covers this one"})
    in_force_on = Day()


class SchemeClose(Body):
    effective_to = Day(required=True, metadata={"description": "the last day the scheme is in force"})


class PreviewIn(Body):
    scheme = fields.Nested(SchemeIn, required=True, metadata={"description": "the draft standard"})
    service_from = Day(load_default=None, allow_none=True)
    service_to = Day(load_default=None, allow_none=True)
    statuses = fields.List(
        fields.String(validate=validate.OneOf(CLAIM_STATUSES)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=5),
        metadata={"description": "default: pending, approved, paid"},
    )
    lawyer_id = Text(max_length=36, load_default=None, allow_none=True)
    claim_ids = fields.List(
        Text(max_length=36), load_default=None, allow_none=True, validate=validate.Length(min=1, max=1000)
    )
    limit = fields.Integer(
        load_default=100,
        strict=True,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "how many claims to list one by one"},
    )


class PreviewItem(Schema):
    claim_id = fields.String(required=True)
    case_no = fields.String(required=True, allow_none=True)
    lawyer_id = fields.String(required=True)
    region_code = fields.String(required=True)
    service_date = fields.Date(required=True)
    status = fields.String(required=True)
    scheme_id = fields.String(required=True, allow_none=True)
    current_amount = Money(required=True, allow_none=True)
    draft_amount = Money(required=True, allow_none=True)
    difference = Money(signed=True, required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class PreviewOut(Schema):
    scheme = fields.Nested(SchemeOut, required=True)
    claims = fields.Integer(required=True)
    priced = fields.Integer(required=True)
    unpriced = fields.Integer(required=True, metadata={"description": "claims no rate of the draft matches"})
    current_total = Money(required=True)
    draft_total = Money(required=True)
    difference = Money(signed=True, required=True)
    items = fields.List(fields.Nested(PreviewItem), required=True)


# ------------------------------------------------------------------------------------------- claims


class ClaimIn(Body):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(CASE_KINDS),
        metadata={"description": "station-duty claims come from completed duties"},
    )
    lawyer_id = Text(required=True, max_length=36)
    region_code = Region(required=True)
    case_no = Text(required=True, written=True, max_length=100)
    service_date = Day(required=True)
    attributes = Attributes(load_default=dict)
    documents = fields.List(
        Text(written=True, max_length=100),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "the documents the case file holds (一案一卷)"},
    )


class ClaimOut(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    case_no = fields.String(required=True, allow_none=True)
    lawyer_id = fields.String(required=True)
    lawyer_name = fields.String(required=True, allow_none=True)
    region_code = fields.String(required=True)
    service_date = fields.Date(required=True)
    attributes = fields.Dict(required=True)
    amount = Money(required=True)
    breakdown = fields.List(fields.Nested(BreakdownStep), required=True)
    scheme_id = fields.String(required=True, allow_none=True)
    document_no = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(CLAIM_STATUSES))
    submitted_by = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    reviewed_by = fields.String(required=True, allow_none=True)
    reviewed_at = fields.AwareDateTime(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    budget_id = fields.String(required=True, allow_none=True)
    batch_id = fields.String(required=True, allow_none=True)
    paid_at = fields.AwareDateTime(required=True, allow_none=True)
    assignment_id = fields.String(required=True, allow_none=True)
    documents = fields.List(
        fields.String(), required=True, metadata={"description": "what the case file holds"}
    )


ClaimPage = page_of(ClaimOut)


class ClaimQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(CLAIM_STATUSES))
    lawyer_id = Text(max_length=36)
    kind = fields.String(validate=validate.OneOf(KIND_VALUES))
    month = Month(metadata={"description": "service date's month, e.g. 2026-05"})
    region_code = Region()
    batch_id = Text(max_length=36)
    amount_min = Money(metadata={"description": "amount at least this (inclusive)"})
    amount_max = Money(metadata={"description": "amount at most this (inclusive)"})
    sort = fields.String(
        load_default=DEFAULT_CLAIM_ORDER,
        validate=validate.OneOf(sorted(CLAIM_ORDERS)),
        metadata={
            "description": "order of the whole list: a field, `-` first for descending; "
            "ties are broken by the claim's id (default: -service_date, newest first)"
        },
    )

    @validates_schema
    def _band(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            message = "amount_min must not be above amount_max"
            raise ValidationError({"amount_min": [message], "amount_max": [message]})


class GradeIn(Body):
    grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "优秀 excellent, 良好 good, 合格 pass, 不合格 fail"},
    )
    note = Text(
        written=True,
        max_length=2000,
        allow_none=True,
        load_default=None,
        metadata={"description": "the reviewer's note, kept in the audit record"},
    )


class ClaimChange(Body):
    documents = fields.List(
        Text(written=True, max_length=100),
        required=True,
        validate=validate.Length(max=50),
        metadata={"description": "the documents the case file now holds (replaces the list)"},
    )


class ApprovalsIn(Body):
    claim_ids = fields.List(
        Text(max_length=36),
        required=True,
        validate=validate.Length(min=1, max=10_000),
        metadata={"description": "the pending claims to approve, all or none"},
    )


class ApprovalsOut(Schema):
    approved = fields.Integer(required=True)
    total = Money(required=True, metadata={"description": "what the approved claims come to"})


class ImportedClaim(Schema):
    row = fields.Integer(required=True, metadata={"description": "the row of the file"})
    id = fields.String(required=True)
    case_no = fields.String(required=True)
    lawyer_id = fields.String(required=True)
    amount = Money(required=True)


class ImportOut(Schema):
    created = fields.Integer(required=True)
    total = Money(required=True, metadata={"description": "what the created claims come to"})
    claims = fields.List(
        fields.Nested(ImportedClaim),
        required=True,
        metadata={
            "description": "the created claims in the file's order (GET /claims/{id} shows each in full)"
        },
    )
    ignored_columns = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "header cells that name no column; their cells were not read"},
    )


class RejectIn(Body):
    reason = Text(
        required=True, written=True, max_length=2000, metadata={"description": "why, for the lawyer to read"}
    )


# ------------------------------------------------------------------------------------------- budgets


class BudgetIn(Body):
    region_code = Region(required=True, allow_none=True, metadata={"description": "null: every region"})
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2199))
    amount = Money(required=True)


class BudgetAmendment(Body):
    amount = Money(required=True, metadata={"description": "the new yearly amount (not below committed)"})
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "why, e.g. the document that added funds"},
    )


class BudgetOut(Schema):
    id = fields.String(required=True)
    region_code = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    year = fields.Integer(required=True)
    amount = Money(required=True)
    committed = Money(required=True)
    remaining = Money(required=True)
    created_by = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


BudgetPage = page_of(BudgetOut)


class BudgetQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KIND_VALUES))
    year = fields.Integer(validate=validate.Range(min=2000, max=2199))
    region_code = Region(metadata={"description": "budgets whose region covers this one"})


# ------------------------------------------------------------------------------------------- batches


class BatchIn(Body):
    month = Month(required=True)
    region_code = Region(allow_none=True, load_default=None)


class BatchLineOut(Schema):
    lawyer_id = fields.String(required=True)
    lawyer_name = fields.String(required=True)
    claims = fields.List(fields.String(), required=True, metadata={"description": "the claim ids paid"})
    claim_count = fields.Integer(required=True)
    total = Money(required=True)


class BatchOut(Schema):
    id = fields.String(required=True)
    month = fields.String(required=True)
    region_code = fields.String(required=True, allow_none=True)
    total = Money(required=True)
    total_in_words = fields.String(
        required=True,
        metadata={
            "description": "the total in Chinese capitals as on a payment voucher",
            "example": "人民币壹仟零伍拾壹元壹角整",
        },
    )
    claim_count = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "paid"]))
    created_by = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    paid_by = fields.String(required=True, allow_none=True)
    paid_at = fields.AwareDateTime(required=True, allow_none=True)
    lines = fields.List(fields.Nested(BatchLineOut))


class BatchSummaryOut(BatchOut):
    class Meta:
        exclude = ("lines",)


BatchSummaryPage = page_of(BatchSummaryOut)


class BatchQuery(PageQuery):
    month = Month()
    status = fields.String(validate=validate.OneOf(["open", "paid"]))


class BankFileQuery(Schema):
    profile = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "a bank profile's name (GET /api/subsidy/profiles)",
            "example": "icbc-daifa-csv",
        },
    )


# ------------------------------------------------------------------------------------------- bank accounts


class BankAccountIn(Body):
    account_name = Text(
        max_length=100,
        written=True,
        required=True,
        metadata={"description": "the payee's name as the bank knows it"},
    )
    account_no = fields.String(
        required=True,
        validate=Pattern(
            ACCOUNT_NO_PATTERN, error="must be 10 to 30 digits, nothing else (no letters, spaces or dashes)"
        ),
        metadata={"description": "10 to 30 digits", "example": "6222020200112233445"},
    )
    bank_name = Text(max_length=100, written=True, required=True, metadata={"example": "中国工商银行"})
    branch = Text(
        max_length=100,
        min_length=0,
        allow_none=True,
        load_default=None,
        metadata={"example": "伊宁市解放路支行"},
    )


class BankAccountOut(Schema):
    lawyer_id = fields.String(required=True)
    account_name = fields.String(required=True)
    account_no = fields.String(
        required=True,
        metadata={
            "description": "whole for finance; for the lawyer, masked to its last four digits (****3445)"
        },
    )
    bank_name = fields.String(required=True)
    branch = fields.String(required=True, allow_none=True)
    updated_by = fields.String(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ProfileColumnOut(Schema):
    header = fields.String(required=True)
    source = fields.String(required=True)


class ProfileOut(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    file_type = fields.String(required=True, validate=validate.OneOf(["csv", "xlsx"]))
    encoding = fields.String(required=True)
    columns = fields.List(fields.Nested(ProfileColumnOut), required=True)


class ProfileList(Schema):
    items = fields.List(fields.Nested(ProfileOut), required=True)


# ------------------------------------------------------------------------------------------- estimates


class PlannedDutyIn(Body):
    region_code = Region(required=True)
    station_level = fields.String(
        required=True, validate=validate.OneOf(["prefecture", "county", "township", "village", "hotline"])
    )
    date = Day(required=True)
    start_time = fields.String(
        required=True,
        validate=Pattern(HHMM_PATTERN, error="must be a time such as 09:30"),
        metadata={"example": "09:30"},
    )
    end_time = fields.String(
        required=True,
        validate=Pattern(HHMM_PATTERN, error="must be a time such as 18:00"),
        metadata={"example": "18:00"},
    )
    holiday = fields.Boolean(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "a non-working day; left out, the State Council's published arrangement decides"
        },
    )

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("start_time") is not None and data.get("start_time") == data.get("end_time"):
            raise ValidationError("a duty cannot end when it starts", "end_time")


class EstimateIn(Body):
    duties = fields.List(fields.Nested(PlannedDutyIn), required=True, metadata={"maxItems": MAX_DUTIES})

    @pre_load
    def _not_too_many(self, data: Any, **kwargs: Any) -> Any:
        """Refuse an oversized list before reading every duty in it."""
        duties = data.get("duties") if isinstance(data, dict) else None
        if isinstance(duties, list) and len(duties) > MAX_DUTIES:
            raise ValidationError(f"at most {MAX_DUTIES} duties in one estimate, not {len(duties)}", "duties")
        return data


class RegionEstimateOut(Schema):
    region_code = fields.String(required=True)
    year = fields.Integer(required=True)
    total = Money(required=True)
    budget_remaining = Money(
        required=True,
        allow_none=True,
        metadata={
            "description": "what the region's station-duty budget of that year has left (null: no budget covers it)"
        },
    )
    duties = fields.Integer(required=True)
    unpriced = fields.Integer(
        required=True, metadata={"description": "duties no scheme prices (counted as 0.00)"}
    )


class EstimateOut(Schema):
    total = Money(required=True)
    by_region = fields.List(fields.Nested(RegionEstimateOut), required=True)


# ------------------------------------------------------------------------------------------- audit


class AuditQuery(PageQuery):
    entity = fields.String(validate=validate.OneOf(["claim", "scheme", "budget", "batch", "bank_account"]))
    entity_id = Text(max_length=36)


class AuditRecordOut(Schema):
    seq = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    entity = fields.String(required=True)
    entity_id = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


AuditRecordPage = page_of(AuditRecordOut)


class AuditBad(Schema):
    seq = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True)
    action = fields.String(required=True, allow_none=True)
    entity = fields.String(required=True, allow_none=True)
    entity_id = fields.String(required=True, allow_none=True)


class AuditVerifyOut(Schema):
    ok = fields.Boolean(required=True)
    records = fields.Integer(required=True)
    first_bad = fields.Nested(
        AuditBad,
        required=True,
        allow_none=True,
        metadata={"description": "the first record that does not check out"},
    )
    detail = fields.String(required=True)
