"""A gateway on a real SQLite file, with stand-in roster and subsidy services on real ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import UnitOfWork
from services.common.settings import DEV_INTERNAL_SECRET, Settings, load_settings
from services.common.web import runtime
from services.gateway.adapters.orm import metadata
from services.gateway.api.collaborators import collaborators
from services.gateway.app import create_app
from services.gateway.domain import passwords
from services.gateway.domain.directory import LawyerCard
from services.gateway.domain.throttling import ThrottlePolicy
from services.gateway.proxy import Timeouts
from services.gateway.service import accounts
from services.gateway.tokens import issue_token
from tests.operations import SERVICES, spec_of

from .fakes import FakeBackend, closed_port

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with test-sized parameters: same code path, milliseconds instead of tens of them."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class AnyLawyerIsKnown:
    """The kit's users are set up, not under test: their lawyer ids need no roster."""

    def confirm(self, lawyer_id: str) -> LawyerCard | None:
        return None


@pytest.fixture(scope="session")
def fakes() -> Iterator[dict[str, FakeBackend]]:
    # the stand-ins publish the real services' documents: the gateway's route table is built from them
    backends = {name: FakeBackend(name, DEV_INTERNAL_SECRET, default_spec=spec_of(name)) for name in SERVICES}
    yield backends
    for backend in backends.values():
        backend.stop()


@dataclass
class GatewayKit:
    app: Flask
    settings: Settings
    fakes: dict[str, FakeBackend]
    client: FlaskClient = field(init=False)
    users: dict[str, accounts.UserView] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    def session(self) -> Any:
        return runtime(self.app).session_factory()

    def add_user(
        self,
        role: str,
        *,
        username: str | None = None,
        lawyer_id: str | None = None,
        password: str = PASSWORD,
    ) -> accounts.UserView:
        if role == "lawyer" and lawyer_id is None:
            lawyer_id = f"lawyer-{len(self.users) + 1}"
        with UnitOfWork(runtime(self.app).session_factory, producer="gateway") as uow:
            user = accounts.create_user(
                uow,
                lawyers=AnyLawyerIsKnown(),
                username=username or f"{role}{len(self.users) + 1}",
                password=password,
                role=role,
                lawyer_id=lawyer_id,
            )
            uow.commit()
        self.users[user.username] = user
        return user

    def token_for(self, user: accounts.UserView, *, version: int = 1) -> str:
        return issue_token(
            user_id=user.id,
            role=user.role,
            lawyer_id=user.lawyer_id,
            version=version,
            secret=self.settings.jwt_secret,
        )

    def auth(self, user: accounts.UserView | str) -> dict[str, str]:
        """Authorization headers for a user, or for a new user of a role."""
        if isinstance(user, str):
            user = self.add_user(user)
        return {"Authorization": f"Bearer {self.token_for(user)}"}

    def login(self, username: str, password: str = PASSWORD, client: str = "192.0.2.10") -> Any:
        return self.client.post(
            "/api/auth/token",
            json={"username": username, "password": password},
            environ_base={"REMOTE_ADDR": client},
        )


@pytest.fixture
def make_gateway(tmp_path: Path, fakes: dict[str, FakeBackend]) -> Iterator[Callable[..., GatewayKit]]:
    made: list[Flask] = []

    def make(
        *,
        roster_port: int | None = None,
        subsidy_port: int | None = None,
        read_timeout: float = 3.0,
        **env: str,
    ) -> GatewayKit:
        for fake in fakes.values():
            fake.reset()
        data_dir = tmp_path / f"gw{len(made)}"
        settings = load_settings(
            "gateway",
            {
                "LEGALDUTY_DATA_DIR": str(data_dir),
                "LEGALDUTY_ROSTER_PORT": str(roster_port or fakes["roster"].port),
                "LEGALDUTY_SUBSIDY_PORT": str(subsidy_port or fakes["subsidy"].port),
                "LEGALDUTY_LOG_LEVEL": "WARNING",
                **env,
            },
        )
        data_dir.mkdir(parents=True)
        app = create_app(
            settings,
            throttle=ThrottlePolicy(per_username=3, per_client=6, window=timedelta(minutes=1)),
            timeouts=Timeouts(connect=0.5, read=read_timeout),
            spec_ttl=0.0,
        )
        metadata.create_all(runtime(app).engine)
        made.append(app)
        return GatewayKit(app=app, settings=settings, fakes=fakes)

    yield make
    for app in made:
        collaborators(app).backends.close()
        collaborators(app).reader.dispose()
        runtime(app).engine.dispose()


@pytest.fixture
def gw(make_gateway: Callable[..., GatewayKit]) -> GatewayKit:
    return make_gateway()


@pytest.fixture
def downed_port() -> int:
    return closed_port()
