"""While a service's database is unreachable its requests answer 503 problem+json with Retry-After (never 500,
never a hang), readiness says 503, and once the database is back everything works again within 10 s with no
acknowledged write lost. Roster, subsidy and the gateway (whose every request reads the caller's user row).

SQLite: the database file's folder is moved away and a plain file put in its place, so the database's path
lies inside a file (which stops root too, unlike chmod). PostgreSQL: a private cluster of the test's own is
stopped (`pg_ctl stop -m immediate`) under load and started again.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import bindparam, create_engine, text

from services.common.auth import IDENTITY_HEADER, Identity, sign_identity
from services.common.migrate import upgrade
from services.common.settings import load_settings
from services.common.web import runtime
from tests.buskit import wait_for
from tests.conftest import IN_CI
from tests.reliability.private_postgres import PrivatePostgres, available

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
REQUEST_BOUND = 8.0  # seconds: the PostgreSQL connect timeout (5 s) and some slack on a busy 2-core machine
RECOVERY = 10.0  # seconds after the database is back within which reads and writes must work again
# seconds the PostgreSQL cluster stays down; for 15 s: LEGALDUTY_OUTAGE_SECONDS=15 pytest -m outage
OUTAGE = float(os.environ.get("LEGALDUTY_OUTAGE_SECONDS", "4"))

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with test-sized parameters, so the gateway's user writes are quick (same code path)."""
    from services.gateway.domain import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class Service:
    """One service's app on its own database, and one read and one write to drive it with."""

    name: str
    app: Flask
    url: str
    table: str
    headers: Callable[[], dict[str, str]]
    read_path: str
    write_path: str
    write_body: Callable[[int], dict[str, Any]]

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def read(self, client: FlaskClient) -> Any:
        return client.get(self.read_path, headers=self.headers())

    def write(self, client: FlaskClient) -> Any:
        return client.post(self.write_path, json=self.write_body(next(_numbers)), headers=self.headers())

    def stored(self, ids: set[str]) -> set[str]:
        """Which of these ids are rows of the service's table (read with an engine of the test's own)."""
        if not ids:
            return set()
        engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:
                query = text(f"SELECT id FROM {self.table} WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                )
                return {str(row[0]) for row in conn.execute(query, {"ids": sorted(ids)})}
        finally:
            engine.dispose()

    def close(self) -> None:
        from services.gateway.api.collaborators import collaborators as gateway

        if self.name == "gateway":
            gateway(self.app).backends.close()
        runtime(self.app).engine.dispose()


def _signed(settings: Any, role: str, audience: str) -> Callable[[], dict[str, str]]:
    identity = Identity(f"{role}-user", f"{role}-user", role, None)

    def headers() -> dict[str, str]:
        return {IDENTITY_HEADER: sign_identity(identity, secret=settings.internal_secret, audience=audience)}

    return headers


def roster(url: str, data_dir: Path) -> Service:
    from services.roster.app import create_app

    upgrade(url, ROOT / "services" / "roster" / "migrations")
    settings = load_settings(
        "roster",
        {"LEGALDUTY_DATA_DIR": str(data_dir), "ROSTER_DATABASE_URL": url, "LEGALDUTY_LOG_LEVEL": "WARNING"},
    )
    return Service(
        "roster",
        create_app(settings),
        url,
        "lawyers",
        _signed(settings, "scheduler", "roster"),
        "/api/roster/lawyers?limit=5",
        "/api/roster/lawyers",
        lambda n: {
            "name": "Aygul Tursun",
            "license_no": f"1654020{n:010d}",
            "status": "practising",
            "region_code": "654021",
            "languages": ["zh", "ug"],
            "max_duties_per_month": 8,
        },
    )


def subsidy(url: str, data_dir: Path) -> Service:
    from services.subsidy.app import create_app

    upgrade(url, ROOT / "services" / "subsidy" / "migrations")
    settings = load_settings(
        "subsidy",
        {"LEGALDUTY_DATA_DIR": str(data_dir), "SUBSIDY_DATABASE_URL": url, "LEGALDUTY_LOG_LEVEL": "WARNING"},
    )
    return Service(
        "subsidy",
        create_app(settings),
        url,
        "budgets",
        _signed(settings, "finance", "subsidy"),
        "/api/subsidy/budgets?limit=5",
        "/api/subsidy/budgets",
        # one budget per region, programme and year: a new region code for every write
        lambda n: {
            "region_code": f"{10 + n // 10_000:02d}{n % 10_000:04d}",
            "kind": "legal_aid_case",
            "year": 2026,
            "amount": "1000.00",
        },
    )


def gateway_service(url: str, data_dir: Path) -> Service:
    from services.common.db import UnitOfWork
    from services.gateway.api.collaborators import collaborators
    from services.gateway.app import create_app
    from services.gateway.proxy import Timeouts
    from services.gateway.service import accounts
    from services.gateway.tokens import issue_token

    upgrade(url, ROOT / "services" / "gateway" / "migrations")
    settings = load_settings(
        "gateway",
        {"LEGALDUTY_DATA_DIR": str(data_dir), "GATEWAY_DATABASE_URL": url, "LEGALDUTY_LOG_LEVEL": "WARNING"},
    )
    app = create_app(settings, timeouts=Timeouts(connect=0.5, read=2.0))
    with UnitOfWork(runtime(app).session_factory, producer="gateway") as uow:
        admin = accounts.create_user(
            uow,
            lawyers=collaborators(app).lawyers,
            username=f"admin-{uuid.uuid4().hex[:6]}",
            password="correct-horse-battery",
            role="admin",
            lawyer_id=None,
        )
        uow.commit()
    token = issue_token(user_id=admin.id, role="admin", lawyer_id=None, version=1, secret=settings.jwt_secret)
    return Service(
        "gateway",
        app,
        url,
        "users",
        lambda: {"Authorization": f"Bearer {token}"},
        "/api/users?limit=5",
        "/api/users",
        lambda n: {"username": f"clerk{n}", "password": "correct-horse-battery", "role": "finance"},
    )


MAKERS = {"roster": roster, "subsidy": subsidy, "gateway": gateway_service}


def assert_unavailable(response: Any, what: str) -> None:
    """503 problem+json with Retry-After: the contract's answer while the database is unreachable."""
    assert response.status_code == 503, (
        f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    )
    assert response.mimetype == PROBLEM, f"{what}: {response.mimetype}"
    assert int(response.headers["Retry-After"]) > 0, what
    body = response.get_json(force=True)
    assert body["status"] == 503, body
    assert body["title"], body
    assert body["detail"], body


# ---- SQLite: the database file becomes unreachable, then is restored


@pytest.mark.parametrize("name", ["roster", "subsidy", "gateway"])
def test_a_service_whose_sqlite_file_is_unreachable_answers_503_and_recovers_when_it_is_restored(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    service = MAKERS[name](f"sqlite:///{folder / (name + '.sqlite3')}", tmp_path / "data")
    try:
        client = service.client()
        before = service.write(client)
        assert before.status_code == 201, before.get_data(as_text=True)
        assert service.read(client).status_code == 200
        assert client.get("/readyz").status_code == 200

        folder.rename(tmp_path / "db.away")
        folder.write_text("not a folder: the database's path now lies inside a file\n")
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert_unavailable(service.write(client), f"{name} write")
            assert_unavailable(service.read(client), f"{name} read")
            assert_unavailable(service.write(client), f"{name} write again")
            if name == "gateway":  # logging in reads the user and counts the attempt
                login = {"username": "anyone", "password": "correct-horse-battery"}
                assert_unavailable(client.post("/api/auth/token", json=login), "gateway login")
            ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["database"].startswith("unreachable")
        outage_logs = [r for r in caplog.records if r.name == "services.common.http"]
        assert len(outage_logs) == 1, [r.getMessage() for r in outage_logs]  # once, not per request
        assert outage_logs[0].levelno == logging.WARNING
        assert not outage_logs[0].exc_info  # no traceback for an outage

        folder.unlink()
        (tmp_path / "db.away").rename(folder)
        wait_for(lambda: service.read(client).status_code == 200, timeout=RECOVERY, what="reads again")
        after = service.write(client)
        assert after.status_code == 201, after.get_data(as_text=True)
        assert client.get("/readyz").status_code == 200
        ids = {before.get_json()["id"], after.get_json()["id"]}
        assert service.stored(ids) == ids
    finally:
        if folder.is_file():
            folder.unlink()
            (tmp_path / "db.away").rename(folder)
        service.close()


def test_a_service_started_while_its_sqlite_file_is_unreachable_answers_503(tmp_path: Path) -> None:
    blocker = tmp_path / "db"
    blocker.write_text("a file where the database's folder should be\n")
    from services.roster.app import create_app

    settings = load_settings(
        "roster",
        {
            "LEGALDUTY_DATA_DIR": str(tmp_path / "data"),
            "LEGALDUTY_LOG_LEVEL": "WARNING",
            "ROSTER_DATABASE_URL": f"sqlite:///{blocker / 'roster.sqlite3'}",
        },
    )
    app = create_app(settings)
    try:
        headers = _signed(settings, "scheduler", "roster")()
        assert_unavailable(app.test_client().get("/api/roster/lawyers", headers=headers), "roster read")
        assert app.test_client().get("/readyz").status_code == 503
    finally:
        runtime(app).engine.dispose()


# ---- PostgreSQL: a private cluster stopped under load and started again


@dataclass
class Outcome:
    service: str
    kind: str  # read | write
    started: float
    seconds: float
    status: int
    mimetype: str
    retry_after: str | None
    created_id: str | None = None


@dataclass
class Load:
    """Client threads doing reads and writes through each service's test client, recording every answer."""

    services: list[Service]
    threads_per_service: int = 2
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    crashes: list[BaseException] = field(default_factory=list)

    def _drive(self, service: Service, first: str) -> None:
        client = service.client()
        kinds = itertools.cycle([first, "write" if first == "read" else "read"])
        try:
            while not self.stop.is_set():
                kind = next(kinds)
                started = time.monotonic()
                response = service.read(client) if kind == "read" else service.write(client)
                seconds = time.monotonic() - started
                created = None
                if kind == "write" and response.status_code == 201:
                    created = response.get_json()["id"]
                with self.lock:
                    self.outcomes.append(
                        Outcome(
                            service.name,
                            kind,
                            started,
                            seconds,
                            response.status_code,
                            response.mimetype,
                            response.headers.get("Retry-After"),
                            created,
                        )
                    )
                self.stop.wait(0.01)  # pace the load: a few hundred requests a second in all on 2 cores
        except BaseException as exc:  # noqa: BLE001 - surfaced by the test
            self.crashes.append(exc)

    def __enter__(self) -> Load:
        self._threads = [
            threading.Thread(target=self._drive, args=(s, "read" if i % 2 == 0 else "write"), daemon=True)
            for s in self.services
            for i in range(self.threads_per_service)
        ]
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def since(self, moment: float) -> list[Outcome]:
        with self.lock:
            return [o for o in self.outcomes if o.started >= moment]

    def answered(self, service: str, kind: str, ok: bool, since: float) -> bool:
        return any(
            o.service == service and o.kind == kind and (o.status < 300) == ok for o in self.since(since)
        )


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    reason = available()
    if reason:
        if IN_CI:
            pytest.fail(f"a private PostgreSQL cluster cannot be made: {reason}", pytrace=False)
        pytest.skip(reason)
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.mark.postgres
@pytest.mark.outage
def test_while_postgresql_is_stopped_under_load_every_service_answers_503_and_loses_no_acknowledged_write(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    cluster = private_postgres
    services = [
        make(cluster.create_database(f"legalduty_{name}"), tmp_path / name) for name, make in MAKERS.items()
    ]
    try:
        with Load(services) as load:
            wait_for(
                lambda: all(load.answered(s.name, k, True, 0) for s in services for k in ("read", "write")),
                timeout=20,
                what="every service reads and writes before the outage",
            )

            down = time.monotonic()
            cluster.stop("immediate")
            readiness = {s.name: s.client().get("/readyz") for s in services}
            wait_for(
                lambda: (
                    time.monotonic() - down >= OUTAGE
                    and all(
                        load.answered(s.name, k, False, down) for s in services for k in ("read", "write")
                    )
                ),
                timeout=OUTAGE + 15,
                what="failed reads and writes of every service during the outage",
            )
            cluster.start(wait=False)
            wait_for(cluster.accepts_connections, timeout=60, what="the cluster accepting connections again")
            back = time.monotonic()  # the database's return: from here on, RECOVERY seconds to work again
            wait_for(
                lambda: all(
                    load.answered(s.name, k, True, back) for s in services for k in ("read", "write")
                ),
                timeout=RECOVERY,
                what=f"every service reads and writes within {RECOVERY} s of the database's return",
            )
            settled = time.monotonic()
            wait_for(
                lambda: time.monotonic() - settled >= 1.0, timeout=5, what="a second of load after recovery"
            )
        assert not load.crashes, load.crashes

        for name, response in readiness.items():
            assert response.status_code == 503, f"{name} readiness during the outage: {response.status_code}"
        outcomes = load.outcomes
        failed = [o for o in outcomes if o.status >= 300]
        assert failed, "the outage was not noticed"
        wrong = [o for o in failed if o.status != 503 or o.mimetype != PROBLEM or not o.retry_after]
        assert not wrong, (
            f"{len(wrong)} of {len(failed)} failures were not 503 problem+json with Retry-After: "
            f"{sorted({(o.service, o.kind, o.status, o.mimetype) for o in wrong})}"
        )
        slow = [o for o in outcomes if o.seconds > REQUEST_BOUND]
        assert not slow, (
            f"requests that hung past {REQUEST_BOUND} s: {[(o.service, o.kind, o.seconds) for o in slow]}"
        )
        for service in services:
            acknowledged = {o.created_id for o in outcomes if o.service == service.name and o.created_id}
            assert acknowledged
            missing = acknowledged - service.stored(acknowledged)
            assert not missing, f"{service.name}: {len(missing)} acknowledged writes are not in the database"
    finally:
        for service in services:
            service.close()


# ---- what counts as an outage


def _sqlite_error(statement: str, database: str = ":memory:") -> BaseException:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.exec_driver_sql(statement)
    except Exception as exc:  # noqa: BLE001 - the error is the point
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"{statement} did not fail")


def test_a_conflict_or_a_programming_error_is_no_outage_but_an_unusable_database_file_is(
    tmp_path: Path,
) -> None:
    from sqlalchemy import exc as sa_exc

    from services.common.connections import BrokerUnavailable
    from services.common.http import unavailable_dependency

    # a duplicate key is a conflict (or a bug), a missing table or bad SQL a bug: never an outage
    assert unavailable_dependency(_sqlite_error("INSERT INTO t VALUES (1)")) is None
    assert unavailable_dependency(_sqlite_error("SELECT * FROM no_such_table")) is None
    assert unavailable_dependency(_sqlite_error("SELEC 1")) is None
    assert unavailable_dependency(ValueError("a bug")) is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(sa_exc.OperationalError) as cannot_open:
        create_engine(f"sqlite:///{blocker / 'db.sqlite3'}").connect()
    assert unavailable_dependency(cannot_open.value) == "database"
    assert unavailable_dependency(sa_exc.TimeoutError("QueuePool limit reached")) == "database"
    assert unavailable_dependency(RuntimeError("wrapped")) is None
    wrapped = RuntimeError("while loading")
    wrapped.__cause__ = sa_exc.DisconnectionError("gone")
    assert unavailable_dependency(wrapped) == "database"
    assert unavailable_dependency(BrokerUnavailable("no broker")) == "broker"
