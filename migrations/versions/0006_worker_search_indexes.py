"""registry: indexes for searching by the beginning of a name or an employer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.create_index('ix_workers_name', ['name'], unique=False)
        batch_op.create_index('ix_workers_employer', ['employer'], unique=False)


def downgrade():
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_index('ix_workers_employer')
        batch_op.drop_index('ix_workers_name')
