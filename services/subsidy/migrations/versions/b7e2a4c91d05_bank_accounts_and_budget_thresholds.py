"""lawyers' bank accounts; budgets remember the threshold they announced

Revision ID: b7e2a4c91d05
Revises: df3c3f1c83ba
Create Date: 2026-11-30 10:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e2a4c91d05'
down_revision = 'df3c3f1c83ba'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lawyer_bank_accounts',
        sa.Column('lawyer_id', sa.String(length=36), nullable=False),
        sa.Column('account_name', sa.String(length=100), nullable=False),
        sa.Column('account_no', sa.String(length=30), nullable=False),
        sa.Column('bank_name', sa.String(length=100), nullable=False),
        sa.Column('branch', sa.String(length=100), nullable=True),
        sa.Column('updated_by', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('lawyer_id'),
    )
    with op.batch_alter_table('budgets') as batch:
        batch.add_column(sa.Column('announced_threshold', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('budgets') as batch:
        batch.drop_column('announced_threshold')
    op.drop_table('lawyer_bank_accounts')
