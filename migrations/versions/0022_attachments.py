"""attachments: scans (PDF, JPG, PNG) of evidence on file, kept in a folder under a random
name, with their size and SHA-256

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', app.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name=op.f('ck_attachments_content_type'),
        ),
        sa.CheckConstraint('size > 0', name=op.f('ck_attachments_size')),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_attachments_evidence_id_evidence')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name')),
    )
    op.create_index(op.f('ix_attachments_evidence_id'), 'attachments', ['evidence_id'])


def downgrade():
    op.drop_index(op.f('ix_attachments_evidence_id'), table_name='attachments')
    op.drop_table('attachments')
