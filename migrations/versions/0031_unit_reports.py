"""unit_reports: 上报, a unit's frozen, hashed report for a period, accepted or returned by
the level above

Revision ID: 0031
Revises: 0023
Create Date: 2026-12-03 08:00:00

"""
import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_by_name', sa.String(length=64), nullable=False),
        sa.Column('submitted_at', app.models.types.UTCDateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_by_name', sa.String(length=64), nullable=True),
        sa.Column('reviewed_at', app.models.types.UTCDateTime(), nullable=True),
        sa.Column('return_reason', sa.Text(), nullable=True),
        sa.CheckConstraint('month BETWEEN 0 AND 12', name=op.f('ck_unit_reports_month_range')),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'returned')", name=op.f('ck_unit_reports_status')
        ),
        sa.ForeignKeyConstraint(
            ['submitted_by_id'], ['users.id'], name=op.f('fk_unit_reports_submitted_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['reviewed_by_id'], ['users.id'], name=op.f('fk_unit_reports_reviewed_by_id_users')
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_reports_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_reports')),
    )
    op.create_index(
        'uq_unit_reports_standing',
        'unit_reports',
        ['unit_id', 'year', 'month'],
        unique=True,
        sqlite_where=sa.text("status <> 'returned'"),
        postgresql_where=sa.text("status <> 'returned'"),
    )


def downgrade():
    op.drop_index('uq_unit_reports_standing', table_name='unit_reports')
    op.drop_table('unit_reports')
