"""The subsidy service's tables (SQLAlchemy 2 typed models) and its outbox.

Money is `Numeric(14, 2)`; instants are timezone-aware (stored UTC, read back aware even on SQLite).
Schemes keep their rate tables as JSON in the contract's shape; claims keep the attributes they were
priced on and the breakdown of their amount, so a stored claim explains itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.columns import UTCDateTime
from services.common.outbox import add_messaging_tables

MONEY = Numeric(14, 2)
ID = String(36)


class Base(DeclarativeBase):
    pass


class SchemeRow(Base):
    """A rate table (standard) of one kind for one region, in force between two dates."""

    __tablename__ = "schemes"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    rates: Mapped[list[Any]] = mapped_column(JSON)
    adjustments: Mapped[list[Any]] = mapped_column(JSON)
    monthly_cap_per_lawyer: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    max_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    document_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # 一案一卷: the documents a claim's file must hold (NULL: none); 案件质量评估: paid only once graded
    required_documents: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    requires_grade: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_schemes_kind_region", "kind", "region_code"),)


class PaymentBatchRow(Base):
    """A month's payment run (optionally for one region): open until marked paid."""

    __tablename__ = "payment_batches"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    total: Mapped[Decimal] = mapped_column(MONEY)
    claim_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # open | paid
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_payment_batches_month", "month"),)


class PaymentBatchLineRow(Base):
    """What one lawyer is paid in a batch, and for which claims."""

    __tablename__ = "payment_batch_lines"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    batch_id: Mapped[str] = mapped_column(ForeignKey("payment_batches.id"))
    position: Mapped[int] = mapped_column(Integer)
    lawyer_id: Mapped[str] = mapped_column(ID)
    lawyer_name: Mapped[str] = mapped_column(String(200))
    claim_ids: Mapped[list[str]] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(MONEY)

    __table_args__ = (UniqueConstraint("batch_id", "lawyer_id", name="uq_payment_batch_lines_lawyer"),)


class ClaimRow(Base):
    """A request for payment: a mediated case, a legal-aid case, or a completed station duty."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lawyer_id: Mapped[str] = mapped_column(ID)
    region_code: Mapped[str] = mapped_column(String(6))
    service_date: Mapped[date] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    breakdown: Mapped[list[Any]] = mapped_column(JSON)
    scheme_id: Mapped[str | None] = mapped_column(ForeignKey("schemes.id"), nullable=True)
    document_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # pending | approved | rejected | paid, and needs_rate: a duty claim no rate prices yet
    status: Mapped[str] = mapped_column(String(20))
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    budget_id: Mapped[str | None] = mapped_column(ForeignKey("budgets.id"), nullable=True)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("payment_batches.id"), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the roster assignment a station-duty claim pays (NULL for case claims; NULLs do not collide)
    assignment_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    # the documents the claim's file holds (NULL: none yet); its grade is the attribute `grade`
    documents: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        UniqueConstraint("kind", "case_no", name="uq_claims_kind_case_no"),
        UniqueConstraint("assignment_id", name="uq_claims_assignment_id"),
        Index("ix_claims_status_date", "status", "service_date"),
        # the finance queue sorted or banded by amount (pending claims, largest first)
        Index("ix_claims_status_amount", "status", "amount", "id"),
        Index("ix_claims_lawyer_date", "lawyer_id", "service_date"),
        Index("ix_claims_batch", "batch_id"),
    )


class BudgetRow(Base):
    """A region's yearly budget for one programme and what approvals have committed against it."""

    __tablename__ = "budgets"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    # region_code, or "*" for a budget of every region: what the unique key sees (NULLs never collide)
    scope: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    committed: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the highest threshold (percent: 0, 80, 95) announced as subsidy.budget.threshold_reached
    announced_threshold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (UniqueConstraint("scope", "kind", "year", name="uq_budgets_scope_kind_year"),)


class AuditRecordRow(Base):
    """One append-only audit record; `hash` covers its fields and the previous record's hash."""

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(ID)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_records_entity", "entity", "entity_id"),)


class AuditHead(Base):
    """The chain's last sequence number and hash: the lock appenders queue on, and the check that no
    record was cut off the end."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class LawyerEntry(Base):
    """The subsidy service's copy of roster lawyers (from roster.lawyer.upserted)."""

    __tablename__ = "lawyer_directory"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    license_no: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6))
    languages: Mapped[list[str]] = mapped_column(JSON)
    # when the roster said so (the event's occurred_at): an older event arriving late changes nothing
    source_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BankAccountRow(Base):
    """Where a lawyer's subsidies are paid (one account per lawyer); the number is shown whole to finance only."""

    __tablename__ = "lawyer_bank_accounts"

    lawyer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_name: Mapped[str] = mapped_column(String(100))
    account_no: Mapped[str] = mapped_column(String(30))
    bank_name: Mapped[str] = mapped_column(String(100))
    branch: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StationEntry(Base):
    """The subsidy service's copy of roster stations (from roster.station.upserted)."""

    __tablename__ = "station_directory"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6))
    parent_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    source_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


metadata = Base.metadata
messaging = add_messaging_tables(metadata)
outbox, processed_events = messaging
claims_table: Table = ClaimRow.__table__  # type: ignore[assignment]
audit_table: Table = AuditRecordRow.__table__  # type: ignore[assignment]
budgets_table: Table = BudgetRow.__table__  # type: ignore[assignment]
