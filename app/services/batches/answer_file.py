"""The bank's answer as a file (回盘文件): read with the batch's own template, held line
by line against the batch, and either reported (a check before the person confirms) or
applied whole through :func:`app.services.batches.answer.answer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app.extensions import db
from app.models.batches import PaymentBatch
from app.models.ledger import Fund
from app.money import ZERO
from app.services import bank_files
from app.services.audit import Actor
from app.services.batches.answer import answer, checked
from app.services.batches.matching import AnswerLine
from app.services.batches.states import load
from app.services.errors import BankFileRefused


@dataclass(frozen=True)
class AnswerReport:
    """What a bank's answer file says, and what it changes: ``rows`` lines read, of which
    ``paid``/``failed`` are new answers (with their totals) and ``already`` repeat what
    the batch already holds (the same answer twice changes nothing). ``applied`` tells
    whether the answer was taken or only checked."""

    batch_no: str
    rows: int
    paid: int
    failed: int
    already: int
    paid_total: Decimal
    failed_total: Decimal
    applied: bool


def _lines(batch: PaymentBatch, filename: str, content: bytes) -> list[AnswerLine]:
    fund = db.session.get(Fund, batch.fund_id)
    assert fund is not None
    read = bank_files.read_return_file(batch.template_code, filename, content)
    for line in read:
        if line.bank_date is not None and line.bank_date.year != fund.year:
            raise BankFileRefused(
                _(
                    "Row %(row)s: the bank's date %(date)s is not in the %(year)s fiscal year.",
                    row=line.row,
                    date=line.bank_date.isoformat(),
                    year=fund.year,
                ),
                row=line.row,
            )
    return [
        AnswerLine(
            line_id=r.line_id,
            result=r.result,
            reason=r.reason,
            amount=r.amount,
            payee_name=r.payee_name,
            account_number=r.account_number,
            batch_no=r.batch_no,
            paid_on=r.bank_date,
            row=r.row,
        )
        for r in read
    ]


def answer_file(
    batch: PaymentBatch,
    filename: str,
    content: bytes,
    *,
    actor: Actor,
    paid_on: date | None = None,
    check_only: bool = False,
) -> AnswerReport:
    """Read the bank's answer file for ``batch`` and check it whole (raises
    :class:`BankFileRefused` or the refusals of :func:`answer`, naming the row); unless
    ``check_only``, take it. The batch is locked either way."""
    batch = load(batch.id, actor, lock=True)
    lines = _lines(batch, filename, content)
    todo = checked(batch, lines)
    amounts = {line.id: line.amount for line in batch.lines}
    paid = [a for a in todo if a.result == "paid"]
    failed = [a for a in todo if a.result == "failed"]
    if not check_only and todo:
        answer(batch, lines, actor=actor, paid_on=paid_on)
    return AnswerReport(
        batch_no=batch.batch_no,
        rows=len(lines),
        paid=len(paid),
        failed=len(failed),
        already=len(lines) - len(todo),
        paid_total=sum((amounts[a.line_id] for a in paid), ZERO),
        failed_total=sum((amounts[a.line_id] for a in failed), ZERO),
        applied=not check_only and bool(todo),
    )
