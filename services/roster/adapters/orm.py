"""The roster service's tables (SQLAlchemy 2 typed models) and its outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.columns import UTCDateTime
from services.common.outbox import add_messaging_tables


class Base(DeclarativeBase):
    pass


class Versioned:
    """Optimistic locking: the ETag is the row's version; a write with a stale If-Match gets 412."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LawyerRow(Versioned, Base):
    __tablename__ = "lawyers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    license_no: Mapped[str] = mapped_column(String(17), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON)
    max_duties_per_month: Mapped[int] = mapped_column(Integer, default=8)
    intern_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    intern_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    supervisor_id: Mapped[str | None] = mapped_column(ForeignKey("lawyers.id"), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)


class StationRow(Versioned, Base):
    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)


class DutyPatternRow(Versioned, Base):
    __tablename__ = "duty_patterns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"), index=True)
    days: Mapped[Any] = mapped_column(JSON)  # "workdays" | "daily" | "non_workdays" | [ISO weekdays]
    rrule: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    headcount: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSON)
    intern_seats: Mapped[int] = mapped_column(Integer, default=0)
    skip_public_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LeaveRow(Base):
    __tablename__ = "leaves"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lawyer_id: Mapped[str] = mapped_column(ForeignKey("lawyers.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class CalendarYearRow(Base):
    """A scheduler's holiday arrangement for a year (overrides the bundled State Council data)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    workdays: Mapped[list[str]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RosterRow(Versioned, Base):
    __tablename__ = "rosters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    min_intern_duties: Mapped[int] = mapped_column(Integer, default=4)
    # draft -> queued -> generating -> generated -> published (failed on a solver error)
    status: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(36))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # the generation worker generating it, and until when its claim holds unless renewed (generation_worker.py)
    lease_owner: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AssignmentRow(Base):
    __tablename__ = "assignments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    roster_id: Mapped[str] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id"))
    pattern_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    lawyer_id: Mapped[str] = mapped_column(ForeignKey("lawyers.id"))
    role: Mapped[str] = mapped_column(String(10))
    # scheduled -> checked_in -> completed
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # raised each time the duty changes hands in a published roster (the calendar feed's SEQUENCE)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (Index("ix_assignments_lawyer_date", "lawyer_id", "date"),)


class DutyTakenAwayRow(Base):
    """A published duty that left a lawyer (a swap, a reassignment, a replan): their calendar feed shows it
    cancelled, with the sequence it had when it left them."""

    __tablename__ = "duties_taken_away"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    lawyer_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_duties_taken_away_lawyer_taken", "lawyer_id", "taken_at"),)


class CalendarLinkRow(Base):
    """A lawyer's secret calendar address: only the SHA-256 of its token is kept; one link per lawyer."""

    __tablename__ = "calendar_links"

    lawyer_id: Mapped[str] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SwapRow(Base):
    __tablename__ = "swaps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    from_lawyer_id: Mapped[str] = mapped_column(String(36), index=True)
    to_lawyer_id: Mapped[str] = mapped_column(String(36), index=True)
    # requested -> accepted -> approved; declined / cancelled end it (domain/swaps.py)
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


metadata = Base.metadata
outbox, processed_events = add_messaging_tables(metadata)
