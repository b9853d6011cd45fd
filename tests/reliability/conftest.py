from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.buskit import Bus


@pytest.fixture(params=["sqlite+embedded", "postgres+rabbitmq"])
def bus(request: pytest.FixtureRequest, tmp_path) -> Iterator[Bus]:
    if request.param == "sqlite+embedded":
        b = Bus("embedded", tmp_path, f"sqlite:///{tmp_path / 'test.sqlite3'}", None)
    else:
        pg = request.getfixturevalue("postgres_server")
        amqp = request.getfixturevalue("rabbitmq_server")
        b = Bus("rabbitmq", tmp_path, pg, amqp)
        with b.engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox"))
            conn.execute(text("DELETE FROM processed_events"))
    yield b
    b.close()
