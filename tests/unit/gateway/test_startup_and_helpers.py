"""The gateway refuses weak secrets in production; small helpers of the lawyer's page and forwarding."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask, g

from services.common.auth import IDENTITY_HEADER, Identity, verify_identity
from services.common.settings import SettingsError, load_settings
from services.gateway.app import create_app
from services.gateway.domain.my_page import claim_totals
from services.gateway.proxy import Backends, forwarded_headers

STRONG = "s" * 32
OTHER_STRONG = "t" * 32


def production_env(tmp_path: Path, **env: str) -> dict[str, str]:
    return {"LEGALDUTY_DATA_DIR": str(tmp_path), "LEGALDUTY_ENV": "production", **env}


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"LEGALDUTY_JWT_SECRET": "short", "LEGALDUTY_INTERNAL_SECRET": OTHER_STRONG},
        {"LEGALDUTY_JWT_SECRET": STRONG, "LEGALDUTY_INTERNAL_SECRET": "s" * 31},
        {"LEGALDUTY_JWT_SECRET": STRONG},
    ],
    ids=[
        "both missing",
        "short user-token secret",
        "internal secret one byte short",
        "internal secret missing",
    ],
)
def test_the_gateway_refuses_to_start_in_production_without_two_32_byte_secrets(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with pytest.raises(SettingsError, match="at least 32 bytes"):
        create_app(load_settings("gateway", production_env(tmp_path, **env)))


def test_the_gateway_refuses_weak_settings_however_they_were_made(tmp_path: Path) -> None:
    settings = load_settings("gateway", {"LEGALDUTY_DATA_DIR": str(tmp_path)})
    weak = dataclasses.replace(settings, production=True, jwt_secret="short", internal_secret=OTHER_STRONG)
    with pytest.raises(SettingsError, match="LEGALDUTY_JWT_SECRET"):
        create_app(weak)


def test_the_gateway_refuses_one_secret_for_both_uses_in_production(tmp_path: Path) -> None:
    settings = load_settings("gateway", {"LEGALDUTY_DATA_DIR": str(tmp_path)})
    same = dataclasses.replace(settings, production=True, jwt_secret=STRONG, internal_secret=STRONG)
    with pytest.raises(SettingsError, match="must differ"):
        create_app(same)


def test_the_gateway_starts_in_production_with_two_strong_secrets(tmp_path: Path) -> None:
    env = production_env(tmp_path, LEGALDUTY_JWT_SECRET=STRONG, LEGALDUTY_INTERNAL_SECRET=OTHER_STRONG)
    app = create_app(load_settings("gateway", env))
    assert app.test_client().get("/healthz").status_code == 200


def test_claims_are_totalled_per_status_in_yuan_to_the_fen() -> None:
    totals, grand = claim_totals(
        [
            {"status": "pending", "amount": "120.00"},
            {"status": "pending", "amount": "0.10"},
            {"status": "approved", "amount": "300.50"},
            {"status": "paid", "amount": "0.20"},
        ]
    )
    assert totals == {
        "pending": {"count": 2, "amount": "120.10"},
        "approved": {"count": 1, "amount": "300.50"},
        "paid": {"count": 1, "amount": "0.20"},
    }
    assert grand == "420.80"


def test_no_claims_total_zero() -> None:
    assert claim_totals([]) == ({}, "0.00")


def test_what_goes_to_a_service_never_speaks_for_the_caller_but_the_signed_identity() -> None:
    app = Flask("t")
    backends = Backends({"roster": "http://127.0.0.1:1"}, internal_secret=OTHER_STRONG)
    identity = Identity("u1", "li", "lawyer", "L-1")
    incoming = {
        "Authorization": "Bearer user-token",
        "Cookie": "session=1",
        IDENTITY_HEADER: "forged",
        "Connection": "keep-alive, X-Secret-Hop",
        "X-Secret-Hop": "1",
        "Keep-Alive": "timeout=5",
        "Proxy-Authorization": "Basic x",
        "TE": "trailers",
        "Accept": "text/calendar",
        "X-Request-ID": "client",
        "If-Match": '"v3"',
    }
    with app.test_request_context(
        "/api/roster/me/duties", headers=incoming, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    ):
        g.request_id = "req-1"
        headers = forwarded_headers(identity, backends, "roster")
    lowered = {k.lower() for k in headers}
    for dropped in (
        "authorization",
        "cookie",
        "connection",
        "x-secret-hop",
        "keep-alive",
        "proxy-authorization",
        "te",
    ):
        assert dropped not in lowered, dropped
    assert headers["Accept"] == "text/calendar"
    assert headers["If-Match"] == '"v3"'
    assert headers["X-Request-ID"] == "req-1"
    assert headers["X-Forwarded-For"] == "10.1.2.3"
    assert verify_identity(headers[IDENTITY_HEADER], secret=OTHER_STRONG, audience="roster") == identity
