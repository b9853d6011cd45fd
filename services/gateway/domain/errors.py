"""What the gateway refuses, named for what went wrong; `api/errors.py` turns each into its problem+json."""

from __future__ import annotations


class GatewayError(Exception):
    """A rule of the gateway refused the request; the message is meant for the caller."""


class Invalid(GatewayError):
    """Fields that do not make sense on their own or with what is stored; `errors` names them."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors


class NotFound(GatewayError):
    """No such object (or not one of the caller's)."""


class Conflict(GatewayError):
    """Clashes with what is stored: a taken name, a lawyer who has a user, the last administrator."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors


class Forbidden(GatewayError):
    """This caller may not do this (to this object)."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors


class WrongCredentials(GatewayError):
    """The username and password do not name an active user (which of the two is never said)."""


class TooManyAttempts(GatewayError):
    """Login (or a public operation) throttled; `retry_after` is the number of seconds until an attempt is
    allowed again."""

    def __init__(self, retry_after: int, what: str = "login attempts") -> None:
        super().__init__(f"too many {what}; try again in {retry_after} seconds")
        self.retry_after = retry_after


class Unavailable(GatewayError):
    """A service the gateway must ask did not answer; trying again shortly may work."""

    def __init__(self, detail: str, *, service: str) -> None:
        super().__init__(detail)
        self.service = service
