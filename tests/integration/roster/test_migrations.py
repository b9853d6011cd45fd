"""The roster's migrations make the tables its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.migrate import upgrade
from services.roster.adapters.orm import metadata
from tests.integration.roster.conftest import MIGRATIONS


def test_the_migrations_and_the_models_agree(database_url: str) -> None:
    upgrade(database_url, MIGRATIONS)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
