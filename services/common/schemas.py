"""The request/response schema pieces every service's API shares (marshmallow): bodies refuse unknown
fields, query strings ignore them, lists page with limit/offset and answer `{items, total}`."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate


class Body(Schema):
    """A request body: an unknown field is an error (no silent mass assignment)."""

    class Meta:
        unknown = RAISE


class Query(Schema):
    """Query-string parameters: unknown ones are ignored."""

    class Meta:
        unknown = EXCLUDE


class PageQuery(Query):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class ProblemOut(Schema):
    """An error as problem+json (RFC 9457): what every service documents for its 4xx and 5xx answers."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "field (or row) -> what is wrong with it"},
    )
    request_id = fields.String()


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """`{items: [...], total}` around an item schema."""
    name = f"{item_schema.__name__.removesuffix('Out')}Page"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
        },
    )
