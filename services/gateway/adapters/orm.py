"""The gateway's tables: users, its copy of the lawyer directory, lawyers' notifications, and its outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import add_messaging_tables


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    lawyer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # bumped when the password changes or the user is disabled: tokens carry it and older ones are refused
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # one user per roster lawyer (NULLs, the staff users, do not collide)
    __table_args__ = (Index("uq_users_lawyer_id", "lawyer_id", unique=True),)


class LawyerEntry(Base):
    """The gateway's copy of roster lawyers (from roster.lawyer.upserted), to link users and greet them."""

    __tablename__ = "lawyer_directory"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6))
    # the event's contract fields as received (languages, licence number, internship...), for /api/me
    profile: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # when the roster said so (the event's occurred_at): an older event arriving late changes nothing
    source_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """Something a lawyer should hear about (duties published or changed, a claim decided or paid), or a staff
    user (a budget running out, told to every finance user): addressed to a lawyer or to one user."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lawyer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_notifications_lawyer", "lawyer_id", "id"),
        Index("ix_notifications_user", "user_id", "id"),
    )


class LoginAttempt(Base):
    """Failed logins per username and per client, for throttling across gunicorn workers."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


metadata = Base.metadata
outbox, processed_events = add_messaging_tables(metadata)
