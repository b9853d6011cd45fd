"""The roster service over HTTP (Flask test client), on SQLite and on PostgreSQL, schema from migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.auth import IDENTITY_HEADER, Identity, sign_identity
from services.common.migrate import upgrade
from services.common.settings import load_settings
from tests.conftest import drop_postgres_database, new_postgres_database, unavailable

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "roster" / "migrations"


class Api:
    """A test client that speaks as a given user."""

    def __init__(self, app: Any, settings: Any):
        self.app = app
        self.client = app.test_client()
        self.settings = settings
        self.as_role("scheduler")

    def as_role(self, role: str, lawyer_id: str | None = None, user_id: str | None = None) -> Api:
        self.identity = Identity(
            user_id or f"u-{role}-{(lawyer_id or '')[:8]}", f"{role}-user", role, lawyer_id
        )
        return self

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        token = sign_identity(self.identity, secret=self.settings.internal_secret, audience="roster")
        return {IDENTITY_HEADER: token, **(extra or {})}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(path, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(path, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(path, json=json, headers=self.headers(kw.pop("headers", None)), **kw)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'roster.sqlite3'}"
        return
    try:
        url = new_postgres_database()
    except Exception:
        unavailable("PostgreSQL on 127.0.0.1:5432")
        raise
    yield url
    drop_postgres_database(url)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    from services.roster.app import create_app

    upgrade(database_url, MIGRATIONS)
    settings = load_settings(
        "roster", {"LEGALDUTY_DATA_DIR": str(tmp_path), "ROSTER_DATABASE_URL": database_url}
    )
    app = create_app(settings)
    yield Api(app, settings)
    app.extensions["legalduty"].engine.dispose()
