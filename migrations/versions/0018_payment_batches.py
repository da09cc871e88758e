"""payment_batches and their lines (代发批次); every fund gets its at_bank account, and the
ledger's kinds admit the bank's transfers (bank_send, bank_payment, bank_return)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:45:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OLD_ACCOUNT_KINDS = "'appropriation', 'available', 'committed', 'paid'"
NEW_ACCOUNT_KINDS = OLD_ACCOUNT_KINDS + ", 'at_bank'"
OLD_TRANSFER_KINDS = "'allocation', 'commitment', 'payment', 'release', 'direct_payment', 'reversal'"
NEW_TRANSFER_KINDS = OLD_TRANSFER_KINDS + ", 'bank_send', 'bank_payment', 'bank_return'"


def _set_kinds(accounts: str, transfers: str, old_accounts: str, old_transfers: str) -> None:
    """Replace the CHECK on the kinds of accounts and transfers.

    On SQLite a CHECK cannot be altered, and the ledger cannot be rebuilt while payments
    refer to it; its documented procedure for a change that leaves the stored rows as
    they are (``writable_schema``, then a new ``schema_version``) is used instead."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for table, kinds in (('ledger_accounts', accounts), ('ledger_transfers', transfers)):
            op.execute(f'ALTER TABLE {table} DROP CONSTRAINT ck_{table}_kind')
            op.execute(f'ALTER TABLE {table} ADD CONSTRAINT ck_{table}_kind CHECK (kind IN ({kinds}))')
        return
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    for table, old, new in (
        ('ledger_accounts', old_accounts, accounts),
        ('ledger_transfers', old_transfers, transfers),
    ):
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
            (f'kind IN ({old})', f'kind IN ({new})', table),
        )
    bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade():
    _set_kinds(NEW_ACCOUNT_KINDS, NEW_TRANSFER_KINDS, OLD_ACCOUNT_KINDS, OLD_TRANSFER_KINDS)
    op.execute(
        "INSERT INTO ledger_accounts (fund_id, kind, balance) "
        "SELECT funds.id, 'at_bank', 0 FROM funds WHERE NOT EXISTS "
        "(SELECT 1 FROM ledger_accounts a WHERE a.fund_id = funds.id AND a.kind = 'at_bank')"
    )
    op.create_table(
        'payment_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fund_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('template_code', sa.String(length=40), nullable=False),
        sa.Column('total', app.models.types.Money(precision=14, scale=2), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('idempotency_key', sa.String(length=80), nullable=True),
        sa.Column('request_digest', sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'sent', 'answered', 'done', 'cancelled')",
            name=op.f('ck_payment_batches_status'),
        ),
        sa.CheckConstraint('total > 0', name=op.f('ck_payment_batches_total_positive')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_payment_batches_approved_by_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_batches_created_by_id_users')),
        sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_payment_batches_fund_id_funds')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_payment_batches_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_batches_idempotency_key')),
    )
    op.create_index('ix_payment_batches_unit_status', 'payment_batches', ['unit_id', 'status'])
    op.create_table(
        'payment_batch_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('amount', app.models.types.Money(precision=14, scale=2), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('sent_transfer_id', sa.Integer(), nullable=True),
        sa.Column('answer_transfer_id', sa.Integer(), nullable=True),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'paid', 'failed', 'cancelled')", name=op.f('ck_payment_batch_lines_status')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_payment_batch_lines_amount_positive')),
        sa.ForeignKeyConstraint(['answer_transfer_id'], ['ledger_transfers.id'], name=op.f('fk_payment_batch_lines_answer_transfer_id_ledger_transfers')),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payment_batch_lines_batch_id_payment_batches')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payment_batch_lines_case_id_cases')),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_batch_lines_payment_id_payments')),
        sa.ForeignKeyConstraint(['sent_transfer_id'], ['ledger_transfers.id'], name=op.f('fk_payment_batch_lines_sent_transfer_id_ledger_transfers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batch_lines')),
        sa.UniqueConstraint('batch_id', 'case_id', name=op.f('uq_payment_batch_lines_batch_id_case_id')),
        sa.UniqueConstraint('batch_id', 'line_no', name=op.f('uq_payment_batch_lines_batch_id_line_no')),
        sa.UniqueConstraint('payment_id', name=op.f('uq_payment_batch_lines_payment_id')),
    )
    op.create_index('ix_payment_batch_lines_batch_id', 'payment_batch_lines', ['batch_id'])
    op.create_index('ix_payment_batch_lines_case_id', 'payment_batch_lines', ['case_id'])
    op.create_index(
        'uq_payment_batch_lines_open_case',
        'payment_batch_lines',
        ['case_id'],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade():
    op.drop_index('uq_payment_batch_lines_open_case', table_name='payment_batch_lines')
    op.drop_index('ix_payment_batch_lines_case_id', table_name='payment_batch_lines')
    op.drop_index('ix_payment_batch_lines_batch_id', table_name='payment_batch_lines')
    op.drop_table('payment_batch_lines')
    op.drop_index('ix_payment_batches_unit_status', table_name='payment_batches')
    op.drop_table('payment_batches')
    op.execute("DELETE FROM ledger_accounts WHERE kind = 'at_bank'")
    _set_kinds(OLD_ACCOUNT_KINDS, OLD_TRANSFER_KINDS, NEW_ACCOUNT_KINDS, NEW_TRANSFER_KINDS)
