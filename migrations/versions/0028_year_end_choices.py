"""year_end_choices: 年终结转, each open case of a year carried over into the next year's
fund of the same code (a successor case) or released with a reason

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'year_end_choices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('amount', app.models.types.Money(), nullable=False),
        sa.Column('next_case_id', sa.Integer(), nullable=True),
        sa.Column('next_fund_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_name', sa.String(length=64), nullable=False),
        sa.Column('decided_at', app.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("action IN ('carry', 'release')", name=op.f('ck_year_end_choices_action')),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_year_end_choices_amount_not_negative')),
        sa.CheckConstraint(
            "(action = 'carry') = (next_case_id IS NOT NULL)",
            name=op.f('ck_year_end_choices_carry_has_next_case'),
        ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_year_end_choices_case_id_cases')),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['users.id'], name=op.f('fk_year_end_choices_decided_by_id_users')
        ),
        sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_year_end_choices_fund_id_funds')),
        sa.ForeignKeyConstraint(
            ['next_case_id'], ['cases.id'], name=op.f('fk_year_end_choices_next_case_id_cases')
        ),
        sa.ForeignKeyConstraint(
            ['next_fund_id'], ['funds.id'], name=op.f('fk_year_end_choices_next_fund_id_funds')
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_year_end_choices_unit_id_units')),
        sa.ForeignKeyConstraint(
            ['year'], ['fiscal_years.year'], name=op.f('fk_year_end_choices_year_fiscal_years')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_year_end_choices')),
        sa.UniqueConstraint('next_case_id', name=op.f('uq_year_end_choices_next_case_id')),
    )
    op.create_index(op.f('ix_year_end_choices_case_id'), 'year_end_choices', ['case_id'], unique=False)
    op.create_index(op.f('ix_year_end_choices_unit_id'), 'year_end_choices', ['unit_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_year_end_choices_unit_id'), table_name='year_end_choices')
    op.drop_index(op.f('ix_year_end_choices_case_id'), table_name='year_end_choices')
    op.drop_table('year_end_choices')
