"""rate_limit_counters: rate-limit windows every server process shares (the database is the
default store; Redis where the deployment has one); password_history: each user's earlier
password hashes (the last five are refused); api_tokens.expires_at: tokens end (existing
tokens end 90 days after they were issued, or at once if that is past)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 06:30:00

"""
from datetime import timedelta

import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )
    op.create_index(op.f('ix_rate_limit_counters_expires_at'), 'rate_limit_counters', ['expires_at'])
    op.create_table(
        'password_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('replaced_at', app.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_history_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history')),
    )
    op.create_index(op.f('ix_password_history_user_id'), 'password_history', ['user_id'])
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', app.models.types.UTCDateTime(), nullable=True))
    bind = op.get_bind()
    tokens = sa.table(
        'api_tokens',
        sa.column('id', sa.Integer),
        sa.column('created_at', app.models.types.UTCDateTime()),
        sa.column('expires_at', app.models.types.UTCDateTime()),
    )
    for token_id, created in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        bind.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=created + timedelta(days=90))
        )


def downgrade():
    op.execute('ALTER TABLE api_tokens DROP COLUMN expires_at')
    op.drop_index(op.f('ix_password_history_user_id'), table_name='password_history')
    op.drop_table('password_history')
    op.drop_index(op.f('ix_rate_limit_counters_expires_at'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
