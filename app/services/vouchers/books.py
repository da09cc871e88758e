"""The vouchers as people read them: a year's list within the actor's units (by fund), one
voucher to print (another unit's is :class:`NotFound`), and a year's as a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app import xlsx
from app.extensions import db
from app.labels import label
from app.models.ledger import Fund
from app.models.vouchers import AccountingVoucher
from app.money import ZERO
from app.services.audit import Actor
from app.services.errors import NotFound
from app.services.steps import note_subject


@dataclass(frozen=True)
class VoucherFilter:
    """Which vouchers: the fiscal year, and optionally one fund's (its id)."""

    year: int
    fund_id: int | None = None


def _query(actor: Actor, chosen: VoucherFilter) -> Select[tuple[AccountingVoucher]]:
    query = select(AccountingVoucher).where(
        AccountingVoucher.year == chosen.year, actor.scope.where(AccountingVoucher.unit_id)
    )
    if chosen.fund_id is not None:
        query = query.where(AccountingVoucher.fund_id == chosen.fund_id)
    return query


def count(actor: Actor, chosen: VoucherFilter) -> int:
    return int(
        db.session.execute(select(func.count()).select_from(_query(actor, chosen).subquery())).scalar()
    )


def listing(
    actor: Actor, chosen: VoucherFilter, *, offset: int = 0, limit: int | None = None
) -> list[AccountingVoucher]:
    """The year's vouchers within the actor's units, by unit and number."""
    query = (
        _query(actor, chosen)
        .options(selectinload(AccountingVoucher.unit), selectinload(AccountingVoucher.corrects))
        .order_by(AccountingVoucher.unit_id, AccountingVoucher.number)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def funds_with_vouchers(actor: Actor, year: int) -> list[Fund]:
    """The funds of the year within the actor's units (for the list's fund choice)."""
    return list(
        db.session.execute(
            select(Fund)
            .where(Fund.year == year, actor.scope.where(Fund.unit_id))
            .order_by(Fund.unit_id, Fund.code)
        ).scalars()
    )


def voucher(voucher_id: object, actor: Actor) -> AccountingVoucher:
    """One voucher within the actor's units; another unit's, like an unknown id, is NotFound."""
    message = _("No such accounting voucher.")
    if not isinstance(voucher_id, int) or isinstance(voucher_id, bool):
        raise NotFound(message)
    item = db.session.get(AccountingVoucher, voucher_id)
    if item is None or not actor.scope.allows(item.unit_id):
        raise NotFound(message)
    note_subject("accounting_voucher", voucher_id, item.unit_id)
    return item


def corrected_by(item: AccountingVoucher) -> AccountingVoucher | None:
    """The red voucher that corrects ``item``, if any."""
    return db.session.execute(
        select(AccountingVoucher).where(AccountingVoucher.corrects_id == item.id)
    ).scalar_one_or_none()


def debit_total(item: AccountingVoucher) -> Decimal:
    return sum((line.debit for line in item.lines), ZERO)


def credit_total(item: AccountingVoucher) -> Decimal:
    return sum((line.credit for line in item.lines), ZERO)


def voucher_no(item: AccountingVoucher) -> str:
    """记字第 N 号."""
    return _("Voucher No. %(number)s", number=item.number)


def _columns() -> list[xlsx.Column]:
    return [
        xlsx.Column(_("Unit"), "text", 20),
        xlsx.Column(_("Voucher date"), "date"),
        xlsx.Column(_("Accounting voucher No."), "int"),
        xlsx.Column(_("Voucher kind"), "text", 10),
        xlsx.Column(_("Summary"), "text", 40),
        xlsx.Column(_("Account code"), "code", 10),
        xlsx.Column(_("Account"), "text", 24),
        xlsx.Column(_("Functional class code"), "code", 12),
        xlsx.Column(_("Economic class code"), "code", 12),
        xlsx.Column(_("Project code"), "code", 12),
        xlsx.Column(_("Debit amount"), "amount"),
        xlsx.Column(_("Credit amount"), "amount"),
        xlsx.Column(_("Attachments"), "int", total=False),
        xlsx.Column(_("Drafted by"), "text", 10),
        xlsx.Column(_("Corrects voucher No."), "int", total=False),
    ]


def _rows(actor: Actor, chosen: VoucherFilter) -> Iterator[list[object]]:
    query = (
        _query(actor, chosen)
        .options(
            selectinload(AccountingVoucher.lines),
            selectinload(AccountingVoucher.unit),
            selectinload(AccountingVoucher.corrects),
        )
        .order_by(AccountingVoucher.unit_id, AccountingVoucher.number)
    )
    for item in db.session.execute(query).scalars():
        for line in item.lines:
            yield [
                item.unit.name,
                item.voucher_date,
                item.number,
                label("voucher_kind", item.kind),
                line.summary,
                line.account,
                label("voucher_account", line.account),
                item.functional_class or "",
                item.economic_class or "",
                item.project_code,
                line.debit,
                line.credit,
                item.attachments,
                item.prepared_by_name,
                item.corrects.number if item.corrects is not None else None,
            ]


def workbook(actor: Actor, chosen: VoucherFilter, *, unit_name: str, today: date) -> bytes:
    """The vouchers of the filter, one row per line: amounts as numbers (0.00, red ones
    negative), codes as text, a totals row (debits = credits), set up for A4."""
    columns = _columns()
    setup = xlsx.PageSetup(
        unit_name=unit_name,
        printed_on=today,
        signatures=(_("Supervisor"), _("Bookkeeper"), _("Checker"), _("Drafted by")),
    )
    title = _("Accounting vouchers %(year)s", year=chosen.year)
    return xlsx.workbook(title, columns, _rows(actor, chosen), setup=setup, totals=True)
