"""对账: checking, per fund and year, that the books hold and roll up to the budget.

Each check is a small function returning what it found wrong (an empty list when the
check passes), so the page, the command line, the API and the tests share them:
:mod:`.checks` (the balances, the running ledger, the budget line, the department's
totals), :mod:`.links` (every entry belongs to its record), :mod:`.runs` (stored runs).
"""

from app.services.reconciliation.checks import (
    CHECK_LABELS,
    STEPS,
    CheckResult,
    FundReconciliation,
    Progress,
    Reconciliation,
    check_budget_line,
    check_identity,
    check_label,
    check_ledger_sum,
    check_running,
    reconcile,
    reconcile_funds,
)
from app.services.reconciliation.links import (
    MAX_NAMED,
    commitment_problems,
    payment_problems,
    reversal_problems,
)
from app.services.reconciliation.runs import entries_in, latest_run, report_of, run, scope_key, start_run

__all__ = [
    "CHECK_LABELS",
    "MAX_NAMED",
    "STEPS",
    "CheckResult",
    "FundReconciliation",
    "Progress",
    "Reconciliation",
    "check_budget_line",
    "check_identity",
    "check_label",
    "check_ledger_sum",
    "check_running",
    "commitment_problems",
    "entries_in",
    "latest_run",
    "payment_problems",
    "reconcile",
    "reconcile_funds",
    "report_of",
    "reversal_problems",
    "run",
    "scope_key",
    "start_run",
]
