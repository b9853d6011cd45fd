"""Request and response schemas of the roster API (marshmallow; they also generate its OpenAPI spec)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import Body, PageQuery, ProblemOut, page_of
from services.roster.domain.languages import canonical
from services.roster.domain.model import LAWYER_STATUSES, STATION_LEVELS

REGION = validate.Regexp(r"^\d{6}$", error="must be a six-digit administrative division code, e.g. 654021")
LICENSE = validate.Regexp(r"^\d{17}$", error="must be the 17-digit licence number (执业证号)")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be a time HH:MM")


class Out(Schema):
    class Meta:
        ordered = True


class LanguageCode(fields.String):
    """An ISO 639-1 or ISO 639-3 code (`en`, `ug`, `sjo`), kept in its shortest form (`uig` -> `ug`)."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = canonical(text)
        if code is None:
            raise ValidationError(
                f"{text!r} is not an ISO 639-1 or ISO 639-3 language code (e.g. en, ug, sjo)"
            )
        return code


def _languages(required: bool = False) -> fields.List:
    return fields.List(
        LanguageCode(metadata={"description": "an ISO 639-1 or 639-3 code"}),
        required=required,
        validate=validate.Length(max=10),
    )


class LawyerIn(Body):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    license_no = fields.String(required=True, validate=LICENSE)
    status = fields.String(required=True, validate=validate.OneOf(sorted(LAWYER_STATUSES)))
    region_code = fields.String(required=True, validate=REGION)
    languages = _languages(required=True)
    max_duties_per_month = fields.Integer(load_default=8, validate=validate.Range(min=0, max=31))
    intern_start = fields.Date(allow_none=True, load_default=None)
    intern_end = fields.Date(allow_none=True, load_default=None)
    supervisor_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=36))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=30))

    @validates_schema
    def _internship(self, data: dict, **kwargs: object) -> None:
        check_internship(data)


def check_internship(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if data.get("status") == "intern":
        for name in ("intern_start", "intern_end", "supervisor_id"):
            if not data.get(name):
                errors[name] = ["required for an intern lawyer"]
    start, end = data.get("intern_start"), data.get("intern_end")
    if start and end and end < start:
        errors["intern_end"] = ["must not be before intern_start"]
    if errors:
        raise ValidationError(errors)


class LawyerPatch(Body):
    name = fields.String(validate=validate.Length(min=1, max=100))
    license_no = fields.String(validate=LICENSE)
    status = fields.String(validate=validate.OneOf(sorted(LAWYER_STATUSES)))
    region_code = fields.String(validate=REGION)
    languages = _languages()
    max_duties_per_month = fields.Integer(validate=validate.Range(min=0, max=31))
    intern_start = fields.Date(allow_none=True)
    intern_end = fields.Date(allow_none=True)
    supervisor_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    phone = fields.String(allow_none=True, validate=validate.Length(max=30))


class LawyerOut(Out):
    id = fields.String()
    name = fields.String()
    license_no = fields.String()
    status = fields.String()
    region_code = fields.String()
    languages = fields.List(fields.String())
    max_duties_per_month = fields.Integer()
    intern_start = fields.Date(allow_none=True)
    intern_end = fields.Date(allow_none=True)
    supervisor_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    phone = fields.String(allow_none=True)
    version = fields.Integer()


class LawyerQuery(PageQuery):
    region_code = fields.String(validate=REGION)
    status = fields.String(validate=validate.OneOf(sorted(LAWYER_STATUSES)))
    language = LanguageCode()
    q = fields.String(validate=validate.Length(max=100))


class StationIn(Body):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf(sorted(STATION_LEVELS)))
    region_code = fields.String(required=True, validate=REGION)
    parent_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=36))
    address = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))


class StationPatch(Body):
    name = fields.String(validate=validate.Length(min=1, max=200))
    level = fields.String(validate=validate.OneOf(sorted(STATION_LEVELS)))
    region_code = fields.String(validate=REGION)
    parent_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))


class StationOut(Out):
    id = fields.String()
    name = fields.String()
    level = fields.String()
    region_code = fields.String()
    parent_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    address = fields.String(allow_none=True)
    version = fields.Integer()


class StationQuery(PageQuery):
    region_code = fields.String(validate=REGION)
    level = fields.String(validate=validate.OneOf(sorted(STATION_LEVELS)))


