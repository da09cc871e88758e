"""对账: checking, per fund and year, that the books hold and roll up to the budget.

Each check is a small function returning what it found wrong (an empty list when
the check passes), so the page, the command line, the API and the tests share them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, or_, select

from app.extensions import db
from app.models.budget import Budget, BudgetLine
from app.models.ledger import (
    APPROPRIATION,
    AT_BANK,
    AVAILABLE,
    COMMITTED,
    PAID,
    Fund,
    LedgerAccount,
    Transfer,
)
from app.money import ZERO, format_yuan
from app.services import budget_revisions, ledger
from app.services.reconciliation.batches import batch_problems
from app.services.reconciliation.links import commitment_problems, payment_problems, reversal_problems
from app.services.reconciliation.vouchers import sequence_problems, voucher_problems

CHECK_LABELS = {
    "identity": _l("Budget = paid + committed + at the bank + available"),
    "ledger_sum": _l("The ledger's own sum equals the balances shown"),
    "running": _l("Every entry's running balance follows from the one before"),
    "budget_line": _l("The fund's budget equals its line in the department budget plus its revisions"),
    "payments": _l("Every payment belongs to an approved case or a check-up"),
    "reversals": _l("Every reversal undoes exactly its original"),
    "commitments": _l("Every commitment belongs to one approved case; committed = what the cases await"),
    "rollup": _l("The funds roll up to the special public expenditure table"),
    "department": _l("Department income equals expenditure as loaded"),
    "batches": _l(
        "Every bank batch: sent = paid + failed + still at the bank; each payment matches a paid line"
    ),
    "vouchers": _l(
        "Every payment, reversal and batch sent has its balanced voucher; payment vouchers − red vouchers"
        " = paid, batch vouchers = sent to the bank"
    ),
    "voucher_sequence": _l("Each unit's accounting vouchers of the year are numbered without gaps"),
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
        return check_label(self.key)


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


#: At most this many problems of one kind are named per fund; the rest are counted.
MAX_NAMED = 20


@dataclass
class _LedgerScan:
    """What one pass over a fund's entries found (see :func:`_scan_ledgers`)."""

    sums: dict[str, Decimal]  # per account kind: debits minus credits
    entries: int
    last_seq: int
    first_gap: int | None  # the first entry whose number does not follow the one before
    first_break: int | None  # the first entry whose running balance does not follow


def _scan_ledgers(funds: list[Fund], accounts: dict[int, dict[str, LedgerAccount]]) -> dict[int, _LedgerScan]:
    """One pass over the ledger of every fund given, in the database: per fund the sum of
    each account, the count and the last number, the first gap in the numbering and the
    first entry whose stored running balance differs from the running sum of the entries
    up to it (a window function over the entries in order)."""
    ids_of = {
        kind: [a[kind].id for a in accounts.values() if kind in a]
        for kind in (APPROPRIATION, AVAILABLE, COMMITTED, PAID, AT_BANK)
    }

    def delta(kind: str):  # type: ignore[no-untyped-def]
        return case(
            (Transfer.debit_account_id.in_(ids_of[kind]), Transfer.amount),
            (Transfer.credit_account_id.in_(ids_of[kind]), -Transfer.amount),
            else_=literal(ZERO, Transfer.amount.type),
        )

    window = {"partition_by": Transfer.fund_id, "order_by": Transfer.seq, "rows": (None, 0)}
    rows = (
        select(
            Transfer.fund_id,
            Transfer.seq,
            delta(APPROPRIATION).label("d_appropriation"),
            delta(AVAILABLE).label("d_available"),
            delta(COMMITTED).label("d_committed"),
            delta(PAID).label("d_paid"),
            delta(AT_BANK).label("d_at_bank"),
            Transfer.available_after,
            Transfer.committed_after,
            Transfer.paid_after,
            func.row_number().over(**window).label("n"),
            func.sum(delta(AVAILABLE)).over(**window).label("r_available"),
            func.sum(delta(COMMITTED)).over(**window).label("r_committed"),
            func.sum(delta(PAID)).over(**window).label("r_paid"),
        )
        .where(Transfer.fund_id.in_([f.id for f in funds]))
        .subquery()
    )
    broken = or_(
        rows.c.r_available != rows.c.available_after,
        rows.c.r_committed != rows.c.committed_after,
        rows.c.r_paid != rows.c.paid_after,
    )
    result = {
        f.id: _LedgerScan(
            sums=dict.fromkeys(ids_of, ZERO), entries=0, last_seq=0, first_gap=None, first_break=None
        )
        for f in funds
    }
    for row in db.session.execute(
        select(
            rows.c.fund_id,
            func.sum(rows.c.d_appropriation),
            func.sum(rows.c.d_available),
            func.sum(rows.c.d_committed),
            func.sum(rows.c.d_paid),
            func.sum(rows.c.d_at_bank),
            func.count(),
            func.max(rows.c.seq),
            func.min(case((rows.c.n != rows.c.seq, rows.c.seq))),
            func.min(case((broken, rows.c.seq))),
        ).group_by(rows.c.fund_id)
    ):
        fund_id, appropriation, available, committed, paid, at_bank, count, last, gap, broke = row
        result[fund_id] = _LedgerScan(
            sums={
                APPROPRIATION: appropriation,
                AVAILABLE: available,
                COMMITTED: committed,
                PAID: paid,
                AT_BANK: at_bank,
            },
            entries=count,
            last_seq=last or 0,
            first_gap=gap,
            first_break=broke,
        )
    return result


def check_identity(b: ledger.FundBalance) -> list[str]:
    if b.budget != b.paid + b.committed + b.at_bank + b.available:
        return [
            _(
                "%(budget)s ≠ %(paid)s + %(committed)s + %(at_bank)s + %(available)s",
                budget=format_yuan(b.budget),
                paid=format_yuan(b.paid),
                committed=format_yuan(b.committed),
                at_bank=format_yuan(b.at_bank),
                available=format_yuan(b.available),
            )
        ]
    if min(b.paid, b.committed, b.at_bank, b.available) < ZERO:
        return [_("A balance is below zero.")]
    return []


def check_ledger_sum(accounts: dict[str, LedgerAccount], sums: dict[str, Decimal]) -> list[str]:
    problems = []
    for kind, account in accounts.items():
        if sums[kind] != account.balance:
            problems.append(
                _(
                    "Account %(kind)s: the entries add up to %(sum)s, the balance shown is %(shown)s.",
                    kind=kind,
                    sum=format_yuan(sums[kind]),
                    shown=format_yuan(account.balance),
                )
            )
    return problems


def check_running(fund: Fund, scan: _LedgerScan) -> list[str]:
    """Name the first entry that is out of order or whose figures do not follow."""
    firsts = [seq for seq in (scan.first_gap, scan.first_break) if seq is not None]
    if firsts:
        seq = min(firsts)
        if seq == scan.first_gap:
            return [_("Entry %(seq)s: the entries before it are missing or out of order.", seq=seq)]
        entry = db.session.execute(
            select(Transfer.id, Transfer.amount).where(Transfer.fund_id == fund.id, Transfer.seq == seq)
        ).one()
        return [
            _(
                "Entry %(seq)s (id %(id)s, %(amount)s): its running balance does not follow from the"
                " entries before it; it may have been changed.",
                seq=seq,
                id=entry.id,
                amount=format_yuan(entry.amount),
            )
        ]
    if scan.last_seq != fund.last_seq:
        return [_("The fund counts %(n)s entries, the ledger holds %(m)s.", n=fund.last_seq, m=scan.last_seq)]
    return []


def check_budget_line(fund: Fund, b: ledger.FundBalance, revised: Decimal = ZERO) -> list[str]:
    """The fund's budget in the ledger against its line as loaded plus its revisions' changes."""
    if fund.budget_line_id is None and revised == ZERO:
        return []
    line = db.session.get(BudgetLine, fund.budget_line_id) if fund.budget_line_id is not None else None
    expected = ((line.amount or ZERO) if line is not None else ZERO) + revised
    if expected != b.budget:
        return [
            _(
                "The ledger's budget is %(ledger)s, the budget line and its revisions say %(line)s.",
                ledger=format_yuan(b.budget),
                line=format_yuan(expected),
            )
        ]
    return []


Progress = Callable[[int, int, str], None]
STEPS = 4


def _quiet(_done: int, _total: int, _phase: str) -> None:
    pass


