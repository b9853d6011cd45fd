"""A lawyer user for a lawyer the roster has just created is accepted at once, before the roster's
roster.lawyer.upserted event reaches the gateway's lawyer directory: the gateway asks the roster itself.

The roster here is the real roster app on a real port (its outbox is never relayed, so the event never
arrives on its own: exactly the moment between the roster's answer and the event)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from services.common.db import UnitOfWork
from services.common.migrate import upgrade
from services.common.settings import load_settings
from services.common.web import runtime
from services.gateway.adapters import directory
from services.gateway.adapters.orm import LawyerEntry
from services.gateway.consumers import on_lawyer_upserted
from services.gateway.domain.directory import card

from .conftest import PASSWORD, GatewayKit

ROSTER_MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "roster" / "migrations"
LAWYER = {
    "name": "Aygul Tursun",
    "license_no": "16540202010000001",
    "status": "practising",
    "region_code": "654021",
    "languages": ["zh", "ug"],
}


@pytest.fixture
def roster_port(tmp_path: Path) -> Iterator[int]:
    """The real roster service, serving HTTP on a free port."""
    from services.roster.app import create_app

    url = f"sqlite:///{tmp_path / 'roster.sqlite3'}"
    upgrade(url, ROSTER_MIGRATIONS)
    settings = load_settings(
        "roster",
        {
            "LEGALDUTY_DATA_DIR": str(tmp_path / "roster"),
            "ROSTER_DATABASE_URL": url,
            "LEGALDUTY_LOG_LEVEL": "WARNING",
        },
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    app.extensions["legalduty"].engine.dispose()


def directory_entry(gw: GatewayKit, lawyer_id: str) -> Any:
    with gw.session() as session:
        return session.scalar(select(LawyerEntry).where(LawyerEntry.id == lawyer_id))


def a_directory_that_knows_another_lawyer(gw: GatewayKit) -> None:
    with gw.session() as session:
        session.add(
            LawyerEntry(
                id="L-someone-else",
                name="Ma Li",
                status="practising",
                region_code="654021",
                updated_at=datetime.now(UTC),
            )
        )
        session.commit()


def new_lawyer_user(gw: GatewayKit, admin: Any, lawyer_id: str, username: str = "aygul") -> Any:
    return gw.client.post(
        "/api/users",
        headers=gw.auth(admin),
        json={"username": username, "password": PASSWORD, "role": "lawyer", "lawyer_id": lawyer_id},
    )


def test_a_lawyer_user_for_a_lawyer_the_roster_just_created_is_accepted_at_once(
    make_gateway: Any, roster_port: int
) -> None:
    gw = make_gateway(roster_port=roster_port)
    a_directory_that_knows_another_lawyer(gw)
    created = gw.client.post("/api/roster/lawyers", headers=gw.auth("scheduler"), json=LAWYER)
    assert created.status_code == 201, created.get_json()
    lawyer_id = created.get_json()["id"]

    response = new_lawyer_user(gw, gw.add_user("admin"), lawyer_id)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lawyer_id"] == lawyer_id
    entry = directory_entry(gw, lawyer_id)
    assert entry is not None
    assert entry.name == LAWYER["name"]
    assert entry.region_code == "654021"
    assert entry.profile["languages"] == ["ug", "zh"]


def test_the_roster_event_arriving_afterwards_is_harmless(make_gateway: Any, roster_port: int) -> None:
    gw = make_gateway(roster_port=roster_port)
    lawyer_id = gw.client.post("/api/roster/lawyers", headers=gw.auth("scheduler"), json=LAWYER).get_json()[
        "id"
    ]
    assert new_lawyer_user(gw, gw.add_user("admin"), lawyer_id).status_code == 201
    event = {"id": "e-1", "occurred_at": datetime.now(UTC) - timedelta(seconds=1)}
    with gw.session() as session:
        on_lawyer_upserted(session, event, {"id": lawyer_id, **LAWYER, "name": "Aygul Tursun (event)"})
        session.commit()
    entry = directory_entry(gw, lawyer_id)
    assert entry.name == "Aygul Tursun (event)"
    assert entry.source_at is not None
    older = {"id": "e-0", "occurred_at": datetime.now(UTC) - timedelta(days=1)}
    with gw.session() as session:
        on_lawyer_upserted(session, older, {"id": lawyer_id, **LAWYER, "name": "an older name"})
        session.commit()
    assert directory_entry(gw, lawyer_id).name == "Aygul Tursun (event)"


def test_a_lawyer_the_roster_does_not_know_is_refused_even_before_the_directory_knows_any(
    make_gateway: Any, roster_port: int
) -> None:
    gw = make_gateway(roster_port=roster_port)
    response = new_lawyer_user(gw, gw.add_user("admin"), "L-nobody")
    assert response.status_code == 422
    assert "lawyer_id" in response.get_json()["errors"]
    assert directory_entry(gw, "L-nobody") is None


def test_a_roster_that_is_down_makes_the_new_lawyer_user_wait_not_fail(
    make_gateway: Any, downed_port: int
) -> None:
    gw = make_gateway(roster_port=downed_port)
    response = new_lawyer_user(gw, gw.add_user("admin"), "L-unknown-yet")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    with gw.session() as session:
        assert session.scalar(select(LawyerEntry.id).where(LawyerEntry.id == "L-unknown-yet")) is None


def test_a_roster_answer_that_meets_an_event_copy_stored_meanwhile_gives_way(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event's copy was committed by a consumer between our look at the directory and our insert: the
    roster's answer gives way, and the user's transaction goes on."""
    with gw.session() as session:
        on_lawyer_upserted(
            session, {"id": "e-1", "occurred_at": datetime.now(UTC)}, {"id": "L-race", **LAWYER}
        )
        session.commit()
    with UnitOfWork(runtime(gw.app).session_factory, producer="gateway") as uow:
        monkeypatch.setattr(uow.session, "get", lambda *args, **kwargs: None)  # what it saw before the commit
        answer = card({"id": "L-race", **LAWYER, "name": "from the roster"}, source_at=None)
        assert directory.keep(uow.session, answer) is False
        monkeypatch.undo()
        uow.session.add(
            LawyerEntry(
                id="L-other",
                name="x",
                status="practising",
                region_code="654021",
                updated_at=datetime.now(UTC),
            )
        )
        uow.commit()
    assert directory_entry(gw, "L-race").name == LAWYER["name"]
    assert directory_entry(gw, "L-other") is not None
