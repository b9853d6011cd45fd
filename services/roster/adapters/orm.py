"""The roster service's tables (SQLAlchemy 2 typed models) and its outbox."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.outbox import register


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox, processed_events = register(metadata)
