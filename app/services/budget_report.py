"""The budget's own table with execution: 专项公用经费支出安排表 laid out as in the
department budget (functional class, economic class, project code, project name,
sources of funds), with executed-to-date and remaining columns added."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.budget import Budget, BudgetLine, BudgetRevision, BudgetRevisionLine
from app.models.cases import Payment, PaymentMonth, PaymentReversal
from app.models.ledger import Fund
from app.money import ZERO
from app.services import budget_revisions, ledger
from app.xlsx import Column, PageSetup, today_in_beijing, workbook

TITLE = "专项公用经费支出安排表"


@dataclass
class ExecutionRow:
    unit_code: str
    unit_name: str
    functional_class: str
    economic_class: str
    project_code: str
    name: str
    amount: Decimal  # the current budget: the original plus every revision
    general: Decimal
    fund: Decimal
    special_account: Decimal
    other: Decimal
    executed: Decimal
    committed: Decimal
    at_bank: Decimal  # sent in a bank batch (代发), not yet answered
    original: Decimal = ZERO  # as the budget was loaded (预算数)
    #: The change of each of the year's revisions (预算调整), in the order of ``revisions_of``.
    revisions: list[Decimal] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.executed

    @property
    def share(self) -> Decimal:
        return (
            Decimal(0)
            if self.amount == ZERO
            else (self.executed / self.amount * 100).quantize(Decimal("0.1"))
        )


def executed_to(fund: Fund, as_of: date | None) -> Decimal:
    """Paid from the fund up to ``as_of`` (inclusive), net of reversals made by then."""
    paid_query = select(func.sum(Payment.amount)).where(Payment.fund_id == fund.id)
    reversed_query = (
        select(func.sum(Payment.amount))
        .join(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.fund_id == fund.id)
    )
    if as_of is not None:
        paid_query = paid_query.where(Payment.paid_on <= as_of)
        reversed_query = reversed_query.where(func.date(PaymentReversal.created_at) <= as_of)
    paid = db.session.execute(paid_query).scalar_one() or ZERO
    reversed_ = db.session.execute(reversed_query).scalar_one() or ZERO
    return paid - reversed_


def monthly_payments(fund: Fund) -> list[Decimal]:
    """Net paid from the fund in each month of its year (January first), by payment
    date; a reversed payment is left out of its month. Twelve maintained totals
    (``PaymentMonth``), kept with every payment and reversal."""
    months = [ZERO] * 12
    for month in db.session.execute(select(PaymentMonth).where(PaymentMonth.fund_id == fund.id)).scalars():
        months[month.month - 1] = month.amount
    return months


def revisions_of(year: int, unit_ids: list[int] | None = None) -> list[BudgetRevision]:
    """The year's revisions the report has a column for, in the order they were made."""
    return budget_revisions.revisions(year, unit_ids)


