"""A copy kept from another service's events: the newest event wins, whatever order they arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.common.copies import copy_if_newer, is_newer


class Base(DeclarativeBase):
    pass


class Copy(Base):
    __tablename__ = "copies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    # a plain DateTime column: SQLite gives the timestamp back naive, as the gateway's directory does
    source_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine, expire_on_commit=True)


def test_a_late_older_event_changes_nothing_and_a_newer_one_overwrites() -> None:
    with session() as s:
        assert copy_if_newer(s, Copy, "a", {"name": "Tuesday's name"}, occurred_at=MONDAY + timedelta(days=1))
        s.commit()
        assert not copy_if_newer(s, Copy, "a", {"name": "Monday's name"}, occurred_at=MONDAY)
        s.commit()
        assert s.get(Copy, "a").name == "Tuesday's name"
        assert copy_if_newer(
            s, Copy, "a", {"name": "Wednesday's name"}, occurred_at=MONDAY + timedelta(days=2)
        )
        s.commit()
        copy = s.get(Copy, "a")
        assert copy.name == "Wednesday's name"
        assert copy.source_at.replace(tzinfo=UTC) == MONDAY + timedelta(days=2)


def test_an_event_of_the_same_moment_or_of_an_unknown_moment_overwrites() -> None:
    assert is_newer(MONDAY, MONDAY)
    assert is_newer(None, MONDAY)
    assert is_newer(MONDAY, None)
    assert not is_newer(MONDAY, MONDAY - timedelta(seconds=1))
    assert is_newer(MONDAY.replace(tzinfo=None), MONDAY + timedelta(seconds=1))
