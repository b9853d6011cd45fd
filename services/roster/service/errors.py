"""What a roster use case refuses beside the domain's own rules (`domain/errors.py`): objects that are not
there, writes based on an old version, uploads too large or of an unreadable kind. The API maps each to
problem+json."""

from __future__ import annotations

from services.roster.domain.errors import DomainError


class NotFound(DomainError):
    """No such object, or one the caller may not know about (another lawyer's duty)."""


class Stale(DomainError):
    """The change was based on an older version of the object than the stored one (optimistic locking)."""


class TooLarge(DomainError):
    """An upload over the size or row limit."""


class UnsupportedMedia(DomainError):
    """An upload in a form the import cannot read (neither multipart, CSV nor XLSX)."""
