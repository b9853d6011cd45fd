"""Alembic, driven from code: each service has its own migrations folder and database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from services.common.db import normalise_url


def alembic_config(database_url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, script_location: Path, revision: str = "head") -> None:
    """Bring a service's database to `revision`."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url, script_location), revision)


def make_revision(database_url: str, script_location: Path, message: str) -> None:
    """Autogenerate a revision from the difference between the models and the database."""
    command.revision(alembic_config(database_url, script_location), message=message, autogenerate=True)
