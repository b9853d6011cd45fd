"""calendar links a phone subscribes to, duty sequences, duties taken away; Xibe is sjo, not xbe

Revision ID: 7c3e9a1f4b2d
Revises: 2cee478ec8b2
Create Date: 2026-11-30 10:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c3e9a1f4b2d'
down_revision = '2cee478ec8b2'
branch_labels = None
depends_on = None

# this project once wrote Xibe as `xbe`, which ISO 639-3 gives to Bigambal; Xibe is `sjo`
RENAMED = {"xbe": "sjo"}


def _rename_languages(table: str, renames: dict[str, str]) -> None:
    rows = sa.table(table, sa.column("id", sa.String()), sa.column("languages", sa.JSON()))
    bind = op.get_bind()
    for row_id, languages in bind.execute(sa.select(rows.c.id, rows.c.languages)).all():
        codes = list(languages or [])
        if any(code in renames for code in codes):
            fixed = sorted({renames.get(code, code) for code in codes})
            bind.execute(sa.update(rows).where(rows.c.id == row_id).values(languages=fixed))


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    op.create_table('duties_taken_away',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('assignment_id', sa.String(length=36), nullable=False),
    sa.Column('lawyer_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duties_taken_away', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duties_taken_away_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index('ix_duties_taken_away_lawyer_taken', ['lawyer_id', 'taken_at'], unique=False)
    op.create_table('calendar_links',
    sa.Column('lawyer_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lawyer_id'),
    sa.UniqueConstraint('token_hash')
    )
    _rename_languages('lawyers', RENAMED)
    _rename_languages('duty_patterns', RENAMED)


def downgrade() -> None:
    op.drop_table('calendar_links')
    with op.batch_alter_table('duties_taken_away', schema=None) as batch_op:
        batch_op.drop_index('ix_duties_taken_away_lawyer_taken')
        batch_op.drop_index(batch_op.f('ix_duties_taken_away_assignment_id'))
    op.drop_table('duties_taken_away')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('sequence')
    # Xibe stays `sjo`: the old `xbe` was never a Xibe code
