"""notifications may be addressed to a staff user (finance hears of budgets running out)

Revision ID: c4d18e2f7a36
Revises: 248bb9686c91
Create Date: 2026-11-30 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d18e2f7a36'
down_revision = '248bb9686c91'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('user_id', sa.String(length=36), nullable=True))
        batch.alter_column('lawyer_id', existing_type=sa.String(length=36), nullable=True)
        batch.create_index('ix_notifications_user', ['user_id', 'id'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE lawyer_id IS NULL")
    with op.batch_alter_table('notifications') as batch:
        batch.drop_index('ix_notifications_user')
        batch.alter_column('lawyer_id', existing_type=sa.String(length=36), nullable=False)
        batch.drop_column('user_id')
