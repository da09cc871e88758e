"""What a decision rests on: the medical out-of-pocket amount on the case (自付, the cap of
medical aid), home investigations (入户调查) and democratic reviews (民主评议)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


CHECK = 'out_of_pocket IS NULL OR out_of_pocket > 0'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # SQLite adds a column with its CHECK in place; a batch copy of cases would have to
        # drop the table every other table's rows point at.
        bind.exec_driver_sql(
            'ALTER TABLE cases ADD COLUMN out_of_pocket BIGINT'
            f' CONSTRAINT ck_cases_out_of_pocket_positive CHECK ({CHECK})'
        )
    else:
        op.add_column(
            'cases', sa.Column('out_of_pocket', app.models.types.Money(precision=14, scale=2), nullable=True)
        )
        op.create_check_constraint(op.f('ck_cases_out_of_pocket_positive'), 'cases', CHECK)
    op.create_table(
        'case_investigations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('investigators', sa.Text(), nullable=False),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('authorisation_signed', sa.Boolean(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_investigations_case_id_cases')),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['users.id'], name=op.f('fk_case_investigations_recorded_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_investigations')),
    )
    op.create_index(op.f('ix_case_investigations_case_id'), 'case_investigations', ['case_id'])
    op.create_table(
        'case_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('result', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('participants > 0', name=op.f('ck_case_reviews_participants_positive')),
        sa.CheckConstraint("result IN ('agree', 'disagree')", name=op.f('ck_case_reviews_result')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_reviews_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_reviews_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    )
    op.create_index(op.f('ix_case_reviews_case_id'), 'case_reviews', ['case_id'])


def downgrade():
    op.drop_index(op.f('ix_case_reviews_case_id'), table_name='case_reviews')
    op.drop_table('case_reviews')
    op.drop_index(op.f('ix_case_investigations_case_id'), table_name='case_investigations')
    op.drop_table('case_investigations')
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql('ALTER TABLE cases DROP COLUMN out_of_pocket')
    else:
        op.drop_constraint(op.f('ck_cases_out_of_pocket_positive'), 'cases', type_='check')
        op.drop_column('cases', 'out_of_pocket')
