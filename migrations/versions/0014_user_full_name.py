"""users.full_name: a person's real name (姓名), shown on papers, exports and the audit log

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 06:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("full_name", sa.String(length=64), nullable=False, server_default=""))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of users would have to drop a
    # table that every other table refers to.
    op.execute("ALTER TABLE users DROP COLUMN full_name")
