"""Optimistic locking over HTTP: the ETag a versioned object is answered with, and the version a change
was based on (If-Match)."""

from __future__ import annotations

from typing import Any

from flask import request


def etag(version: int) -> str:
    return f'"{version}"'


def if_match() -> int | None:
    """The version the client based its change on (If-Match: "3"), or None when it sent none."""
    raw = request.headers.get("If-Match")
    if not raw or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        return -1  # matches no version: Stale


def with_etag(body: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int, dict[str, str]]:
    return body, status, {"ETag": etag(body["version"])}
