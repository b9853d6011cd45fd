"""The gateway's migrations build exactly the tables its models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.gateway
from services.common.db import make_engine
from services.common.migrate import upgrade
from services.gateway.adapters.orm import metadata

MIGRATIONS = Path(services.gateway.__file__).parent / "migrations"


def test_migrating_an_empty_database_gives_the_tables_of_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []
