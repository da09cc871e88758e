"""对账: checking, per fund and year, that the books hold and roll up to the budget.

Each check is a small function returning what it found wrong (an empty list when
the check passes), so the page, the command line, the API and the tests share them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models.budget import Budget, BudgetLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import (
    APPROPRIATION,
    AVAILABLE,
    COMMITTED,
    DIRECT_PAYMENT,
    PAID,
    PAYMENT,
    REVERSAL,
    Fund,
    LedgerAccount,
    Transfer,
)
from app.money import ZERO, format_yuan
from app.services import ledger

CHECK_LABELS = {
    "identity": _l("Budget = paid + committed + available"),
    "ledger_sum": _l("The ledger's own sum equals the balances shown"),
    "running": _l("Every entry's running balance follows from the one before"),
    "budget_line": _l("The fund's budget equals its line in the department budget"),
    "payments": _l("Every payment belongs to an approved case or a check-up"),
    "reversals": _l("Every reversal undoes exactly its original"),
    "rollup": _l("The funds roll up to the special public expenditure table"),
    "department": _l("Department income equals expenditure as loaded"),
}


@dataclass
class CheckResult:
    key: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return str(CHECK_LABELS[self.key])


@dataclass
class FundReconciliation:
    fund: Fund
    balance: ledger.FundBalance
    ledger_sum: Decimal  # what the ledger's entries add up to for paid + committed + available
    checks: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Reconciliation:
    year: int
    funds: list[FundReconciliation]
    department: list[CheckResult]
    budget_total: Decimal | None
    special_public_total: Decimal | None

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.funds) and all(c.ok for c in self.department)


def _account_sums(fund: Fund) -> dict[int, Decimal]:
    sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for account_id, total in db.session.execute(
        select(Transfer.debit_account_id, func.sum(Transfer.amount))
        .where(Transfer.fund_id == fund.id)
        .group_by(Transfer.debit_account_id)
    ):
        sums[account_id] += total
    for account_id, total in db.session.execute(
        select(Transfer.credit_account_id, func.sum(Transfer.amount))
        .where(Transfer.fund_id == fund.id)
        .group_by(Transfer.credit_account_id)
    ):
        sums[account_id] -= total
    return sums


def check_identity(b: ledger.FundBalance) -> list[str]:
    if b.budget != b.paid + b.committed + b.available:
        return [
            _(
                "%(budget)s ≠ %(paid)s + %(committed)s + %(available)s",
                budget=format_yuan(b.budget),
                paid=format_yuan(b.paid),
                committed=format_yuan(b.committed),
                available=format_yuan(b.available),
            )
        ]
    if min(b.paid, b.committed, b.available) < ZERO:
        return [_("A balance is below zero.")]
    return []


def check_ledger_sum(fund: Fund, accounts: dict[str, LedgerAccount], sums: dict[int, Decimal]) -> list[str]:
    problems = []
    for kind, account in accounts.items():
        if sums[account.id] != account.balance:
            problems.append(
                _(
                    "Account %(kind)s: the entries add up to %(sum)s, the balance shown is %(shown)s.",
                    kind=kind,
                    sum=format_yuan(sums[account.id]),
                    shown=format_yuan(account.balance),
                )
            )
    return problems


def check_running(fund: Fund, accounts: dict[str, LedgerAccount]) -> list[str]:
    """Replay the entries in order; name the first whose figures do not follow."""
    kinds = {account.id: kind for kind, account in accounts.items()}
    running = {APPROPRIATION: ZERO, AVAILABLE: ZERO, COMMITTED: ZERO, PAID: ZERO}
    last = 0
    for entry in db.session.execute(
        select(Transfer).where(Transfer.fund_id == fund.id).order_by(Transfer.seq)
    ).scalars():
        if entry.seq != last + 1:
            return [_("Entry %(seq)s: the entries before it are missing or out of order.", seq=entry.seq)]
        last = entry.seq
        running[kinds[entry.debit_account_id]] += entry.amount
        running[kinds[entry.credit_account_id]] -= entry.amount
        after = (entry.available_after, entry.committed_after, entry.paid_after)
        if after != (running[AVAILABLE], running[COMMITTED], running[PAID]):
            return [
                _(
                    "Entry %(seq)s (id %(id)s, %(amount)s): its running balance does not follow from the"
                    " entries before it; it may have been changed.",
                    seq=entry.seq,
                    id=entry.id,
                    amount=format_yuan(entry.amount),
                )
            ]
    if last != fund.last_seq:
        return [_("The fund counts %(n)s entries, the ledger holds %(m)s.", n=fund.last_seq, m=last)]
    return []


def check_budget_line(fund: Fund, b: ledger.FundBalance) -> list[str]:
    if fund.budget_line_id is None:
        return []
    line = db.session.get(BudgetLine, fund.budget_line_id)
    if line is not None and (line.amount or ZERO) != b.budget:
        return [
            _(
                "The ledger's budget is %(ledger)s, the budget line says %(line)s.",
                ledger=format_yuan(b.budget),
                line=format_yuan(line.amount or ZERO),
            )
        ]
    return []


def check_payments(fund: Fund) -> list[str]:
    problems = []
    payment_rows = {
        p.transfer_id: p
        for p in db.session.execute(select(Payment).where(Payment.fund_id == fund.id)).scalars()
    }
    for entry in db.session.execute(
        select(Transfer).where(Transfer.fund_id == fund.id, Transfer.kind.in_((PAYMENT, DIRECT_PAYMENT)))
    ).scalars():
        payment = payment_rows.get(entry.id)
        if payment is None:
            problems.append(
                _(
                    "Entry %(seq)s pays %(amount)s with no payment record.",
                    seq=entry.seq,
                    amount=format_yuan(entry.amount),
                )
            )
        elif payment.amount != entry.amount:
            problems.append(
                _(
                    "Payment %(id)s says %(a)s, its entry %(b)s.",
                    id=payment.id,
                    a=format_yuan(payment.amount),
                    b=format_yuan(entry.amount),
                )
            )
        elif payment.case_id is not None:
            case = db.session.get(Case, payment.case_id)
            if case is None or case.approved_amount is None:
                problems.append(_("Payment %(id)s belongs to no approved case.", id=payment.id))
        elif payment.model_worker_id is None:
            problems.append(_("Payment %(id)s belongs to no case or check-up.", id=payment.id))
    return problems


def check_reversals(fund: Fund) -> list[str]:
    problems = []
    for entry in db.session.execute(
        select(Transfer).where(Transfer.fund_id == fund.id, Transfer.kind == REVERSAL)
    ).scalars():
        original = db.session.get(Transfer, entry.reverses_id) if entry.reverses_id else None
        if (
            original is None
            or original.amount != entry.amount
            or (original.debit_account_id, original.credit_account_id)
            != (entry.credit_account_id, entry.debit_account_id)
        ):
            problems.append(_("Reversal entry %(seq)s does not undo its original.", seq=entry.seq))
    reversed_payments = db.session.execute(
        select(func.count()).select_from(PaymentReversal).join(Payment).where(Payment.fund_id == fund.id)
    ).scalar_one()
    reversal_entries = db.session.execute(
        select(func.count())
        .select_from(Transfer)
        .where(
            Transfer.fund_id == fund.id,
            Transfer.kind == REVERSAL,
            Transfer.reverses_id.in_(select(Transfer.id).where(Transfer.kind.in_((PAYMENT, DIRECT_PAYMENT)))),
        )
    ).scalar_one()
    if reversed_payments != reversal_entries:
        problems.append(
            _(
                "%(a)s payment reversals are recorded, the ledger holds %(b)s.",
                a=reversed_payments,
                b=reversal_entries,
            )
        )
    return problems


def reconcile_fund(fund: Fund) -> FundReconciliation:
    accounts = {
        a.kind: a
        for a in db.session.execute(select(LedgerAccount).where(LedgerAccount.fund_id == fund.id)).scalars()
    }
    b = ledger.balance(fund)
    sums = _account_sums(fund)
    checks = [
        CheckResult("identity", check_identity(b)),
        CheckResult("ledger_sum", check_ledger_sum(fund, accounts, sums)),
        CheckResult("running", check_running(fund, accounts)),
        CheckResult("budget_line", check_budget_line(fund, b)),
        CheckResult("payments", check_payments(fund)),
        CheckResult("reversals", check_reversals(fund)),
    ]
    ledger_sum = sums[accounts[PAID].id] + sums[accounts[COMMITTED].id] + sums[accounts[AVAILABLE].id]
    return FundReconciliation(fund=fund, balance=b, ledger_sum=ledger_sum, checks=checks)


def reconcile(year: int, unit_ids: list[int] | None = None) -> Reconciliation:
    """Every check for every fund of the year, and the department's totals."""
    query = select(Fund).where(Fund.year == year).order_by(Fund.unit_id, Fund.code)
    if unit_ids is not None:
        query = query.where(Fund.unit_id.in_(unit_ids))
    funds = [reconcile_fund(f) for f in db.session.execute(query).scalars()]
    department: list[CheckResult] = []
    budget_total = special_total = None
    budgets = db.session.execute(select(Budget).where(Budget.year == year)).scalars().all()
    rollup, dept = [], []
    for budget in budgets:
        if unit_ids is not None and budget.unit_id not in unit_ids:
            continue
        budget_total = (budget_total or ZERO) + budget.total_expenditure
        if budget.total_income != budget.total_expenditure:
            dept.append(
                _(
                    "Unit %(unit)s: income %(i)s ≠ expenditure %(e)s.",
                    unit=budget.unit.code,
                    i=format_yuan(budget.total_income),
                    e=format_yuan(budget.total_expenditure),
                )
            )
        table_total = sum(
            (
                line.amount or ZERO
                for line in budget.lines
                if line.parent_id is None and line.project_code is not None
            ),
            ZERO,
        )
        special_total = (special_total or ZERO) + table_total
        fund_total = sum((f.balance.budget for f in funds if f.fund.unit_id == budget.unit_id), ZERO)
        if fund_total != table_total:
            rollup.append(
                _(
                    "Unit %(unit)s: the funds' budgets add up to %(f)s, the special public table to %(t)s.",
                    unit=budget.unit.code,
                    f=format_yuan(fund_total),
                    t=format_yuan(table_total),
                )
            )
    department.append(CheckResult("rollup", rollup))
    department.append(CheckResult("department", dept))
    return Reconciliation(
        year=year,
        funds=funds,
        department=department,
        budget_total=budget_total,
        special_public_total=special_total,
    )
