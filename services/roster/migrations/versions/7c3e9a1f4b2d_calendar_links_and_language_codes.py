"""calendar links a phone subscribes to, duty sequences, duties taken away; Xibe is sjo, not xbe

Revision ID: 7c3e9a1f4b2d
Revises: 2cee478ec8b2
Create Date: 2026-11-30 10:20:00
"""
import json
from datetime import UTC, datetime
from typing import Any

from alembic import op
import sqlalchemy as sa

from services.common.events import make_envelope


revision = '7c3e9a1f4b2d'
down_revision = '2cee478ec8b2'
branch_labels = None
depends_on = None

# this project once wrote Xibe as `xbe`, which ISO 639-3 gives to Bigambal; Xibe is `sjo`
RENAMED = {"xbe": "sjo"}
OUTBOX = sa.table("outbox", sa.column("event_id", sa.String()), sa.column("event_type", sa.String()),
                  sa.column("body", sa.Text()), sa.column("created_at", sa.DateTime(timezone=True)),
                  sa.column("attempts", sa.Integer()), sa.column("unroutable", sa.Boolean()))


# the contract fields of roster.lawyer.upserted as they are today (a database with `xbe` in it is one made
# before this migration, so this list need not follow later changes)
LAWYER_EVENT_FIELDS = ("id", "name", "license_no", "status", "region_code", "languages", "max_duties_per_month",
                       "intern_start", "intern_end", "supervisor_id")


def _rename_languages(table: str, renames: dict[str, str], *, announce: bool = False) -> None:
    """Rename the codes in `table`'s languages (a new version of each row changed); with `announce`, each
    changed lawyer is announced (roster.lawyer.upserted, in the outbox) so other services' copies follow."""
    columns: list[Any] = [sa.column("id", sa.String()), sa.column("languages", sa.JSON()), sa.column("version", sa.Integer()),
               sa.column("updated_at", sa.DateTime(timezone=True))]
    if announce:
        types: dict[str, Any] = {"intern_start": sa.Date(), "intern_end": sa.Date(), "max_duties_per_month": sa.Integer()}
        columns += [sa.column(name, types.get(name, sa.String()))
                    for name in LAWYER_EVENT_FIELDS if name not in ("id", "languages")]
    rows = sa.table(table, *columns)
    bind = op.get_bind()
    now = datetime.now(UTC)
    for row in bind.execute(sa.select(rows)).mappings().all():
        codes = list(row["languages"] or [])
        if not any(code in renames for code in codes):
            continue
        fixed = sorted({renames.get(code, code) for code in codes})
        bind.execute(sa.update(rows).where(rows.c.id == row["id"]).values(
            languages=fixed, version=(row["version"] or 0) + 1, updated_at=now))
        if announce:
            data = {**{name: row[name] for name in LAWYER_EVENT_FIELDS}, "languages": fixed}
            envelope = make_envelope("roster.lawyer.upserted", data, producer="roster")
            bind.execute(sa.insert(OUTBOX).values(
                event_id=envelope["id"], event_type=envelope["type"], created_at=now, attempts=0, unroutable=False,
                body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))))


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
    _rename_languages('lawyers', RENAMED, announce=True)
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