class DaysField(fields.Field):
    """ "workdays" | "daily" | "non_workdays" | [ISO weekdays 1..7]."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if value in ("workdays", "daily", "non_workdays"):
                return value
            raise ValidationError('must be "workdays", "daily", "non_workdays" or a list of ISO weekdays 1-7')
        if (
            isinstance(value, list)
            and value
            and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in value)
        ):
            return sorted(set(value))
        raise ValidationError('must be "workdays", "daily", "non_workdays" or a list of ISO weekdays 1-7')

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


DAYS_SPEC = {
    "oneOf": [
        {"type": "string", "enum": ["workdays", "daily", "non_workdays"]},
        {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}, "minItems": 1},
    ]
}


class PatternIn(Body):
    station_id = fields.String(required=True)
    days = DaysField(load_default="workdays", metadata=DAYS_SPEC)
    rrule = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)
    headcount = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    languages = _languages(required=False)
    intern_seats = fields.Integer(load_default=0, validate=validate.Range(min=0, max=20))
    skip_public_holidays = fields.Boolean(load_default=True)

    @validates_schema
    def _times(self, data: dict, **kwargs: object) -> None:
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            raise ValidationError({"end_time": ["must be after start_time"]})


class PatternPatch(Body):
    days = DaysField(metadata=DAYS_SPEC)
    rrule = fields.String(allow_none=True, validate=validate.Length(max=500))
    start_time = fields.String(validate=HHMM)
    end_time = fields.String(validate=HHMM)
    headcount = fields.Integer(validate=validate.Range(min=1, max=50))
    languages = _languages()
    intern_seats = fields.Integer(validate=validate.Range(min=0, max=20))
    skip_public_holidays = fields.Boolean()
    active = fields.Boolean()


class PatternOut(Out):
    id = fields.String()
    station_id = fields.String()
    days = fields.Raw(metadata=DAYS_SPEC)
    rrule = fields.String(allow_none=True)
    start_time = fields.String()
    end_time = fields.String()
    headcount = fields.Integer()
    languages = fields.List(fields.String())
    intern_seats = fields.Integer()
    skip_public_holidays = fields.Boolean()
    active = fields.Boolean()
    version = fields.Integer()


class PatternQuery(PageQuery):
    station_id = fields.String()


class LeaveIn(Body):
    lawyer_id = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))

    @validates_schema
    def _dates(self, data: dict, **kwargs: object) -> None:
        if data.get("start_date") and data.get("end_date"):
            if data["end_date"] < data["start_date"]:
                raise ValidationError({"end_date": ["must not be before start_date"]})
            if (data["end_date"] - data["start_date"]).days > 366:
                raise ValidationError({"end_date": ["a leave lasts at most a year"]})


class LeaveOut(Out):
    id = fields.String()
    lawyer_id = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    reason = fields.String(allow_none=True)
    cancelled = fields.Boolean()


class LeaveCreatedOut(LeaveOut):
    affected_assignments = fields.List(
        fields.String(),
        metadata={
            "description": "the lawyer's published, not yet checked-in duties inside the leave: they need cover"
        },
    )


class LeaveQuery(PageQuery):
    lawyer_id = fields.String()


class CalendarIn(Body):
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)


class CalendarOut(Out):
    year = fields.Integer()
    source = fields.String(metadata={"description": "override | official | fallback (Monday-Friday)"})
    holidays = fields.List(fields.Date())
    workdays = fields.List(fields.Date())
    warnings = fields.List(fields.String())


LawyerPage = page_of(LawyerOut)
StationPage = page_of(StationOut)
PatternPage = page_of(PatternOut)
LeavePage = page_of(LeaveOut)


class RosterIn(Body):
    region_code = fields.String(required=True, validate=REGION)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    min_intern_duties = fields.Integer(load_default=4, validate=validate.Range(min=0, max=31))


class UnfilledOut(Out):
    station_id = fields.String()
    date = fields.String()
    start_time = fields.String()
    reason = fields.String()


class StatsOut(Out):
    slots = fields.Integer()
    filled = fields.Integer()
    unfilled = fields.List(fields.Nested(UnfilledOut))
    duties_per_lawyer = fields.Dict(keys=fields.String(), values=fields.Integer())
    intern_shortfalls = fields.List(fields.Dict())
    fairness = fields.Dict()
    method = fields.String()
    seed = fields.Integer()
    needs_cover = fields.List(
        fields.String(),
        metadata={
            "description": "published, not checked-in duties whose lawyer is now on leave or suspended"
        },
    )
    last_replan = fields.Dict(metadata={"description": "{from_date, reason, changes} of the last replan"})


class RosterOut(Out):
    id = fields.String()
    region_code = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    min_intern_duties = fields.Integer()
    status = fields.String(
        metadata={"description": "draft | queued | generating | generated | published | failed"}
    )
    progress = fields.Float()
    stats = fields.Nested(StatsOut, allow_none=True)
    warnings = fields.List(fields.String())
    error = fields.String(allow_none=True)
    version = fields.Integer()
    generated_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class RosterQuery(PageQuery):
    region_code = fields.String(validate=REGION)
    status = fields.String()


class AssignmentOut(Out):
    id = fields.String()
    roster_id = fields.String()
    station_id = fields.String()
    date = fields.Date()
    start_time = fields.String()
    end_time = fields.String()
    lawyer_id = fields.String()
    role = fields.String()
    status = fields.String()


class AssignmentQuery(PageQuery):
    lawyer_id = fields.String()
    station_id = fields.String()
    date = fields.Date()


class DutyOut(AssignmentOut):
    station_name = fields.String()
    station_address = fields.String(allow_none=True)
    station_level = fields.String()
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    sequence = fields.Integer(metadata={"description": "raised each time the duty changes hands"})


class DutyQuery(PageQuery):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class CheckOut(AssignmentOut):
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)


class ReassignIn(Body):
    lawyer_id = fields.String(required=True)


class ReassignOut(AssignmentOut):
    notices = fields.List(fields.String())


class SwapIn(Body):
    assignment_id = fields.String(required=True)
    to_lawyer_id = fields.String(required=True)


class DeclineIn(Body):
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))


class SwapOut(Out):
    id = fields.String()
    assignment_id = fields.String()
    from_lawyer_id = fields.String()
    to_lawyer_id = fields.String()
    status = fields.String(metadata={"description": "requested | accepted | approved | declined | cancelled"})
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class SwapQuery(PageQuery):
    status = fields.String(
        validate=validate.OneOf(["pending", "requested", "accepted", "approved", "declined", "cancelled"]),
        metadata={"description": "pending = requested or accepted (still waiting for someone)"},
    )


RosterPage = page_of(RosterOut)
AssignmentPage = page_of(AssignmentOut)
DutyPage = page_of(DutyOut)
SwapPage = page_of(SwapOut)


FILE = {"type": "string", "format": "binary"}


class SpreadsheetProblem(ProblemOut):
    """problem+json of an import or export: a refused file names every bad row and column."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": 'per bad row and column, e.g. {"row 7.license_no": ["must be the 17-digit licence number"]}'
        },
    )
    bad_rows = fields.List(fields.Integer(), metadata={"description": "the row numbers with errors"})


