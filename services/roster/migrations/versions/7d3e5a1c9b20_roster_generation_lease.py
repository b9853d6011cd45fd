"""roster generation lease: which worker generates a roster, and until when its claim holds

Revision ID: 7d3e5a1c9b20
Revises: 7c3e9a1f4b2d
Create Date: 2026-11-30 10:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '7d3e5a1c9b20'
down_revision = '7c3e9a1f4b2d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rosters') as batch:
        batch.add_column(sa.Column('lease_owner', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rosters') as batch:
        batch.drop_column('lease_until')
        batch.drop_column('lease_owner')
