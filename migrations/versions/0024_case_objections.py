"""Objections to a case on public notice (公示异议) and how each was settled

Revision ID: 0024
Revises: 0031
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_objections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('raised_by', sa.String(length=100), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.Column('settlement_reason', sa.Text(), nullable=True),
        sa.Column('settled_by_id', sa.Integer(), nullable=True),
        sa.Column('settled_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('upheld', 'dismissed')", name=op.f('ck_case_objections_outcome')
        ),
        sa.CheckConstraint(
            '(outcome IS NULL AND settled_at IS NULL) OR (outcome IS NOT NULL AND settled_at IS NOT NULL)',
            name=op.f('ck_case_objections_settled_with_outcome'),
        ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_objections_case_id_cases')),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['users.id'], name=op.f('fk_case_objections_recorded_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['settled_by_id'], ['users.id'], name=op.f('fk_case_objections_settled_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_objections')),
    )
    op.create_index(op.f('ix_case_objections_case_id'), 'case_objections', ['case_id'])


def downgrade():
    op.drop_index(op.f('ix_case_objections_case_id'), table_name='case_objections')
    op.drop_table('case_objections')
