"""Aid cases from application to payment, send-warmth campaigns, and model workers'
check-up allowances: one module per concern.

- :mod:`.workflow`: the state machine (open, submit, decide, close) and its rules;
- :mod:`.payments`: payments (发放) and reversals (红冲), with idempotency;
- :mod:`.checkups`: the model-worker check-up allowance;
- :mod:`.objections`: objections to a case on public notice (公示异议) and their settling;
- :mod:`.campaigns`: 元旦春节送温暖, many households approved at once;
- :mod:`.queries`: what the pages and the API list.

Every state change loads its object under a row lock and checks the state after the
lock is held (:func:`.workflow.locked`), so simultaneous requests for the same step
answer one success and refusals; money moves only through the ledger.
"""

from app.services.cases.campaigns import approve_campaign, cancel_campaign, plan_campaign
from app.services.cases.campaigns import blocked_lines as campaign_blocked_lines
from app.services.cases.checkups import (
    DEFAULT_CHECKUP_ALLOWANCE,
    CheckupGroup,
    CheckupStatus,
    NotEntitled,
    checkup_fund,
    checkup_status,
    pay_checkup,
    roster,
)
from app.services.cases.objections import record_objection, settle_objection
from app.services.cases.payments import (
    DuplicateVoucher,
    IdempotencyMismatch,
    check_payment,
    paid_amount,
    pay,
    reverse_payment,
)
from app.services.cases.queries import get_case, list_cases, recent_payments, waiting_for
from app.services.cases.workflow import (
    ACTION_LABELS,
    CHECKUP,
    HARDSHIP_AID,
    TRANSITIONS,
    CeilingExceeded,
    WrongState,
    approve,
    cancel,
    close,
    open_case,
    reject,
    submit,
)

__all__ = [
    "ACTION_LABELS",
    "CHECKUP",
    "DEFAULT_CHECKUP_ALLOWANCE",
    "HARDSHIP_AID",
    "TRANSITIONS",
    "CeilingExceeded",
    "CheckupGroup",
    "CheckupStatus",
    "DuplicateVoucher",
    "IdempotencyMismatch",
    "NotEntitled",
    "WrongState",
    "approve",
    "approve_campaign",
    "campaign_blocked_lines",
    "cancel",
    "cancel_campaign",
    "check_payment",
    "checkup_fund",
    "checkup_status",
    "close",
    "get_case",
    "list_cases",
    "open_case",
    "paid_amount",
    "pay",
    "pay_checkup",
    "plan_campaign",
    "recent_payments",
    "record_objection",
    "reject",
    "reverse_payment",
    "roster",
    "settle_objection",
    "submit",
    "waiting_for",
]
