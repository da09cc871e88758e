"""payments: maintained month totals per fund (the dashboard's chart)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 20:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_months',
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('amount', app.models.types.Money(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_payment_months_month')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_payment_months_fund_id_funds')),
    sa.PrimaryKeyConstraint('fund_id', 'month', name=op.f('pk_payment_months'))
    )
    # Existing payments: net of reversals, those dated in their fund's year. The amounts
    # are summed as stored (integer fen on SQLite, NUMERIC on PostgreSQL).
    if op.get_bind().dialect.name == 'sqlite':
        month, year = "CAST(strftime('%m', p.paid_on) AS INTEGER)", "CAST(strftime('%Y', p.paid_on) AS INTEGER)"
    else:
        month, year = 'CAST(EXTRACT(MONTH FROM p.paid_on) AS INTEGER)', 'CAST(EXTRACT(YEAR FROM p.paid_on) AS INTEGER)'
    op.execute(
        f"INSERT INTO payment_months (fund_id, month, amount) "
        f"SELECT p.fund_id, {month}, SUM(p.amount) FROM payments p "
        f"JOIN funds f ON f.id = p.fund_id "
        f"LEFT JOIN payment_reversals r ON r.payment_id = p.id "
        f"WHERE r.id IS NULL AND {year} = f.year "
        f"GROUP BY p.fund_id, {month}"
    )


def downgrade():
    op.drop_table('payment_months')
