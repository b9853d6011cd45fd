"""The console's app on a fake API, with CSRF on as in production."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.settings import load_settings
from services.console.app import create_app
from tests.integration.gateway.conftest import fakes, fast_password_hashing, make_gateway  # noqa: F401 - the gateway's kit

from .fakeapi import FakeApi

USERS = {
    "finance": {"id": "u-fin", "username": "fin", "role": "finance", "lawyer_id": None},
    "scheduler": {"id": "u-sch", "username": "sch", "role": "scheduler", "lawyer_id": None},
    "lawyer": {"id": "u-law", "username": "aygul", "role": "lawyer", "lawyer_id": "lw-1"},
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ConsoleKit:
    app: Flask
    api: FakeApi
    client: FlaskClient

    def csrf(self, path: str = "/login") -> str:
        match = CSRF.search(self.client.get(path).get_data(as_text=True))
        assert match, f"{path} has no CSRF token"
        return match.group(1)

    def log_in(self, role: str) -> Any:
        self.api.answers[("POST", "/api/auth/token")] = {
            "access_token": f"token-{role}",
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        self.api.answers[("GET", "/api/me")] = {"user": USERS[role]}
        return self.client.post(
            "/login", data={"username": USERS[role]["username"], "password": "pw", "csrf_token": self.csrf()}
        )


@pytest.fixture
def make_console(tmp_path: Path) -> Callable[..., ConsoleKit]:
    def make(**kwargs: Any) -> ConsoleKit:
        api = FakeApi()
        settings = load_settings(
            "console", {"LEGALDUTY_DATA_DIR": str(tmp_path), "LEGALDUTY_LOG_LEVEL": "WARNING"}
        )
        app = create_app(settings, api=api, **kwargs)
        return ConsoleKit(app, api, app.test_client())

    return make


@pytest.fixture
def console(make_console: Callable[..., ConsoleKit]) -> ConsoleKit:
    return make_console()
