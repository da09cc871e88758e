"""reconciliation_runs: the latest result of a year's reconciliation, for the page

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 23:05:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reconciliation_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=2000), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('started_at', app.models.types.UTCDateTime(), nullable=False),
        sa.Column('finished_at', app.models.types.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by_name', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reconciliation_runs_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_runs')),
    )
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliation_runs_year_scope', ['year', 'scope', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliation_runs_year_scope')
    op.drop_table('reconciliation_runs')
