from __future__ import annotations

import dataclasses

import pytest

from services.common.auth import Identity, sign_identity, verify_identity
from services.common.db import normalise_url
from services.common.http import Problem, flatten_messages
from services.common.settings import SettingsError, check_production_secrets, load_settings


def test_defaults_follow_the_contract() -> None:
    s = load_settings("roster", {})
    assert (s.port, s.ports["gateway"], s.ports["subsidy"], s.bind) == (8001, 8000, 8002, "127.0.0.1")
    assert s.database_url.endswith("var/roster.sqlite3")
    assert s.embedded_broker
    assert s.demo


def test_every_setting_is_read_from_its_contract_variable() -> None:
    env = {
        "LEGALDUTY_DATA_DIR": "/d",
        "LEGALDUTY_BIND": "0.0.0.0",
        "LEGALDUTY_ROSTER_PORT": "9001",
        "ROSTER_DATABASE_URL": "postgresql://u@h:5432/r",
        "LEGALDUTY_BROKER_URL": "amqp://guest:guest@h//",
        "LEGALDUTY_DEMO": "0",
        "LEGALDUTY_ADMIN_PASSWORD": "pw",
    }
    s = load_settings("roster", env)
    assert (s.port, s.bind, s.database_url, s.broker_url, s.demo, s.admin_password) == (
        9001,
        "0.0.0.0",
        "postgresql://u@h:5432/r",
        "amqp://guest:guest@h//",
        False,
        "pw",
    )


def test_the_gateway_reaches_a_service_on_another_host_at_its_configured_url() -> None:
    env = {"LEGALDUTY_BIND": "0.0.0.0", "LEGALDUTY_ROSTER_URL": "http://legalduty-roster:8001/"}
    s = load_settings("gateway", env)
    assert s.service_url("roster") == "http://legalduty-roster:8001"
    assert s.service_url("subsidy") == "http://127.0.0.1:8002"


def test_a_plain_postgresql_url_gets_the_installed_driver() -> None:
    assert normalise_url("postgresql://u@h:5432/db").startswith("postgresql+psycopg://")


@pytest.mark.parametrize("secret", ["", "short"])
def test_production_refuses_a_missing_or_short_secret(secret: str) -> None:
    with pytest.raises(SettingsError):
        load_settings(
            "gateway",
            {
                "LEGALDUTY_ENV": "production",
                "LEGALDUTY_JWT_SECRET": secret,
                "LEGALDUTY_INTERNAL_SECRET": "x" * 40,
            },
        )


def test_a_malformed_port_is_refused_with_its_name() -> None:
    with pytest.raises(SettingsError, match="LEGALDUTY_GATEWAY_PORT"):
        load_settings("gateway", {"LEGALDUTY_GATEWAY_PORT": "eighty"})


def test_nested_validation_messages_become_dotted_field_names() -> None:
    messages = {"json": {"rates": {"0": {"amount": ["Not a valid number."]}}, "name": ["Missing data."]}}
    assert flatten_messages(messages) == {
        "rates.0.amount": ["Not a valid number."],
        "name": ["Missing data."],
    }


def test_an_identity_signed_for_one_service_is_refused_by_another() -> None:
    token = sign_identity(Identity("u1", "ayse", "lawyer", "l1"), secret="s" * 32, audience="roster")
    assert verify_identity(token, secret="s" * 32, audience="roster").lawyer_id == "l1"
    with pytest.raises(Problem) as err:
        verify_identity(token, secret="s" * 32, audience="subsidy")
    assert err.value.status == 401


def test_an_expired_identity_is_refused() -> None:
    token = sign_identity(Identity("u1", "a", "admin"), secret="s" * 32, audience="roster", ttl=-10)
    with pytest.raises(Problem):
        verify_identity(token, secret="s" * 32, audience="roster")


def test_production_settings_made_by_hand_need_two_different_strong_secrets() -> None:
    settings = load_settings("subsidy", {})
    check_production_secrets(settings)  # development: the built-in secrets do
    strong, other = "s" * 32, "t" * 32
    check_production_secrets(
        dataclasses.replace(settings, production=True, jwt_secret=strong, internal_secret=other)
    )
    with pytest.raises(SettingsError, match="LEGALDUTY_INTERNAL_SECRET must be set to at least 32 bytes"):
        check_production_secrets(
            dataclasses.replace(settings, production=True, jwt_secret=strong, internal_secret="t" * 31)
        )
    with pytest.raises(SettingsError, match="must differ"):
        check_production_secrets(
            dataclasses.replace(settings, production=True, jwt_secret=strong, internal_secret=strong)
        )


def test_a_failure_is_logged_with_its_route_not_the_path_and_the_secret_in_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from flask import Flask

    from services.common.http import register_error_handlers

    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/api/roster/calendar-feeds/<token>.ics")
    def feed(token: str) -> str:
        raise RuntimeError("a bug")

    with caplog.at_level("ERROR"):
        answer = app.test_client().get("/api/roster/calendar-feeds/s3cret-feed-token.ics")
    assert answer.status_code == 500
    (record,) = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert record.route == "GET /api/roster/calendar-feeds/<token>.ics"  # type: ignore[attr-defined]
    assert "s3cret" not in str(record.__dict__)
