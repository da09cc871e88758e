"""The bank's answer to a sent batch: paid lines become payments, failed lines go back to
their cases (committed again, to be paid in another batch), all in one transaction.

The same answer twice changes nothing; a line not in the batch refuses the whole answer
naming it; a line's answer is final (paid cannot become failed, nor failed paid).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.batches import LINE_STATUSES, PaymentBatch, PaymentBatchLine
from app.models.cases import Case, Payment
from app.models.ledger import BANK_PAYMENT, BANK_RETURN, Fund, Transfer
from app.money import format_yuan
from app.services import ledger_bank
from app.services.audit import Actor, record
from app.services.batches.matching import AnswerLine, hold_against
from app.services.batches.prepare import MAX_NAMED, _net_paid
from app.services.batches.states import AnswerConflict, LineNotInBatch, advance, load, require_step
from app.services.cases.payments import BEIJING, record_payment
from app.services.cases.workflow import advance as advance_case
from app.services.errors import InvalidInput
from app.services.inputs import clean_text

RESULTS = ("paid", "failed")


def payment_date(fund: Fund, paid_on: date | None) -> date:
    """The bank's date as given (within the fund's year), else today (Beijing) brought
    into the fund's year: its last day for a past year, its first for a future one."""
    if paid_on is not None:
        if paid_on.year != fund.year:
            raise InvalidInput(
                _("The payment date must fall in the %(year)s fiscal year.", year=fund.year), field="paid_on"
            )
        return paid_on
    today = datetime.now(BEIJING).date()
    if today.year > fund.year:
        return date(fund.year, 12, 31)
    if today.year < fund.year:
        return date(fund.year, 1, 1)
    return today


def voucher_of(batch: PaymentBatch, line_no: int) -> str:
    """A bank-paid line's voucher: the batch number and the line."""
    return f"{batch.batch_no}-{line_no:04d}"


def _payment(
    batch: PaymentBatch, line: PaymentBatchLine, transfer: Transfer, fund: Fund, day: date, actor: Actor
) -> Payment:
    return record_payment(
        transfer,
        fund=fund,
        case_id=line.case_id,
        paid_on=day,
        method="bank_transfer",
        voucher=voucher_of(batch, line.line_no),
        idempotency_key=None,
        digest="",
        actor=actor,
    )


def _returned(batch: PaymentBatch, line: PaymentBatchLine, case: Case, reason: str, actor: Actor) -> None:
    """A failed line goes back to its case, still committed; the bank's reason is kept."""
    line.reason = clean_text(reason, 500) or _("No reason given by the bank.")
    record(
        "case.bank_failed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={"batch": batch.batch_no, "line": line.id, "reason": line.reason},
    )


def checked(batch: PaymentBatch, lines: Sequence[AnswerLine]) -> list[AnswerLine]:
    """The answer's lines still to apply (pending in the locked, sent ``batch``), after
    refusing the whole answer for any line at fault; see :func:`answer`."""
    if batch.status != "done":
        require_step(batch, "answer")
    if not lines:
        raise InvalidInput(_("The answer names no lines."), field="lines")
    by_id = {line.id: line for line in batch.lines}
    missing = [a for a in lines if a.line_id not in by_id]
    if missing:
        shown = ", ".join(
            _("row %(row)s", row=a.row) if a.row is not None else str(a.line_id) for a in missing[:MAX_NAMED]
        )
        raise LineNotInBatch(
            _("These lines are not in batch %(no)s: %(ids)s.", no=batch.batch_no, ids=shown), field="lines"
        )
    if len({a.line_id for a in lines}) != len(lines):
        raise InvalidInput(_("The answer names a line twice."), field="lines")
    bad = [a.line_id for a in lines if a.result not in RESULTS]
    if bad:
        raise InvalidInput(_("A line's result is paid or failed: line %(id)s.", id=bad[0]), field="lines")
    hold_against(batch, lines, by_id)
    conflicts = [
        a.line_id for a in lines if by_id[a.line_id].status in RESULTS and by_id[a.line_id].status != a.result
    ]
    if conflicts:
        line = by_id[conflicts[0]]
        raise AnswerConflict(
            _(
                "Line %(id)s was answered “%(status)s” before; the bank's answer for a line is final.",
                id=line.id,
                status=LINE_STATUSES[line.status],
            )
        )
    return [a for a in lines if by_id[a.line_id].status == "pending"]


def answer(
    batch: PaymentBatch, lines: Sequence[AnswerLine], *, actor: Actor, paid_on: date | None = None
) -> PaymentBatch:
    """Take the bank's answer for some or all of a sent batch's lines.

    Raises LineNotInBatch (naming the lines), InvalidInput (a result not paid or failed,
    a line twice, no lines, a date outside the year), AnswerMismatch (a line's amount,
    payee, card or batch number not the batch's), AnswerConflict (a line answered
    otherwise before), BatchWrongState (the batch was not sent). A line's own ``paid_on``
    (the bank's date in its file) wins over ``paid_on``."""
    batch = load(batch.id, actor, lock=True)
    todo = checked(batch, lines)
    if not todo:
        return batch
    by_id = {line.id: line for line in batch.lines}
    fund = db.session.get(Fund, batch.fund_id)
    assert fund is not None
    day = payment_date(fund, paid_on)
    days = {a.line_id: payment_date(fund, a.paid_on) if a.paid_on else day for a in todo}
    locked = {
        case.id: case
        for case in db.session.execute(
            select(Case)
            .where(Case.id.in_([by_id[a.line_id].case_id for a in todo]))
            .order_by(Case.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    paid_lines = [by_id[a.line_id] for a in todo if a.result == "paid"]
    failed = [a for a in todo if a.result == "failed"]
    reasons = {a.line_id: a.reason for a in failed}
    failed_lines = [by_id[a.line_id] for a in failed]
    for kind, group in ((BANK_PAYMENT, paid_lines), (BANK_RETURN, failed_lines)):
        if not group:
            continue
        moves = []
        for line in group:
            commitment = locked[line.case_id].commitment
            assert commitment is not None  # a sent line's case holds one
            moves.append(
                (
                    commitment,
                    line.amount,
                    _("Batch %(no)s line %(line)s", no=batch.batch_no, line=line.line_no),
                )
            )
        for line, transfer in zip(
            group, ledger_bank.bank_moves(fund.id, kind, moves, actor=actor), strict=True
        ):
            line.status = "paid" if kind == BANK_PAYMENT else "failed"
            line.answer_transfer_id = transfer.id
            line.answered_on = days[line.id]
            if kind == BANK_PAYMENT:
                line.payment_id = _payment(batch, line, transfer, fund, days[line.id], actor).id
            else:
                _returned(batch, line, locked[line.case_id], reasons[line.id], actor)
    net = _net_paid([line.case_id for line in paid_lines])
    for line in paid_lines:
        case = locked[line.case_id]
        advance_case(
            case,
            "pay",
            actor=actor,
            to="paid" if net.get(case.id) == case.approved_amount else "approved",
            note=_(
                "Paid %(amount)s by the bank, voucher %(no)s.",
                amount=format_yuan(line.amount),
                no=voucher_of(batch, line.line_no),
            ),
        )
    paid, failed_count = len(paid_lines), len(failed_lines)
    db.session.flush()
    everything = all(line.status != "pending" for line in batch.lines if line.status != "cancelled")
    advance(
        batch, "answer", actor=actor, to="done" if everything else "answered", paid=paid, failed=failed_count
    )
    return batch