def reconcile_funds(funds: list[Fund], progress: Progress = _quiet) -> list[FundReconciliation]:
    """Every check for each fund, with a fixed number of queries however many entries and
    funds there are: the ledgers are scanned once, in the database."""
    if not funds:
        return []
    fund_ids = [f.id for f in funds]
    accounts: dict[int, dict[str, LedgerAccount]] = defaultdict(dict)
    for account in db.session.execute(
        select(LedgerAccount).where(LedgerAccount.fund_id.in_(fund_ids))
    ).scalars():
        accounts[account.fund_id][account.kind] = account
    progress(0, STEPS, _("Scanning the ledgers"))
    scans = _scan_ledgers(funds, accounts)
    progress(1, STEPS, _("Checking the payments"))
    payments = payment_problems(fund_ids)
    progress(2, STEPS, _("Checking the reversals"))
    reversals = reversal_problems(fund_ids)
    commitments = commitment_problems(
        fund_ids,
        {
            fund.id: accounts[fund.id][COMMITTED].balance
            + (accounts[fund.id][AT_BANK].balance if AT_BANK in accounts[fund.id] else ZERO)
            for fund in funds
        },
    )
    batches = batch_problems(fund_ids)
    vouchers = voucher_problems(fund_ids)
    revised = budget_revisions.changes_by_fund(fund_ids)
    results = []
    for fund in funds:
        b = ledger.balance_of(fund, accounts[fund.id])
        scan = scans[fund.id]
        checks = [
            CheckResult("identity", check_identity(b)),
            CheckResult("ledger_sum", check_ledger_sum(accounts[fund.id], scan.sums)),
            CheckResult("running", check_running(fund, scan)),
            CheckResult("budget_line", check_budget_line(fund, b, revised.get(fund.id, ZERO))),
            CheckResult("payments", payments.get(fund.id, [])),
            CheckResult("reversals", reversals.get(fund.id, [])),
            CheckResult("commitments", commitments.get(fund.id, [])),
            CheckResult("batches", batches.get(fund.id, [])),
            CheckResult("vouchers", vouchers.get(fund.id, [])),
        ]
        ledger_sum = scan.sums[PAID] + scan.sums[COMMITTED] + scan.sums[AT_BANK] + scan.sums[AVAILABLE]
        results.append(FundReconciliation(fund=fund, balance=b, ledger_sum=ledger_sum, checks=checks))
    return results


def reconcile(year: int, unit_ids: list[int] | None = None, progress: Progress = _quiet) -> Reconciliation:
    """Every check for every fund of the year, and the department's totals."""
    query = select(Fund).where(Fund.year == year).order_by(Fund.unit_id, Fund.code)
    if unit_ids is not None:
        query = query.where(Fund.unit_id.in_(unit_ids))
    funds = reconcile_funds(list(db.session.execute(query).scalars()), progress)
    progress(3, STEPS, _("Checking the department budget"))
    department: list[CheckResult] = []
    budget_total = special_total = None
    budgets = db.session.execute(select(Budget).where(Budget.year == year)).scalars().all()
    rollup, dept = [], []
    for budget in budgets:
        if unit_ids is not None and budget.unit_id not in unit_ids:
            continue
        # The department's totals as they stand now: the newest revision's, else as loaded.
        income, expenditure = budget_revisions.current_totals(budget)
        budget_total = (budget_total or ZERO) + expenditure
        if income != expenditure:
            dept.append(
                _(
                    "Unit %(unit)s: income %(i)s ≠ expenditure %(e)s.",
                    unit=budget.unit.code,
                    i=format_yuan(income),
                    e=format_yuan(expenditure),
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
        unit_funds = [f for f in funds if f.fund.unit_id == budget.unit_id]
        table_total += sum(budget_revisions.changes_by_fund([f.fund.id for f in unit_funds]).values(), ZERO)
        special_total = (special_total or ZERO) + table_total
        fund_total = sum((f.balance.budget for f in unit_funds), ZERO)
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
    department.append(CheckResult("voucher_sequence", sequence_problems(year, unit_ids)))
    return Reconciliation(
        year=year,
        funds=funds,
        department=department,
        budget_total=budget_total,
        special_public_total=special_total,
    )


def check_label(key: str) -> str:
    return str(CHECK_LABELS[key])