def execution_rows(
    year: int, as_of: date | None = None, unit_ids: list[int] | None = None
) -> list[ExecutionRow]:
    """Every project line of the year's budgets (and every fund a revision opened), with its
    original budget, each revision's change, the current budget, what was paid and is still
    committed."""
    rows = []
    revisions = revisions_of(year, unit_ids)
    column = {revision.id: place for place, revision in enumerate(revisions)}
    changes: dict[int, list[Decimal]] = {}
    if revisions:
        for line in db.session.execute(
            select(BudgetRevisionLine).where(BudgetRevisionLine.revision_id.in_(list(column)))
        ).scalars():
            changes.setdefault(line.fund_id, [ZERO] * len(revisions))[column[line.revision_id]] += line.change
    budgets = db.session.execute(select(Budget).where(Budget.year == year).order_by(Budget.unit_id)).scalars()
    for budget in budgets:
        if unit_ids is not None and budget.unit_id not in unit_ids:
            continue
        lines = db.session.execute(
            select(BudgetLine)
            .where(BudgetLine.budget_id == budget.id, BudgetLine.project_code.is_not(None))
            .order_by(BudgetLine.position)
        ).scalars()
        entries: list[tuple[BudgetLine | None, Fund | None]] = []
        for line in lines:
            fund = db.session.execute(select(Fund).where(Fund.budget_line_id == line.id)).scalar_one_or_none()
            entries.append((line, fund))
        opened = db.session.execute(
            select(Fund)
            .where(Fund.unit_id == budget.unit_id, Fund.year == year, Fund.budget_line_id.is_(None))
            .order_by(Fund.code)
        ).scalars()
        entries.extend((None, fund) for fund in opened)
        for line, fund in entries:
            executed = executed_to(fund, as_of) if fund else ZERO
            balance = ledger.balance(fund) if fund else None
            original = (line.amount or ZERO) if line is not None else ZERO
            source = fund if line is None else line
            rows.append(
                ExecutionRow(
                    unit_code=budget.unit.code,
                    unit_name=budget.unit.name,
                    functional_class=source.functional_class or "",
                    economic_class=source.economic_class or "",
                    project_code=(line.project_code if line is not None else fund.code if fund else "") or "",
                    name=source.name,
                    amount=balance.budget if balance else original,
                    general=(line.source_general or ZERO) if line is not None else ZERO,
                    fund=(line.source_fund or ZERO) if line is not None else ZERO,
                    special_account=(line.source_special_account or ZERO) if line is not None else ZERO,
                    other=(line.source_other or ZERO) if line is not None else ZERO,
                    executed=executed,
                    committed=balance.committed if balance else ZERO,
                    at_bank=balance.at_bank if balance else ZERO,
                    original=original,
                    revisions=changes.get(fund.id, [ZERO] * len(revisions))
                    if fund
                    else [ZERO] * len(revisions),
                )
            )
    return rows


def revision_heading(revision: BudgetRevision) -> str:
    """A revision's column: 调整 and its document number and date."""
    return f"调整 {revision.reference}（{revision.revised_on.isoformat()}）"


EXECUTION_COLUMNS = [
    Column("单位", width=20),
    Column("功能分类", "code", 10),
    Column("经济分类", "code", 10),
    Column("项目代码", "code", 12),
    Column("预算支出项目", width=28),
    Column("年初预算", "money"),
    Column("一般预算拨款", "money"),
    Column("基金预算拨款", "money"),
    Column("财政专户核拨", "money"),
    Column("其他来源收入", "money"),
]
#: After the original budget's columns, one per revision, then these.
EXECUTION_TAIL = [
    Column("调整后预算", "money"),
    Column("已执行", "money"),
    Column("已承诺", "money"),
    Column("在银行", "money"),
    Column("剩余", "money"),
    Column("执行率", "percent"),
]


def execution_workbook(
    year: int, rows: list[ExecutionRow], as_of: date | None, revisions: list[BudgetRevision] | None = None
) -> bytes:
    """The table as a workbook (:mod:`app.xlsx`): amounts as numbers, a totals row, A4
    with the unit, the date and the signatures of the unit's head, finance and the preparer."""
    period = _("to %(date)s", date=as_of.isoformat()) if as_of else _("whole year")
    heading = f"{year}年{TITLE}（执行情况，{period}，单位：元）"
    setup = PageSetup(
        unit_name="、".join(dict.fromkeys(r.unit_name for r in rows)),
        printed_on=today_in_beijing(),
        signatures=(_("Head of unit"), _("Head of finance"), _("Prepared by")),
    )
    if revisions is None:
        codes = {r.unit_code for r in rows}
        revisions = [rev for rev in revisions_of(year) if rev.budget.unit.code in codes]
    columns = [
        *EXECUTION_COLUMNS,
        *(Column(revision_heading(revision), "money", 18) for revision in revisions),
        *EXECUTION_TAIL,
    ]
    values = (
        [
            r.unit_name,
            r.functional_class,
            r.economic_class,
            r.project_code,
            r.name,
            r.original,
            r.general,
            r.fund,
            r.special_account,
            r.other,
            *r.revisions,
            r.amount,
            r.executed,
            r.committed,
            r.at_bank,
            r.remaining,
            r.share,
        ]
        for r in rows
    )
    return workbook(TITLE, columns, values, setup=setup, totals=True, heading=heading)