class FairnessQuery(PageQuery):
    region_code = fields.String(required=True, validate=REGION)
    from_ = fields.String(required=True, data_key="from", metadata={"description": "first month, YYYY-MM"})
    to = fields.String(required=True, metadata={"description": "last month, YYYY-MM (at most 24 months)"})


class FairnessItemOut(Out):
    lawyer_id = fields.String()
    name = fields.String()
    region_code = fields.String()
    duties = fields.Integer(metadata={"description": "published duties in the months (intern seats aside)"})
    weekend_holiday_duties = fields.Integer(
        metadata={"description": "of which on rest days or public holidays"}
    )
    burden = fields.Float(
        metadata={
            "description": "the duties weighted: working day 1, rest day 2, public "
            "holiday 3, +0.25 township, +0.5 village"
        }
    )
    availability = fields.Float(metadata={"description": "share of the months' days not on leave, 0-1"})
    scaled_burden = fields.Float(
        allow_none=True, metadata={"description": "burden / availability (null when on leave throughout)"}
    )


class FairnessOut(Out):
    items = fields.List(fields.Nested(FairnessItemOut), required=True)
    total = fields.Integer(required=True)
    balance = fields.Float(
        required=True,
        metadata={
            "description": "0-1, 1 = even: the mean over all pairs of lawyers of min/max of their scaled burden"
        },
    )
    from_ = fields.String(attribute="from", data_key="from", metadata={"description": "the first month"})
    to = fields.String(metadata={"description": "the last month"})


class LanguageQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=50),
        metadata={"description": "a code, or part of an English or Chinese name (维吾尔, uz)"},
    )


class LanguageOut(Out):
    code = fields.String(metadata={"description": "ISO 639-1 where there is one, else ISO 639-3"})
    name_en = fields.String()
    name_zh = fields.String()
    lawyers = fields.Integer(metadata={"description": "lawyers who speak it"})
    patterns = fields.Integer(metadata={"description": "active duty patterns that ask for it"})


LanguagePage = page_of(LanguageOut)


class CalendarLinkOut(Out):
    url = fields.String(
        metadata={"description": "the feed's secret address: paste it into the phone's calendar"}
    )
    webcal_url = fields.String(
        metadata={"description": "the same address as webcal:// (opens the phone's subscribe dialogue)"}
    )


class ReplanIn(Body):
    from_date = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: answer the changes and gaps a replan would make, storing and announcing "
            "nothing (a preview)"
        },
    )


class ChangeOut(Out):
    assignment_id = fields.String(
        allow_none=True, metadata={"description": "null for a new duty in a dry run (it has no id yet)"}
    )
    date = fields.Date()
    station_id = fields.String()
    start_time = fields.String()
    from_lawyer_id = fields.String(allow_none=True, metadata={"description": "null for a new duty"})
    to_lawyer_id = fields.String(
        allow_none=True,
        metadata={
            "description": "null for a duty taken away with nobody to take it (also listed in unfilled)"
        },
    )


class ReplanOut(Out):
    changes = fields.List(fields.Nested(ChangeOut))
    unfilled = fields.List(fields.Nested(UnfilledOut))


class SubstituteOut(Out):
    lawyer_id = fields.String()
    name = fields.String()
    duties_this_month = fields.Integer()
    burden = fields.Float(
        metadata={
            "description": "this month's duties weighted as the burden ledger weighs them: working day 1, rest "
            "day 2, public holiday 3, +0.25 township, +0.5 village"
        }
    )


SubstitutePage = page_of(SubstituteOut)
