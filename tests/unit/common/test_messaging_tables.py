"""Each service's outbox and processed-events tables are built once from its metadata and handed on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select

from services.common.db import UnitOfWork, make_engine, make_session_factory, messaging_of
from services.common.outbox import add_messaging_tables, messaging_tables_of
from tests.buskit import lawyer_data


def test_a_session_factory_for_tables_without_an_outbox_is_refused_with_the_way_to_add_one(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    with pytest.raises(LookupError, match="add_messaging_tables"):
        make_session_factory(engine, MetaData())


def test_two_services_in_one_process_each_write_events_to_their_own_outbox(tmp_path: Path) -> None:
    first, second = MetaData(), MetaData()
    first_tables, second_tables = add_messaging_tables(first), add_messaging_tables(second)
    assert messaging_tables_of(first) == first_tables
    assert messaging_tables_of(second) == second_tables
    engine = make_engine(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    first.create_all(engine)
    factory = make_session_factory(engine, first)
    assert messaging_of(factory) == first_tables

    with UnitOfWork(factory, producer="test") as uow:
        uow.emit("roster.lawyer.upserted", lawyer_data())
        uow.commit()

    with factory() as session:
        assert session.scalar(select(func.count()).select_from(first_tables.outbox)) == 1
    assert first_tables.outbox is not second_tables.outbox
