"""accounting vouchers (记账凭证): numbered per unit and fiscal year without gaps, their
debit and credit lines; the vouchers of the payments, reversals and sent bank batches
already on record are drafted here, in the order they were booked

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 18:29:10

"""
from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import app.models.types
from app.database import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BEIJING = ZoneInfo('Asia/Shanghai')
GUARDED = ('accounting_vouchers', 'accounting_voucher_lines')


def _table(name, *columns):
    return sa.table(name, *[sa.column(c) if isinstance(c, str) else c for c in columns])


def _money(name):
    return sa.column(name, app.models.types.Money())


def _time(name):
    return sa.column(name, app.models.types.UTCDateTime())


def _beijing_day(moment):
    return moment.astimezone(BEIJING).date()


def _backfill():
    """Draft the vouchers of what is on record (the rule of app/services/vouchers, in SQL:
    expenditure against cash, the bank, or what the bank held; a reversal the red copy of
    its payment's; a sent batch what went to the bank). The 摘要 is the ledger entry's memo."""
    bind = op.get_bind()
    transfers = _table('ledger_transfers', 'id', 'fund_id', 'kind', _money('amount'), 'memo', _time('created_at'))
    payments = _table('payments', 'id', 'transfer_id', 'method', sa.column('paid_on', sa.Date()), 'created_by_id')
    reversals = _table(
        'payment_reversals', 'payment_id', 'transfer_id', sa.column('reversed_on', sa.Date()), _time('created_at'),
        'created_by_id',
    )
    lines = _table('payment_batch_lines', 'batch_id', 'sent_transfer_id', _money('amount'))
    batches = _table('payment_batches', 'id', 'year', _time('sent_at'), 'approved_by_id')
    funds = _table('funds', 'id', 'unit_id', 'year', 'code', 'name', 'functional_class', 'economic_class')
    users = _table('users', 'id', 'username', 'full_name')
    fund_of = {row.id: row for row in bind.execute(sa.select(funds))}
    names = {row.id: (row.full_name or row.username) for row in bind.execute(sa.select(users))}
    events = []  # (ledger entry id, kind, fund id, date, amount, memo, user, source, credit account)
    for row in bind.execute(
        sa.select(transfers, payments.c.method, payments.c.paid_on, payments.c.created_by_id)
        .join(payments, payments.c.transfer_id == transfers.c.id)
    ):
        credit = '1212' if row.kind == 'bank_payment' else ('1001' if row.method == 'cash' else '1002')
        events.append((row.id, 'payment', row.fund_id, row.paid_on, row.amount, row.memo,
                       row.created_by_id, row.id, credit))
    original = {}
    for row in bind.execute(
        sa.select(transfers, reversals.c.reversed_on, reversals.c.created_at.label('at'),
                  reversals.c.created_by_id, payments.c.transfer_id.label('paid_transfer'))
        .join(reversals, reversals.c.transfer_id == transfers.c.id)
        .join(payments, payments.c.id == reversals.c.payment_id)
    ):
        day = row.reversed_on or _beijing_day(row.at)
        original[row.id] = row.paid_transfer
        events.append((row.id, 'reversal', row.fund_id, day, -row.amount, row.memo, row.created_by_id, row.id, None))
    for row in bind.execute(
        sa.select(lines.c.batch_id, sa.func.min(lines.c.sent_transfer_id), sa.func.sum(lines.c.amount),
                  sa.func.min(transfers.c.fund_id), sa.func.min(transfers.c.id))
        .join(transfers, transfers.c.id == lines.c.sent_transfer_id)
        .group_by(lines.c.batch_id)
    ):
        batch_id, first, total, fund_id, _first = row
        amount = total  # func.sum keeps the column's type: already yuan
        batch = bind.execute(sa.select(batches).where(batches.c.id == batch_id)).one()
        day = _beijing_day(batch.sent_at)  # brought into the batch's year, as the service does
        day = min(max(day, date(batch.year, 1, 1)), date(batch.year, 12, 31))
        events.append((first, 'batch', fund_id, day, amount, f'DF{batch.year}-{batch_id:05d}',
                       batch.approved_by_id, batch_id, None))
    vouchers = _table(
        'accounting_vouchers', 'id', 'unit_id', 'year', 'number', 'kind', 'fund_id', sa.column('voucher_date', sa.Date()),
        'summary',
        'functional_class', 'economic_class', 'project_code', 'project_name', _money('total'), 'attachments',
        'transfer_id', 'batch_id', 'corrects_id', 'prepared_by_id', 'prepared_by_name',
        sa.column('created_at', app.models.types.UTCDateTime()),
    )
    voucher_lines = _table('accounting_voucher_lines', 'voucher_id', 'line_no', 'summary', 'account',
                           _money('debit'), _money('credit'))
    numbers = defaultdict(int)
    voucher_of = {}
    zero = app.models.types.Money().process_result_value(0, bind.dialect)
    for entry, kind, fund_id, day, amount, memo, user_id, source, credit in sorted(events, key=lambda e: e[0]):
        fund = fund_of[fund_id]
        key = (fund.unit_id, fund.year)
        numbers[key] += 1
        corrects = voucher_of.get(original.get(source)) if kind == 'reversal' else None
        summary = (memo or fund.name)[:200]
        new_id = bind.execute(
            sa.insert(vouchers).values(
                unit_id=fund.unit_id, year=fund.year, number=numbers[key], kind=kind, fund_id=fund_id,
                voucher_date=day, summary=summary, functional_class=fund.functional_class,
                economic_class=fund.economic_class, project_code=fund.code, project_name=fund.name,
                total=amount, attachments=1, transfer_id=None if kind == 'batch' else source,
                batch_id=source if kind == 'batch' else None, corrects_id=corrects,
                prepared_by_id=user_id, prepared_by_name=names.get(user_id, '')[:64],
                created_at=app.models.types.utcnow(),
            ).returning(vouchers.c.id)
        ).scalar_one()
        voucher_of[source] = new_id
        if kind == 'payment':
            entries = [('5001', amount, zero), (credit, zero, amount)]
        elif kind == 'batch':
            entries = [('1212', amount, zero), ('1002', zero, amount)]
        else:
            paid = bind.execute(
                sa.select(voucher_lines).where(voucher_lines.c.voucher_id == corrects).order_by(voucher_lines.c.line_no)
            ).all()
            entries = [(line.account, -line.debit, -line.credit) for line in paid]
        for number, (account, debit, credit_amount) in enumerate(entries, start=1):
            bind.execute(sa.insert(voucher_lines).values(
                voucher_id=new_id, line_no=number, summary=summary, account=account, debit=debit, credit=credit_amount
            ))
    counters = _table('voucher_counters', 'unit_id', 'year', 'last_no')
    for (unit_id, year), last in numbers.items():
        bind.execute(sa.insert(counters).values(unit_id=unit_id, year=year, last_no=last))

