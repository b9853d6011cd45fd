"""The gateway's request and response bodies. Bodies refuse unknown fields (422 names them)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.auth import ROLES
from services.common.schemas import Body, PageQuery


class TokenIn(Body):
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenOut(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class UserIn(Body):
    username = fields.String(required=True, validate=validate.Length(min=2, max=100))
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    lawyer_id = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=36),
        metadata={"description": "the roster lawyer of a lawyer user"},
    )


class UserOut(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    lawyer_id = fields.String(required=True, allow_none=True)
    disabled = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class UserList(Schema):
    items = fields.List(fields.Nested(UserOut), required=True)
    total = fields.Integer(required=True)


class UserQuery(PageQuery):
    role = fields.String(validate=validate.OneOf(ROLES))
    disabled = fields.Boolean()
    username = fields.String(
        validate=validate.Length(max=100), metadata={"description": "part of the username"}
    )


class UserPatch(Body):
    role = fields.String(validate=validate.OneOf(ROLES))
    lawyer_id = fields.String(allow_none=True, validate=validate.Length(max=36))


class PasswordIn(Body):
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))
    old_password = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=1024),
        metadata={"description": "required when changing one's own password"},
    )


class NotificationOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    data = fields.Dict(required=True)
    created_at = fields.AwareDateTime(required=True)
    read = fields.Boolean(required=True)


class NotificationList(Schema):
    items = fields.List(fields.Nested(NotificationOut), required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class NotificationQuery(PageQuery):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread ones"})


class ReadAllOut(Schema):
    marked = fields.Integer(required=True)


class MeUser(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)
    lawyer_id = fields.String(required=True, allow_none=True)


class Section(Schema):
    available = fields.Boolean(
        required=True, metadata={"description": "false when the service did not answer"}
    )
    detail = fields.String(metadata={"description": "why the section is unavailable"})
    items = fields.List(fields.Dict(), allow_none=True, metadata={"description": "null when unavailable"})
    total = fields.Integer(allow_none=True)


class DutiesSection(Section):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class StatusTotal(Schema):
    count = fields.Integer(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan, two decimals"})


class ClaimsSection(Section):
    month = fields.String(metadata={"description": "YYYY-MM"})
    totals_by_status = fields.Dict(keys=fields.String(), values=fields.Nested(StatusTotal))
    total_amount = fields.String(metadata={"description": "yuan, two decimals"})


class MeOut(Schema):
    user = fields.Nested(MeUser, required=True)
    lawyer = fields.Dict(required=True, allow_none=True, metadata={"description": "a lawyer's profile"})
    upcoming_duties = fields.Nested(
        DutiesSection, required=True, allow_none=True, metadata={"description": "the next 30 days"}
    )
    pending_swaps = fields.Nested(Section, required=True, allow_none=True)
    claims_this_month = fields.Nested(ClaimsSection, required=True, allow_none=True)
