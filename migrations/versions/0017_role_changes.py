"""role_changes: a user created, given another role or unit, or enabled again; a money role
or an administrator asked for in the app waits for a second administrator's approval

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 13:00:00

"""
import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'role_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('old_role', sa.String(length=20), nullable=True),
        sa.Column('new_role', sa.String(length=20), nullable=False),
        sa.Column('old_unit_id', sa.Integer(), nullable=True),
        sa.Column('new_unit_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_name', sa.String(length=64), nullable=False),
        sa.Column('door', sa.String(length=10), nullable=False),
        sa.Column('requested_at', app.models.types.UTCDateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', app.models.types.UTCDateTime(), nullable=True),
        sa.Column('exception_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('create', 'change', 'enable', 'reset')", name=op.f('ck_role_changes_kind')),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'at_once')", name=op.f('ck_role_changes_status')
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_changes_user_id_users')),
        sa.ForeignKeyConstraint(['old_unit_id'], ['units.id'], name=op.f('fk_role_changes_old_unit_id_units')),
        sa.ForeignKeyConstraint(['new_unit_id'], ['units.id'], name=op.f('fk_role_changes_new_unit_id_units')),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['users.id'], name=op.f('fk_role_changes_requested_by_id_users')
        ),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_role_changes_decided_by_id_users')),
        sa.ForeignKeyConstraint(
            ['exception_id'], ['four_eyes_exceptions.id'],
            name=op.f('fk_role_changes_exception_id_four_eyes_exceptions'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_changes')),
    )
    op.create_index(op.f('ix_role_changes_user_id'), 'role_changes', ['user_id'])
    op.create_index(op.f('ix_role_changes_status'), 'role_changes', ['status'])


def downgrade():
    op.drop_index(op.f('ix_role_changes_status'), table_name='role_changes')
    op.drop_index(op.f('ix_role_changes_user_id'), table_name='role_changes')
    op.drop_table('role_changes')
