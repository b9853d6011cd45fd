"""docker-compose.yml and deploy/ agree with the settings code (Docker itself does not run here)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from services.common.settings import CONSOLE, DEFAULT_PORTS, ENVIRONMENT, SERVICES
from services.common.topology import TOPOLOGY, rabbitmq_definitions

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = {f"{s}{suffix}" for s in SERVICES for suffix in ("", "-relay", "-worker")}


def env_of(name: str) -> dict[str, str]:
    service = COMPOSE["services"][name]
    env: dict[str, str] = {}
    for entry in service.get("env_file", []):
        path = ROOT / (entry["path"] if isinstance(entry, dict) else entry)
        if not path.exists():
            assert isinstance(entry, dict), f"{path} is missing"
            assert entry.get("required") is False, f"{path} is missing"
            path = path.with_name(path.name + ".example")
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip()
    env.update(service.get("environment") or {})
    return env


def test_compose_names_every_service_and_its_workers_plus_the_broker_and_database() -> None:
    assert set(COMPOSE["services"]) == APP_SERVICES | {CONSOLE, "rabbitmq", "postgres"}


def test_every_variable_the_compose_file_sets_is_one_the_settings_read() -> None:
    for name in APP_SERVICES:
        unknown = set(env_of(name)) - set(ENVIRONMENT)
        assert not unknown, f"{name} sets variables no code reads: {unknown}"


def test_every_app_container_gets_its_database_broker_and_secrets() -> None:
    for name in APP_SERVICES:
        env = env_of(name)
        service = name.split("-")[0]
        assert env[f"{service.upper()}_DATABASE_URL"].startswith("postgresql://")
        assert env["LEGALDUTY_BROKER_URL"].startswith("amqp://")
        assert env["LEGALDUTY_ENV"] == "production"
        assert {"LEGALDUTY_JWT_SECRET", "LEGALDUTY_INTERNAL_SECRET"} <= set(env)


def test_each_web_container_publishes_its_contract_port_and_checks_readiness() -> None:
    for service in SERVICES:
        spec = COMPOSE["services"][service]
        port = DEFAULT_PORTS[service]
        assert any(p.endswith(f":{port}:{port}") for p in spec["ports"])
        assert env_of(service)[f"LEGALDUTY_{service.upper()}_PORT"] == str(port)
        assert f"{port}/readyz" in " ".join(spec["healthcheck"]["test"])
        assert spec["command"] == [service, "web"]


def test_workers_run_the_commands_the_service_cli_knows() -> None:
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text()
    for service in SERVICES:
        for role in ("relay", "worker"):
            assert COMPOSE["services"][f"{service}-{role}"]["command"] == [service, role]
    assert "relay|worker" in entrypoint
    assert "migrate" in entrypoint


def test_one_database_per_service_is_created() -> None:
    sql = (ROOT / "deploy" / "postgres" / "init.sql").read_text()
    for service in SERVICES:
        assert f"CREATE DATABASE {service};" in sql


def test_the_rabbitmq_definitions_file_is_the_topology_the_code_declares() -> None:
    on_disk = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    expected = rabbitmq_definitions(password_hash=on_disk["users"][0]["password_hash"])
    assert on_disk == json.loads(json.dumps(expected)), "regenerate: python -m services.common.topology"
    names = {q["name"] for q in on_disk["queues"]}
    assert {q.name for q in TOPOLOGY.queues} <= names
    assert all(q["arguments"]["x-queue-type"] == "quorum" for q in on_disk["queues"])


def test_the_console_publishes_its_port_on_loopback_and_the_gateway_waits_for_it() -> None:
    spec = COMPOSE["services"][CONSOLE]
    port = DEFAULT_PORTS[CONSOLE]
    assert spec["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert env_of(CONSOLE)["LEGALDUTY_CONSOLE_PORT"] == str(port)
    assert f"{port}/healthz" in " ".join(spec["healthcheck"]["test"])
    assert spec["command"] == [CONSOLE, "web"]
    assert COMPOSE["services"]["gateway"]["depends_on"][CONSOLE]["condition"] == "service_healthy"
    assert not set(env_of(CONSOLE)) - set(ENVIRONMENT)
