"""The fund ledger as finance reads it (账单式管理): one row per entry, dated by its voucher
— a payment by the day it was paid, a reversal (红冲) by its own date, with its own
voucher number and as a negative amount; an allocation or commitment by the day it was
recorded (Beijing) — with the payee's name, filters and the totals of what is shown.
The entries themselves are :mod:`app.services.ledger`'s; this module only reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, case, func, select, type_coerce
from sqlalchemy.orm import aliased

from app import xlsx
from app.extensions import db
from app.labels import label
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import DIRECT_PAYMENT, PAYMENT, REVERSAL, TRANSFER_KINDS, Fund, Transfer
from app.models.registry import Worker
from app.money import ZERO
from app.services.ledger import cases_of_entries

#: Kinds whose entries move money out to a person (their reversals take it back).
PAID_KINDS = (PAYMENT, DIRECT_PAYMENT)


@dataclass(frozen=True)
class LedgerFilter:
    """Which entries the page shows: voucher dates from/to, a kind; ``after_seq`` keeps
    only entries recorded after that one (a long ledger read in parts)."""

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    after_seq: int = 0


@dataclass(frozen=True)
class LedgerRow:
    transfer: Transfer
    on: date  # the voucher's date
    voucher_no: str | None
    payee: str
    case_id: int | None

    @property
    def is_reversal(self) -> bool:
        return self.transfer.kind == REVERSAL

    @property
    def amount(self) -> Decimal:
        """Signed: a reversal is negative."""
        return -self.transfer.amount if self.is_reversal else self.transfer.amount


@dataclass(frozen=True)
class LedgerTotals:
    count: int
    by_kind: dict[str, Decimal]  # signed sums of the entries shown, by kind
    paid_net: Decimal  # paid less the reversals of payments, among the entries shown


def _recorded_on() -> Any:
    """The day (Beijing) an entry was recorded, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", Transfer.created_at))
    return func.date(Transfer.created_at, "+8 hours")


def _voucher_date() -> Any:
    chosen = case(
        (Payment.paid_on.is_not(None), Payment.paid_on),
        (PaymentReversal.reversed_on.is_not(None), PaymentReversal.reversed_on),
        else_=_recorded_on(),
    )
    return type_coerce(chosen, Date)


def _base(columns: Sequence[Any], fund: Fund, chosen: LedgerFilter) -> Any:
    on = _voucher_date()
    query = (
        select(*columns)
        .select_from(Transfer)
        .outerjoin(Payment, Payment.transfer_id == Transfer.id)
        .outerjoin(PaymentReversal, PaymentReversal.transfer_id == Transfer.id)
        .where(Transfer.fund_id == fund.id)
    )
    if chosen.after_seq:
        query = query.where(Transfer.seq > chosen.after_seq)
    if chosen.kind in TRANSFER_KINDS:
        query = query.where(Transfer.kind == chosen.kind)
    if chosen.date_from is not None:
        query = query.where(on >= chosen.date_from)
    if chosen.date_to is not None:
        query = query.where(on <= chosen.date_to)
    return query


def ledger_rows(
    fund: Fund, chosen: LedgerFilter, *, offset: int = 0, limit: int | None = None
) -> list[LedgerRow]:
    """The fund's entries of the filter, by voucher date (then as recorded)."""
    on = _voucher_date().label("on")
    query = (
        _base([Transfer, on, Payment.voucher_no, PaymentReversal.voucher_no], fund, chosen)
        .order_by(on, Transfer.seq)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    found = db.session.execute(query).all()
    entries = [row[0] for row in found]
    payees, case_ids = _payees(entries)
    return [
        LedgerRow(
            transfer=transfer,
            on=day,
            voucher_no=paid_voucher or reversal_voucher,
            payee=payees.get(transfer.id, ""),
            case_id=case_ids.get(transfer.id),
        )
        for transfer, day, paid_voucher, reversal_voucher in found
    ]


def _payees(entries: list[Transfer]) -> tuple[dict[int, str], dict[int, int]]:
    """{entry id: payee's name} and {entry id: case id}: through the payment an entry records
    or reverses (a case's household, a model worker), else through the entry's case."""
    names: dict[int, str] = {}
    if not entries:
        return names, {}
    paid = aliased(Payment)
    rows = db.session.execute(
        select(Transfer.id, paid)
        .join(paid, paid.transfer_id == func.coalesce(Transfer.reverses_id, Transfer.id))
        .where(Transfer.id.in_([e.id for e in entries]))
    ).all()
    for entry_id, payment in rows:
        person = payment.case.worker if payment.case is not None else payment.model_worker
        names[entry_id] = person.name if person is not None else ""
    case_ids = cases_of_entries(entries)
    households = dict(
        db.session.execute(
            select(Case.id, Worker.name)
            .join(Worker, Worker.id == Case.worker_id)
            .where(Case.id.in_(set(case_ids.values())))
        ).all()
    )
    for entry_id, case_id in case_ids.items():
        names.setdefault(entry_id, households.get(case_id, ""))
    return names, case_ids


def ledger_totals(fund: Fund, chosen: LedgerFilter) -> LedgerTotals:
    """How many entries the filter shows and their signed sums by kind; and what was paid
    out net of the reversals of payments among them."""
    original = aliased(Transfer)
    rows = db.session.execute(
        _base(
            [Transfer.kind, original.kind, func.count(Transfer.id), func.sum(Transfer.amount)], fund, chosen
        )
        .outerjoin(original, original.id == Transfer.reverses_id)
        .group_by(Transfer.kind, original.kind)
    ).all()
    by_kind: dict[str, Decimal] = {}
    count, paid_net = 0, ZERO
    for kind, reversed_kind, n, amount in rows:
        signed = -(amount or ZERO) if kind == REVERSAL else (amount or ZERO)
        by_kind[kind] = by_kind.get(kind, ZERO) + signed
        count += n
        if kind in PAID_KINDS or (kind == REVERSAL and reversed_kind in PAID_KINDS):
            paid_net += signed
    return LedgerTotals(count=count, by_kind=by_kind, paid_net=paid_net)


def ledger_workbook(fund: Fund, chosen: LedgerFilter, *, unit_name: str, today: date) -> bytes:
    """The entries of the filter as a sheet: dates as dates, signed amounts as numbers
    (reversals negative), kinds in words with their code beside, and the totals row."""
    columns = [
        xlsx.Column(_("Voucher date"), "date"),
        xlsx.Column(_("Voucher number"), "text", 16),
        xlsx.Column(_("Entry"), "text", 14),
        xlsx.Column(_("Recipient"), "text", 12),
        xlsx.Column(_("Application number"), "int"),
        xlsx.Column(_("Amount"), "money"),
        xlsx.Column(_("Memo"), "text", 36),
        xlsx.Column(_("Entry No."), "int"),
        xlsx.Column(_("Entry code"), "code"),
    ]
    rows = (
        [
            row.on,
            row.voucher_no,
            label("transfer_kind", row.transfer.kind),
            row.payee,
            row.case_id,
            row.amount,
            row.transfer.memo,
            row.transfer.seq,
            row.transfer.kind,
        ]
        for row in ledger_rows(fund, chosen)
    )
    setup = xlsx.PageSetup(
        unit_name=unit_name or fund.unit.name,
        printed_on=today,
        signatures=(_("Prepared by"), _("Checked by"), _("Head of finance")),
    )
    title = f"{fund.year} {fund.code} {fund.name}"
    return xlsx.workbook(title, columns, rows, setup=setup, totals=True)
