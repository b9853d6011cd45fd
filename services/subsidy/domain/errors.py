"""The root of the subsidy domain's exceptions, so the service can map them in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; the message is meant for a finance officer."""
