"""claim files and grades: a scheme's required documents and grading, a claim's documents

Revision ID: 7a61e2c4d9b0
Revises: b7e2a4c91d05
Create Date: 2026-11-30 10:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7a61e2c4d9b0'
down_revision = 'b7e2a4c91d05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_documents', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('requires_grade', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('documents', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_column('documents')
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.drop_column('requires_grade')
        batch_op.drop_column('required_documents')
