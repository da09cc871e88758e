"""cases: index on commitment_id (a ledger page links its entries to their cases)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 20:55:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_commitment_id', ['commitment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_commitment_id')
