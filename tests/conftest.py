"""Shared fixtures: real PostgreSQL and RabbitMQ when reachable (required in CI), SQLite and the embedded
transport always."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("LEGALDUTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT_HOST, RABBIT_PORT = "127.0.0.1", 5672


def unavailable(what: str) -> None:
    """In CI a missing PostgreSQL or RabbitMQ fails the test; on a laptop it skips it."""
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI=true requires it", pytrace=False)
    pytest.skip(f"{what} is not reachable")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; yields its URL (psycopg driver)."""
    import psycopg

    name = f"legalduty_test_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        unavailable("PostgreSQL on 127.0.0.1:5432")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_postgres_database(admin_url: str = PG_ADMIN_URL) -> str:
    import psycopg

    name = f"legalduty_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def drop_postgres_database(url: str, admin_url: str = PG_ADMIN_URL) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rabbitmqctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def rabbitmq_server() -> Iterator[str]:
    """A fresh RabbitMQ vhost for this test session; yields its amqp:// URL."""
    if not port_open(RABBIT_HOST, RABBIT_PORT) or shutil.which("rabbitmqctl") is None:
        unavailable("RabbitMQ on 127.0.0.1:5672")
    vhost = f"legalduty_test_{uuid.uuid4().hex[:8]}"
    result = rabbitmqctl("add_vhost", vhost)
    if result.returncode != 0:
        unavailable(f"RabbitMQ (rabbitmqctl add_vhost: {result.stderr.strip()})")
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@{RABBIT_HOST}:{RABBIT_PORT}/{vhost}"
    rabbitmqctl("delete_vhost", vhost)
