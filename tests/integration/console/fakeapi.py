"""A stand-in for the public API: canned answers per (method, path) (a callable is asked with the body and
the query), and every call it got."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.console.gatewayapi import ApiError, Download, Upload


@dataclass
class Call:
    method: str
    path: str
    token: str | None
    params: Mapping[str, Any] | None
    body: Any
    headers: Mapping[str, str] | None


@dataclass
class FakeApi:
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    downloads: dict[str, Download] = field(default_factory=dict)  # files by path (else a small CSV)

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        self.calls.append(Call(method, path, token, params, body, headers))
        answer = self.answers.get((method, path))
        if answer is None:
            raise ApiError(404, "Not Found", f"the fake has no answer for {method} {path}")
        if isinstance(answer, ApiError):
            raise answer
        return answer(body, params or {}) if callable(answer) else answer

    def download(self, path: str, *, token: str, params: Mapping[str, Any] | None = None) -> Download:
        self.calls.append(Call("GET", path, token, params, None, None))
        if path in self.downloads:
            return self.downloads[path]
        return Download(b"lawyer,total\n", "text/csv; charset=utf-8", 'attachment; filename="batch.csv"')

    def upload(
        self,
        path: str,
        *,
        token: str | None,
        file: Upload,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """A file sent as multipart: answered like a POST of it (the call's body is the Upload)."""
        return self.call("POST", path, token=token, params=params, body=file, headers=headers)

    def made(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]
