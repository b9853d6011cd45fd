"""Reading an uploaded spreadsheet for the roster: the generic reading (encodings, XLSX, CSV) is
`services.common.uploads`; here are the roster's limits, and its refusals in the roster's own terms."""

from __future__ import annotations

from typing import Any

from services.common import uploads
from services.common.uploads import HEADER_SCAN, XLSX_MIME, blank, clean
from services.roster.domain.errors import Invalid
from services.roster.service.errors import TooLarge

__all__ = [
    "HEADER_SCAN",
    "MAX_BYTES",
    "MAX_ROWS",
    "XLSX_MIME",
    "blank",
    "clean",
    "decode_text",
    "read_table",
    "too_many_rows",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


def _as_roster(exc: uploads.UploadRefused) -> Invalid | TooLarge:
    if isinstance(exc, uploads.UploadTooLarge):
        return TooLarge(str(exc), errors=exc.errors)
    return Invalid(str(exc), errors=exc.errors)


def decode_text(content: bytes, charset: str | None = None) -> str:
    """A CSV's text: UTF-8 (with or without BOM), the declared charset, then GB18030 (see common.uploads)."""
    try:
        return uploads.decode_text(content, charset)
    except uploads.UploadRefused as exc:
        raise _as_roster(exc) from None


def read_table(content: bytes, *, charset: str | None = None) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of an XLSX workbook's first sheet or of a CSV file, each with the row number a
    spreadsheet program shows."""
    try:
        return uploads.read_table(content, charset=charset, max_rows=MAX_ROWS)
    except uploads.UploadRefused as exc:
        raise _as_roster(exc) from None


def too_many_rows() -> TooLarge:
    refused = uploads.too_many_rows(MAX_ROWS)
    return TooLarge(str(refused), errors=refused.errors)
