"""Writes never wait on the broker, and what was written while it was down arrives once it is back."""

from __future__ import annotations

import time

import pytest

from tests.buskit import Bus, Running, wait_for
from tests.conftest import rabbitmqctl


@pytest.fixture
def rabbit_bus(tmp_path, postgres_server, rabbitmq_server):
    b = Bus("rabbitmq", tmp_path, postgres_server, rabbitmq_server)
    yield b
    rabbitmqctl("start_app")
    b.close()


def test_an_event_written_while_rabbitmq_is_down_is_delivered_after_it_comes_back(rabbit_bus: Bus) -> None:
    bus = rabbit_bus
    consumer = bus.consumer(bus.record_effect)
    relay = bus.relay()
    # declare the queue while the broker is up, so the event has somewhere to go
    with Running(consumer.run):
        time.sleep(0.5)
    assert rabbitmqctl("stop_app").returncode == 0
    try:
        started = time.monotonic()
        [event_id] = bus.emit(1)  # the state change commits with the broker down...
        assert time.monotonic() - started < 2.0  # ...and does not wait on it
        with Running(relay.run_forever):
            time.sleep(2.0)  # the relay retries against a stopped broker
            assert bus.effects_count() == 0
            assert rabbitmqctl("start_app").returncode == 0
            with Running(consumer.run):
                wait_for(lambda: bus.effects_count(event_id) == 1, timeout=60, what="delivery after restart")
    finally:
        rabbitmqctl("start_app")


def test_readiness_reports_the_broker_down_and_back(rabbit_bus: Bus, tmp_path) -> None:
    from services.common.settings import load_settings
    from services.roster.app import create_app

    env = {
        "LEGALDUTY_DATA_DIR": str(tmp_path),
        "ROSTER_DATABASE_URL": rabbit_bus.database_url,
        "LEGALDUTY_BROKER_URL": rabbit_bus.broker_url,
    }
    client = create_app(load_settings("roster", env)).test_client()
    assert client.get("/readyz").status_code == 200
    assert rabbitmqctl("stop_app").returncode == 0
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["broker"].startswith("unreachable")
    finally:
        rabbitmqctl("start_app")
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60, what="ready again")
