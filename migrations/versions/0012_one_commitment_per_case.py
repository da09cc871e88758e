"""ledger_transfers.case_id: a commitment names its case, and the database refuses a
second commitment for one case (or campaign line)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:40:00

"""
import sqlalchemy as sa
from alembic import op

from app.database import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ledger_transfers', sa.Column('case_id', sa.Integer(), nullable=True))
    # The ledger is append-only: lift the guard for this one backfill of a new column.
    drop_append_only_guard(op, 'ledger_transfers')
    op.execute(
        "UPDATE ledger_transfers SET case_id = "
        "(SELECT cases.id FROM cases WHERE cases.commitment_id = ledger_transfers.id) "
        "WHERE kind = 'commitment'"
    )
    create_append_only_guard(op, 'ledger_transfers')
    op.create_index('uq_ledger_transfers_case_id', 'ledger_transfers', ['case_id'], unique=True)


def downgrade():
    op.drop_index('uq_ledger_transfers_case_id', table_name='ledger_transfers')
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): rebuilding the table,
    # as a batch would, is refused while payments and reversals refer to it.
    op.drop_column('ledger_transfers', 'case_id')
