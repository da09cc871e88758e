"""period_closes: 结账, a unit's books closed for a month or a whole fiscal year; reopening
takes an administrator's request and a second person's approval

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'period_closes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_by_name', sa.String(length=64), nullable=False),
        sa.Column('closed_at', app.models.types.UTCDateTime(), nullable=False),
        sa.Column('reopen_reason', sa.Text(), nullable=True),
        sa.Column('reopen_requested_by_id', sa.Integer(), nullable=True),
        sa.Column('reopen_requested_at', app.models.types.UTCDateTime(), nullable=True),
        sa.Column('reopened_by_id', sa.Integer(), nullable=True),
        sa.Column('reopened_at', app.models.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint('month BETWEEN 0 AND 12', name=op.f('ck_period_closes_month_range')),
        sa.CheckConstraint(
            "status IN ('closed', 'reopen_requested', 'reopened')", name=op.f('ck_period_closes_status')
        ),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_period_closes_closed_by_id_users')),
        sa.ForeignKeyConstraint(
            ['reopen_requested_by_id'], ['users.id'], name=op.f('fk_period_closes_reopen_requested_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['reopened_by_id'], ['users.id'], name=op.f('fk_period_closes_reopened_by_id_users')
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_period_closes_unit_id_units')),
        sa.ForeignKeyConstraint(['year'], ['fiscal_years.year'], name=op.f('fk_period_closes_year_fiscal_years')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_period_closes')),
    )
    op.create_index(
        'uq_period_closes_holding',
        'period_closes',
        ['unit_id', 'year', 'month'],
        unique=True,
        sqlite_where=sa.text("status <> 'reopened'"),
        postgresql_where=sa.text("status <> 'reopened'"),
    )


def downgrade():
    op.drop_index('uq_period_closes_holding', table_name='period_closes')
    op.drop_table('period_closes')
