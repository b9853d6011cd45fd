"""What a use case refuses, beside the domain's own rules; the API turns each into its problem+json."""

from __future__ import annotations

from services.subsidy.domain.errors import DomainError


class NotFound(DomainError):
    """No such object (or one the caller may not know about): a 404."""


class Conflict(DomainError):
    """The request clashes with what is stored (duplicate, wrong state): a 409."""


class Forbidden(DomainError):
    """The caller may not do this to this object: a 403."""


class Invalid(DomainError):
    """Fields that do not make sense together or with what is stored: a 422 naming them."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors
