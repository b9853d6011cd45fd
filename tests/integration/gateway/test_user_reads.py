"""The read the gateway makes on every request, on SQLite and PostgreSQL: the caller's user row as it is now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from services.common.db import UnitOfWork, make_engine, make_session_factory, read_only
from services.gateway.adapters.orm import metadata
from services.gateway.adapters.user_state import UserState, user_state
from services.gateway.service import accounts
from tests.conftest import drop_postgres_database, new_postgres_database, unavailable
from tests.integration.gateway.conftest import AnyLawyerIsKnown


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    else:
        try:
            url = new_postgres_database()
        except Exception:
            unavailable("PostgreSQL on 127.0.0.1:5432")
            raise
    made = make_engine(url)
    metadata.create_all(made)
    yield made
    made.dispose()
    if request.param == "postgres":
        drop_postgres_database(url)


def unit(engine: Engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(engine, metadata), producer="gateway")


def test_a_user_reads_back_as_stored_and_an_unknown_id_reads_as_nobody(engine: Engine) -> None:
    with unit(engine) as uow:
        lawyer = accounts.create_user(
            uow,
            lawyers=AnyLawyerIsKnown(),
            username="aygul",
            password="correct-horse-battery",
            role="lawyer",
            lawyer_id="l-1",
        )
        uow.commit()
    reader = read_only(engine)
    assert user_state(reader, lawyer.id) == UserState(
        user_id=lawyer.id, username="aygul", role="lawyer", lawyer_id="l-1", disabled=False, token_version=1
    )
    assert user_state(reader, "no-such-user") is None


def test_disabling_a_user_shows_in_the_very_next_read(engine: Engine) -> None:
    with unit(engine) as uow:
        accounts.create_user(
            uow, lawyers=AnyLawyerIsKnown(), username="admin", password="correct-horse-battery", role="admin"
        )
        finance = accounts.create_user(
            uow, lawyers=AnyLawyerIsKnown(), username="li", password="correct-horse-battery", role="finance"
        )
        uow.commit()
    reader = read_only(engine)
    before = user_state(reader, finance.id)
    with unit(engine) as uow:
        accounts.disable_user(uow, user_id=finance.id)
        uow.commit()
    after = user_state(reader, finance.id)
    assert before is not None
    assert after is not None
    assert after.disabled
    assert after.token_version > before.token_version


def test_an_unreadable_gateway_database_is_an_operational_error(tmp_path: Path) -> None:
    reader = read_only(make_engine(f"sqlite:///{tmp_path}"))  # a directory is no database file
    with pytest.raises(OperationalError):
        user_state(reader, "anyone")
