"""The subsidy service on a real database (SQLite file, and PostgreSQL migrated by Alembic), driven through
its Flask test client with gateway-signed identities, and its consumer driven message by message."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text

from services.common.auth import IDENTITY_HEADER, Identity, sign_identity
from services.common.connections import connection_for
from services.common.consumer import EventConsumer
from services.common.db import make_engine
from services.common.events import make_envelope
from services.common.migrate import upgrade
from services.common.settings import Settings, load_settings
from services.common.web import runtime
from services.subsidy.adapters.orm import messaging, metadata, outbox
from services.subsidy.app import create_app
from services.subsidy.consumers import HANDLERS
from tests.conftest import PG_ADMIN_URL, drop_postgres_database, new_postgres_database, unavailable

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = ROOT / "services" / "subsidy" / "migrations"

YINING_COUNTY = "654021"
ILI = "654000"


def mediation_scheme(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "mediation_case",
        "name": "伊犁州人民调解个案补贴 mediation standard",
        "region_code": ILI,
        "effective_from": "2026-01-01",
        "effective_to": None,
        "rates": [
            {"when": {"difficulty": "simple"}, "amount": "100.00"},
            {"when": {"difficulty": "ordinary"}, "amount": "200.00"},
            {"when": {"difficulty": "difficult"}, "amount": "400.00"},
        ],
        "adjustments": [{"when": {"agreement": True}, "multiply": "1.50"}],
        "monthly_cap_per_lawyer": None,
        "max_amount": None,
        "document_no": "伊州司发〔2026〕1号",
    }
    return {**body, **overrides}


def legal_aid_scheme(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "legal_aid_case",
        "name": "伊犁州法律援助案件补贴 legal aid standard",
        "region_code": ILI,
        "effective_from": "2025-01-01",
        "effective_to": None,
        "rates": [
            {"when": {"case_type": "criminal", "stage": "first_instance"}, "amount": "2000.00"},
            {"when": {"case_type": "civil"}, "amount": "1500.00"},
        ],
        "adjustments": [
            {"when": {"remote_area": True}, "multiply": "1.20", "label": "remote area"},
            {"when": {"language": "kk"}, "add": "200.00", "label": "Kazakh"},
        ],
        "max_amount": "3000.00",
        "document_no": "伊州司发〔2025〕12号",
    }
    return {**body, **overrides}


def station_duty_scheme(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "station_duty",
        "name": "驻点服务补助 station duty",
        "region_code": ILI,
        "effective_from": "2026-01-01",
        "effective_to": None,
        "rates": [
            {"when": {"station_level": "township", "length": "full_day"}, "amount": "150.00"},
            {"when": {"station_level": "township", "length": "half_day"}, "amount": "90.00"},
        ],
        "adjustments": [{"when": {"holiday": True}, "multiply": "1.50"}],
    }
    return {**body, **overrides}


@dataclass
class Kit:
    """One subsidy app on one database, and helpers to call it as anyone."""

    app: Flask
    settings: Settings
    url: str
    client: FlaskClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    @property
    def engine(self) -> Engine:
        return runtime(self.app).engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # ---- who is calling
    def headers(
        self, role: str, *, user_id: str | None = None, lawyer_id: str | None = None
    ) -> dict[str, str]:
        user_id = user_id or f"{role}-user"
        token = sign_identity(
            Identity(user_id, user_id, role, lawyer_id),
            secret=self.settings.internal_secret,
            audience="subsidy",
        )
        return {IDENTITY_HEADER: token}

    def finance(self, user_id: str = "finance-wang") -> dict[str, str]:
        return self.headers("finance", user_id=user_id)

    def lawyer(self, lawyer_id: str) -> dict[str, str]:
        return self.headers("lawyer", user_id=f"user-of-{lawyer_id}", lawyer_id=lawyer_id)

    # ---- the roster's events, through the consumer
    def consumer(self) -> EventConsumer:
        return EventConsumer(
            session_factory=runtime(self.app).session_factory,
            tables=messaging,
            connection_factory=lambda: connection_for(self.settings.data_dir, None),
            handlers=HANDLERS,
            max_deliveries=2,
            retry_backoff=0.0,
        )

    def deliver(
        self,
        queue: str,
        event_type: str,
        data: dict[str, Any],
        *,
        envelope: dict[str, Any] | None = None,
        consumer: EventConsumer | None = None,
    ) -> tuple[str, dict[str, Any]]:
        envelope = envelope or make_envelope(event_type, data, producer="roster")
        outcome = (consumer or self.consumer()).handle(queue, json.dumps(envelope).encode(), {})
        return outcome, envelope

    def add_lawyer(self, lawyer_id: str, name: str = "", **fields: Any) -> str:
        data = {
            "id": lawyer_id,
            "name": name or f"律师 {lawyer_id}",
            "license_no": "16540202010123456",
            "status": "practising",
            "region_code": YINING_COUNTY,
            "languages": ["zh", "kk"],
            "max_duties_per_month": 8,
            "intern_start": None,
            "intern_end": None,
            "supervisor_id": None,
            **fields,
        }
        outcome, _ = self.deliver("subsidy.on_lawyer_upserted", "roster.lawyer.upserted", data)
        assert outcome == "processed"
        return lawyer_id

    # ---- shortcuts through the API
    def set_account(
        self,
        lawyer_id: str,
        account_no: str = "6222020200112233445",
        *,
        name: str | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        """PUT a lawyer's bank account (as finance unless `headers` say who)."""
        body = {
            "account_name": name or f"户名 {lawyer_id}",
            "account_no": account_no,
            "bank_name": "中国工商银行",
            "branch": "伊宁市解放路支行",
            **fields,
        }
        return self.client.put(
            f"/api/subsidy/lawyers/{lawyer_id}/bank-account",
            json=body,
            headers=headers or self.finance("finance-zhao"),
        )

    def give_account(
        self, lawyer_id: str, account_no: str = "6222020200112233445", **fields: Any
    ) -> dict[str, Any]:
        response = self.set_account(lawyer_id, account_no, **fields)
        assert response.status_code == 200, response.json
        return response.json

    def create_scheme(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/api/subsidy/schemes", json=body, headers=self.finance())
        assert response.status_code == 201, response.json
        return response.json

    def create_budget(
        self, amount: str, *, kind: str = "mediation_case", year: int = 2026, region_code: str | None = ILI
    ) -> dict[str, Any]:
        response = self.client.post(
            "/api/subsidy/budgets",
            headers=self.finance(),
            json={"region_code": region_code, "kind": kind, "year": year, "amount": amount},
        )
        assert response.status_code == 201, response.json
        return response.json

    def submit(
        self,
        lawyer_id: str,
        *,
        case_no: str | None = None,
        kind: str = "mediation_case",
        service_date: str = "2026-05-12",
        attributes: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        region_code: str = YINING_COUNTY,
    ) -> Any:
        body = {
            "kind": kind,
            "lawyer_id": lawyer_id,
            "region_code": region_code,
            "case_no": case_no or f"(2026)伊调字第{uuid.uuid4().hex[:6]}号",
            "service_date": service_date,
            "attributes": attributes if attributes is not None else {"difficulty": "ordinary"},
        }
        return self.client.post("/api/subsidy/claims", json=body, headers=headers or self.lawyer(lawyer_id))

    def claim(self, lawyer_id: str, **kwargs: Any) -> dict[str, Any]:
        response = self.submit(lawyer_id, **kwargs)
        assert response.status_code == 201, response.json
        return response.json

    def approve(self, claim_id: str, user_id: str = "finance-li") -> Any:
        return self.client.post(f"/api/subsidy/claims/{claim_id}/approve", headers=self.finance(user_id))

    # ---- what is stored
    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            statement = select(outbox.c.body).order_by(outbox.c.id)
            if event_type:
                statement = statement.where(outbox.c.event_type == event_type)
            return [json.loads(b) for b in conn.execute(statement).scalars()]

    def outbox_size(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(outbox)).scalar_one()


def duty(assignment_id: str, lawyer_id: str, **overrides: Any) -> dict[str, Any]:
    """A roster.duty.completed payload: a full day at a township station in Yining County."""
    data = {
        "assignment_id": assignment_id,
        "lawyer_id": lawyer_id,
        "station_id": "station-1",
        "station_level": "township",
        "region_code": YINING_COUNTY,
        "date": date(2026, 5, 12),
        "start_time": "09:30",
        "end_time": "18:00",
        "checked_in_at": datetime(2026, 5, 12, 1, 25, tzinfo=UTC),
        "checked_out_at": datetime(2026, 5, 12, 10, 5, tzinfo=UTC),
        "holiday": False,
    }
    return {**data, **overrides}


# ------------------------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def subsidy_pg() -> Iterator[str]:
    """One PostgreSQL database for the session, its schema made by the Alembic migrations."""
    try:
        url = new_postgres_database()
    except psycopg.OperationalError:
        unavailable(f"PostgreSQL at {PG_ADMIN_URL}")
    try:
        upgrade(url, MIGRATIONS)
        yield url
    finally:
        drop_postgres_database(url)


def _empty(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("subsidy-template") / "subsidy.sqlite3"
    upgrade(f"sqlite:///{path}", MIGRATIONS)
    return path


def sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "subsidy.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(migrated_sqlite, tmp_path)
    url = request.getfixturevalue("subsidy_pg")
    _empty(url)
    return url


def make_kit(url: str, data_dir: Path) -> Kit:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        "subsidy",
        {
            "LEGALDUTY_DATA_DIR": str(data_dir),
            "SUBSIDY_DATABASE_URL": url,
            "LEGALDUTY_LOG_LEVEL": "WARNING",
        },
    )
    return Kit(app=create_app(settings), settings=settings, url=url)


@pytest.fixture
def kit(database_url: str, tmp_path: Path) -> Iterator[Kit]:
    k = make_kit(database_url, tmp_path / "var")
    yield k
    k.engine.dispose()


@pytest.fixture
def sqlite_kit(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Kit]:
    """SQLite only, for what does not depend on the database."""
    k = make_kit(sqlite_copy(migrated_sqlite, tmp_path), tmp_path / "var")
    yield k
    k.engine.dispose()
