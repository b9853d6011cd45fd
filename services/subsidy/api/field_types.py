"""The field types the subsidy API's schemas are made of: anchored patterns, money and factors as strings,
ISO dates, attribute values. What the OpenAPI document says of a field (type, pattern, length) is what is
checked."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from services.subsidy.domain.money import format_money, to_money

NO_NUL = r"^[^\x00]*$"
REGION_PATTERN = r"^(0[1-9]|[1-9][0-9])[0-9]{4}$"
# the years the service pays for: 2000-2199
MONTH_PATTERN = r"^2[01][0-9]{2}-(0[1-9]|1[0-2])$"
DATE_PATTERN = r"^2[01][0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^([1-9][0-9]{0,11}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"
SIGNED_MONEY_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
# above 0, at most 10
FACTOR_PATTERN = (
    r"^(10(\.0{1,6})?|[1-9](\.[0-9]{1,6})?|0(\.[0-9]{1,6})?)$"  # 0 to 10: "0" pays a failed file nothing
)
HHMM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ACCOUNT_NO_PATTERN = r"^[0-9]{10,30}$"
# text a person must have written something in
WRITTEN = r"^[^\x00]*[^\s\x00][^\x00]*$"


class Pattern(validate.Regexp):
    """A regular expression the whole value must match (as JSON Schema's anchored `pattern` means it:
    Python's `$` would also let a trailing newline through)."""

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or re.fullmatch(self.regex.pattern, value) is None:  # type: ignore[arg-type]
            raise ValidationError(self._format_error(value))
        return value


def Text(*, max_length: int, min_length: int = 1, written: bool = False, **kwargs: Any) -> fields.String:
    """A string of bounded length with no NUL character (the database could not store it); `written`: not
    blank either."""
    pattern = (
        Pattern(WRITTEN, error="must not be blank")
        if written
        else Pattern(NO_NUL, error="must not contain NUL")
    )
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), pattern], **kwargs)


def Region(**kwargs: Any) -> fields.String:
    metadata = {
        "description": "six-digit administrative division code",
        "example": "654021",
        **kwargs.pop("metadata", {}),
    }
    return fields.String(
        validate=Pattern(REGION_PATTERN, error="must be a six-digit region code such as 654021"),
        metadata=metadata,
        **kwargs,
    )


def Month(**kwargs: Any) -> fields.String:
    metadata = {"example": "2026-05", **kwargs.pop("metadata", {})}
    return fields.String(
        validate=Pattern(MONTH_PATTERN, error="must be a month such as 2026-05"), metadata=metadata, **kwargs
    )


class IsoDate(fields.Date):
    """A date written exactly YYYY-MM-DD, in 2000-2199 (Python alone would also take 20260501 or
    2026-W01-1)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DATE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or re.fullmatch(DATE_PATTERN, value) is None:
            raise ValidationError("must be a date such as 2026-05-12, in 2000-2199")
        return super()._deserialize(value, attr, data, **kwargs)


def Day(**kwargs: Any) -> fields.Date:
    """An ISO date within the years the service pays for."""
    return IsoDate(**kwargs)


class Money(fields.String):
    """Yuan as a decimal string with at most two places ("1234.50"), a Decimal once loaded."""

    def __init__(self, *, signed: bool = False, positive: bool = False, **kwargs: Any) -> None:
        self.pattern = (
            SIGNED_MONEY_PATTERN if signed else POSITIVE_MONEY_PATTERN if positive else MONEY_PATTERN
        )
        metadata = {"pattern": self.pattern, "example": "1234.50", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return format_money(value if isinstance(value, Decimal) else to_money(value))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if re.fullmatch(self.pattern, text) is None:
            raise ValidationError("must be yuan such as 1234.50 (a string, at most two decimals)")
        return to_money(text)


class Factor(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=Pattern(FACTOR_PATTERN, error='must be a factor such as "1.20"'),
            metadata={"example": "1.20"},
            **kwargs,
        )


class AttributeValue(fields.Raw):
    """An attribute's value: text, a whole number or a boolean (never a float)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "oneOf": [
                {"type": "string", "maxLength": 100, "pattern": NO_NUL},
                {"type": "integer", "minimum": -(10**15) + 1, "maximum": 10**15 - 1},
                {"type": "boolean"},
            ],
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, int) and abs(value) < 10**15):
            return value
        if isinstance(value, str) and len(value) <= 100 and "\x00" not in value:
            return value
        raise ValidationError("must be text (at most 100 characters), a whole number or a boolean")


def Attributes(**kwargs: Any) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=[validate.Length(min=1, max=50), Pattern(NO_NUL)]),
        values=AttributeValue(),
        validate=_few,
        metadata={"maxProperties": 30, **kwargs.pop("metadata", {})},
        **kwargs,
    )


def _few(value: dict[str, Any]) -> None:
    if len(value) > 30:
        raise ValidationError("at most 30 attributes")
