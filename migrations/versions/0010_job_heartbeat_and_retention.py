"""jobs: heartbeat_at (a job whose process died is seen as interrupted) and
result_removed_at (finished files are deleted after the retention period)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 22:45:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('result_removed_at', app.models.types.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_jobs_status', ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status')
        batch_op.drop_column('result_removed_at')
        batch_op.drop_column('heartbeat_at')
