"""对账: checking, per fund and year, that the books hold and roll up to the budget.

Each check is a small function returning what it found wrong (an empty list when
the check passes), so the page, the command line, the API and the tests share them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.database import read_only
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
from app.models.reconciliation import ReconciliationRun
from app.models.types import utcnow
from app.money import ZERO, format_yuan
from app.services import ledger
from app.services.audit import Actor, record

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
        kind: [a[kind].id for a in accounts.values()] for kind in (APPROPRIATION, AVAILABLE, COMMITTED, PAID)
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
            func.count(),
            func.max(rows.c.seq),
            func.min(case((rows.c.n != rows.c.seq, rows.c.seq))),
            func.min(case((broken, rows.c.seq))),
        ).group_by(rows.c.fund_id)
    ):
        fund_id, appropriation, available, committed, paid, count, last, gap, broke = row
        result[fund_id] = _LedgerScan(
            sums={APPROPRIATION: appropriation, AVAILABLE: available, COMMITTED: committed, PAID: paid},
            entries=count,
            last_seq=last or 0,
            first_gap=gap,
            first_break=broke,
        )
    return result


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


def _payment_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    """Payment entries with no payment record, another amount, or no approved case: the
    database returns only the rows that are wrong."""
    problems: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Transfer.fund_id,
            Transfer.seq,
            Transfer.amount,
            Payment.id.label("payment_id"),
            Payment.amount.label("payment_amount"),
            Payment.case_id,
            Payment.model_worker_id,
            Case.approved_amount,
        )
        .outerjoin(Payment, Payment.transfer_id == Transfer.id)
        .outerjoin(Case, Case.id == Payment.case_id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind.in_((PAYMENT, DIRECT_PAYMENT)),
            or_(
                Payment.id.is_(None),
                Payment.amount != Transfer.amount,
                and_(Payment.case_id.is_not(None), Case.approved_amount.is_(None)),
                and_(Payment.case_id.is_(None), Payment.model_worker_id.is_(None)),
            ),
        )
        .order_by(Transfer.fund_id, Transfer.seq)
    )
    for row in rows:
        found = problems[row.fund_id]
        if len(found) >= MAX_NAMED:
            continue
        if row.payment_id is None:
            found.append(
                _(
                    "Entry %(seq)s pays %(amount)s with no payment record.",
                    seq=row.seq,
                    amount=format_yuan(row.amount),
                )
            )
        elif row.payment_amount != row.amount:
            found.append(
                _(
                    "Payment %(id)s says %(a)s, its entry %(b)s.",
                    id=row.payment_id,
                    a=format_yuan(row.payment_amount),
                    b=format_yuan(row.amount),
                )
            )
        elif row.case_id is not None:
            found.append(_("Payment %(id)s belongs to no approved case.", id=row.payment_id))
        else:
            found.append(_("Payment %(id)s belongs to no case or check-up.", id=row.payment_id))
    return problems


def _reversal_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    problems: dict[int, list[str]] = defaultdict(list)
    original = aliased(Transfer)
    for row in db.session.execute(
        select(Transfer.fund_id, Transfer.seq)
        .outerjoin(original, original.id == Transfer.reverses_id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind == REVERSAL,
            or_(
                original.id.is_(None),
                original.amount != Transfer.amount,
                original.debit_account_id != Transfer.credit_account_id,
                original.credit_account_id != Transfer.debit_account_id,
            ),
        )
        .order_by(Transfer.fund_id, Transfer.seq)
    ):
        if len(problems[row.fund_id]) < MAX_NAMED:
            problems[row.fund_id].append(_("Reversal entry %(seq)s does not undo its original.", seq=row.seq))
    recorded = dict(
        db.session.execute(
            select(Payment.fund_id, func.count())
            .select_from(PaymentReversal)
            .join(Payment)
            .where(Payment.fund_id.in_(fund_ids))
            .group_by(Payment.fund_id)
        ).all()
    )
    in_ledger = dict(
        db.session.execute(
            select(Transfer.fund_id, func.count())
            .join(original, original.id == Transfer.reverses_id)
            .where(
                Transfer.fund_id.in_(fund_ids),
                Transfer.kind == REVERSAL,
                original.kind.in_((PAYMENT, DIRECT_PAYMENT)),
            )
            .group_by(Transfer.fund_id)
        ).all()
    )
    for fund_id in fund_ids:
        a, b = recorded.get(fund_id, 0), in_ledger.get(fund_id, 0)
        if a != b:
            problems[fund_id].append(
                _("%(a)s payment reversals are recorded, the ledger holds %(b)s.", a=a, b=b)
            )
    return problems


#: ``progress(done, total, phase)``: told as each pass over the books starts.
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
    payments = _payment_problems(fund_ids)
    progress(2, STEPS, _("Checking the reversals"))
    reversals = _reversal_problems(fund_ids)
    results = []
    for fund in funds:
        b = ledger.balance_of(fund, accounts[fund.id])
        scan = scans[fund.id]
        checks = [
            CheckResult("identity", check_identity(b)),
            CheckResult("ledger_sum", check_ledger_sum(accounts[fund.id], scan.sums)),
            CheckResult("running", check_running(fund, scan)),
            CheckResult("budget_line", check_budget_line(fund, b)),
            CheckResult("payments", payments.get(fund.id, [])),
            CheckResult("reversals", reversals.get(fund.id, [])),
        ]
        ledger_sum = scan.sums[PAID] + scan.sums[COMMITTED] + scan.sums[AVAILABLE]
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


# --- Stored runs, for the page when a year's books are too long to check per request ----


def scope_key(unit_ids: list[int] | None) -> str:
    return "all" if unit_ids is None else ",".join(str(i) for i in sorted(unit_ids))


def entries_in(year: int, unit_ids: list[int] | None = None) -> int:
    """How many ledger entries the year's funds hold (from each fund's own counter)."""
    query = select(func.coalesce(func.sum(Fund.last_seq), 0)).where(Fund.year == year)
    if unit_ids is not None:
        query = query.where(Fund.unit_id.in_(unit_ids))
    return int(db.session.execute(query).scalar_one())


def _check_json(check: CheckResult) -> dict[str, Any]:
    return {"key": check.key, "problems": check.problems}


def report_of(result: Reconciliation) -> dict[str, Any]:
    """The result as plain data (money as strings): what a page shows and a run stores."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    return {
        "year": result.year,
        "ok": result.ok,
        "funds": [
            {
                "code": f.fund.code,
                "name": f.fund.name,
                "budget": money(f.balance.budget),
                "paid": money(f.balance.paid),
                "committed": money(f.balance.committed),
                "available": money(f.balance.available),
                "ledger_sum": money(f.ledger_sum),
                "ok": f.ok,
                "checks": [_check_json(c) for c in f.checks],
            }
            for f in result.funds
        ],
        "department": [_check_json(c) for c in result.department],
        "budget_total": money(result.budget_total),
        "special_public_total": money(result.special_public_total),
    }


