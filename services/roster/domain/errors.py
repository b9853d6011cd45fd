"""The roster domain's refusals. They name what is wrong in the user's words and carry no HTTP status: the API
maps each kind to its problem+json answer in one place (`services.roster.api.problems`)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; `detail` is meant for the scheduler or lawyer who asked.

    `errors` names bad fields (`{"lawyer_id": ["no such lawyer"]}`); `extra` carries further members of the
    answer (`rule`, `violations`, `bad_rows`)."""

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class Conflict(DomainError):
    """The request clashes with the object's state or with a roster rule (`rule` names the rule broken)."""


class Forbidden(DomainError):
    """This caller may not do this to this object (another lawyer's duty, a swap asked of someone else)."""


class Invalid(DomainError):
    """Fields that do not make sense on their own, together or with what is stored; `errors` names them."""


def refuse_bad_fields(errors: dict[str, list[str]]) -> None:
    """Raise Invalid naming every bad field (the detail gives the first message of each), if there are any."""
    if errors:
        raise Invalid("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)
