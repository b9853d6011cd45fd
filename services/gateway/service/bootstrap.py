"""The first administrator on an empty gateway database (the run command's "first admin")."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime

from services.common.db import make_engine, make_session_factory
from services.common.settings import Settings
from services.gateway.adapters import users
from services.gateway.adapters.orm import User, metadata
from services.gateway.domain.passwords import generate_password, hash_password


def ensure_first_admin(settings: Settings) -> str | None:
    """Create user `admin` when there are no users; returns the generated password, if one was generated."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, metadata)
    generated = None
    try:
        with factory() as session:
            if users.count_users(session):
                return None
            password = settings.admin_password
            if not password:
                password = generated = generate_password()
            now = datetime.now(UTC)
            session.add(
                User(
                    id=str(uuid.uuid4()),
                    username="admin",
                    password_hash=hash_password(password),
                    role="admin",
                    lawyer_id=None,
                    disabled=False,
                    token_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.commit()
    finally:
        engine.dispose()
    if generated:
        # printed once, to the console of whoever started the system; never logged
        print(f"legalduty: first admin created: username 'admin', password '{generated}'", file=sys.stderr)
    return generated