def run(
    year: int, unit_ids: list[int] | None, *, actor: Actor, progress: Progress = _quiet
) -> ReconciliationRun:
    """Check the year (reading only: on SQLite others keep writing meanwhile), then keep the
    result in a transaction of its own, and say so in the audit log. Commits."""
    started = utcnow()
    read_only(db.session)
    entries = entries_in(year, unit_ids)
    result = reconcile(year, unit_ids, progress)
    report = report_of(result)
    db.session.rollback()
    stored = ReconciliationRun(
        year=year,
        scope=scope_key(unit_ids),
        ok=report["ok"],
        entries=entries,
        report=json.dumps(report, ensure_ascii=False),
        started_at=started,
        created_by_id=actor.user_id,
        created_by_name=actor.name[:64],
    )
    db.session.add(stored)
    db.session.flush()
    record(
        "reconciliation.run",
        actor=actor,
        object_type="reconciliation_run",
        object_id=stored.id,
        details={"year": year, "scope": stored.scope, "ok": stored.ok, "entries": entries},
    )
    db.session.commit()
    return stored


def check_label(key: str) -> str:
    return str(CHECK_LABELS[key])


def latest_run(year: int, unit_ids: list[int] | None) -> ReconciliationRun | None:
    return db.session.execute(
        select(ReconciliationRun)
        .where(ReconciliationRun.year == year, ReconciliationRun.scope == scope_key(unit_ids))
        .order_by(ReconciliationRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
