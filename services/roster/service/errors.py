"""What a roster use case can refuse; the API turns each into problem+json."""

from __future__ import annotations


class RosterError(Exception):
    status = 400

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None, **extra: object):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class NotFound(RosterError):
    status = 404


class Forbidden(RosterError):
    status = 403


class Conflict(RosterError):
    status = 409


class Stale(RosterError):
    status = 412


class Invalid(RosterError):
    status = 422
