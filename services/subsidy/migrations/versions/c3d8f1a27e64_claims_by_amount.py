"""claims by amount: the finance queue sorted or banded by amount over pending claims

Revision ID: c3d8f1a27e64
Revises: 7a61e2c4d9b0
Create Date: 2026-11-30 13:20:00
"""
from alembic import op

revision = 'c3d8f1a27e64'
down_revision = '7a61e2c4d9b0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_claims_status_amount', 'claims', ['status', 'amount', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_claims_status_amount', table_name='claims')
