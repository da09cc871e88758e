"""payment_reversals.voucher_no and reversed_on: a reversal (红冲) has its own voucher
number and date, shown in the fund ledger

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 06:40:00

Reversals recorded before keep both empty (the table is append-only: no backfill); the
ledger shows the day such a reversal was recorded.
"""

import sqlalchemy as sa
from alembic import op

from app.database import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite a batch may rebuild the table, which would lose its append-only triggers.
    drop_append_only_guard(op, "payment_reversals")
    with op.batch_alter_table("payment_reversals") as batch:
        batch.add_column(sa.Column("voucher_no", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("reversed_on", sa.Date(), nullable=True))
    create_append_only_guard(op, "payment_reversals")


def downgrade():
    drop_append_only_guard(op, "payment_reversals")
    with op.batch_alter_table("payment_reversals") as batch:
        batch.drop_column("reversed_on")
        batch.drop_column("voucher_no")
    create_append_only_guard(op, "payment_reversals")