def upgrade():
    op.create_table('voucher_counters',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_no', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_no >= 0', name=op.f('ck_voucher_counters_not_negative')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_voucher_counters_unit_id_units')),
    sa.ForeignKeyConstraint(['year'], ['fiscal_years.year'], name=op.f('fk_voucher_counters_year_fiscal_years')),
    sa.PrimaryKeyConstraint('unit_id', 'year', name=op.f('pk_voucher_counters'))
    )
    op.create_table('accounting_vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('voucher_date', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('functional_class', sa.String(length=20), nullable=True),
    sa.Column('economic_class', sa.String(length=20), nullable=True),
    sa.Column('project_code', sa.String(length=20), nullable=False),
    sa.Column('project_name', sa.String(length=200), nullable=False),
    sa.Column('total', app.models.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('attachments', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('prepared_by_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'batch') <> (transfer_id IS NOT NULL)", name=op.f('ck_accounting_vouchers_entry_or_batch')),
    sa.CheckConstraint("(kind = 'batch') = (batch_id IS NOT NULL)", name=op.f('ck_accounting_vouchers_batch_of_batch')),
    sa.CheckConstraint("(kind = 'reversal') = (corrects_id IS NOT NULL)", name=op.f('ck_accounting_vouchers_red_corrects')),
    sa.CheckConstraint("(kind = 'reversal') = (total < 0)", name=op.f('ck_accounting_vouchers_red_is_negative')),
    sa.CheckConstraint("kind IN ('payment', 'reversal', 'batch')", name=op.f('ck_accounting_vouchers_kind')),
    sa.CheckConstraint('attachments >= 0', name=op.f('ck_accounting_vouchers_attachments_not_negative')),
    sa.CheckConstraint('number > 0', name=op.f('ck_accounting_vouchers_number_positive')),
    sa.CheckConstraint('total <> 0', name=op.f('ck_accounting_vouchers_total_not_zero')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_accounting_vouchers_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['corrects_id'], ['accounting_vouchers.id'], name=op.f('fk_accounting_vouchers_corrects_id_accounting_vouchers')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_accounting_vouchers_fund_id_funds')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_accounting_vouchers_prepared_by_id_users')),
    sa.ForeignKeyConstraint(['transfer_id'], ['ledger_transfers.id'], name=op.f('fk_accounting_vouchers_transfer_id_ledger_transfers')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_accounting_vouchers_unit_id_units')),
    sa.ForeignKeyConstraint(['year'], ['fiscal_years.year'], name=op.f('fk_accounting_vouchers_year_fiscal_years')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_vouchers')),
    sa.UniqueConstraint('batch_id', name=op.f('uq_accounting_vouchers_batch_id')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_accounting_vouchers_corrects_id')),
    sa.UniqueConstraint('transfer_id', name=op.f('uq_accounting_vouchers_transfer_id')),
    sa.UniqueConstraint('unit_id', 'year', 'number', name=op.f('uq_accounting_vouchers_unit_id_year_number'))
    )
    op.create_index('ix_accounting_vouchers_fund_id', 'accounting_vouchers', ['fund_id'])

    op.create_table('accounting_voucher_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('account', sa.String(length=20), nullable=False),
    sa.Column('debit', app.models.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('credit', app.models.types.Money(precision=14, scale=2), nullable=False),
    sa.CheckConstraint("account IN ('5001', '1001', '1002', '1212')", name=op.f('ck_accounting_voucher_lines_account')),
    sa.CheckConstraint('(debit = 0) <> (credit = 0)', name=op.f('ck_accounting_voucher_lines_one_side')),
    sa.ForeignKeyConstraint(['voucher_id'], ['accounting_vouchers.id'], name=op.f('fk_accounting_voucher_lines_voucher_id_accounting_vouchers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounting_voucher_lines')),
    sa.UniqueConstraint('voucher_id', 'line_no', name=op.f('uq_accounting_voucher_lines_voucher_id_line_no'))
    )
    op.create_index('ix_accounting_voucher_lines_voucher_id', 'accounting_voucher_lines', ['voucher_id'])
    _backfill()
    for table in GUARDED:
        create_append_only_guard(op, table)


def downgrade():
    for table in GUARDED:
        drop_append_only_guard(op, table)
    op.drop_index('ix_accounting_voucher_lines_voucher_id', table_name='accounting_voucher_lines')
    op.drop_table('accounting_voucher_lines')
    op.drop_index('ix_accounting_vouchers_fund_id', table_name='accounting_vouchers')
    op.drop_table('accounting_vouchers')
    op.drop_table('voucher_counters')
