"""Holding the bank's answer against the batch: each answered line must say what the
batch sent — its amount, the payee's name and card, the batch's number — or the whole
answer is refused, naming the line (and the file's row, when it came in a file)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.cases import Case
from app.models.registry import Worker
from app.money import format_yuan
from app.privacy import vault
from app.services.batches.states import AnswerMismatch


@dataclass(frozen=True)
class AnswerLine:
    """The bank's word on one line: ``paid`` or ``failed`` (with its reason). What the
    bank says it paid (amount, payee's name, card, batch number) and its date are held
    against the line when given; ``row`` is the file's row the line came from."""

    line_id: int
    result: str
    reason: str = ""
    amount: Decimal | None = None
    payee_name: str | None = None
    account_number: str | None = None
    batch_no: str | None = None
    paid_on: date | None = None
    row: int | None = None


def _where(answer: AnswerLine, line: PaymentBatchLine) -> str:
    if answer.row is not None:
        return _("Row %(row)s (line %(line)s)", row=answer.row, line=line.line_no)
    return _("Line %(id)s", id=line.id)


def _name(text: str) -> str:
    """A name as the bank and the registry both mean it: NFKC, no spaces or middle dots."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·・.")


def hold_against(
    batch: PaymentBatch, answers: Sequence[AnswerLine], by_id: dict[int, PaymentBatchLine]
) -> None:
    """Raise :class:`AnswerMismatch` for the first answered line whose batch number,
    amount, payee name or card differ from what the batch sent."""
    for answer in answers:
        line = by_id[answer.line_id]
        if answer.batch_no is not None and answer.batch_no != batch.batch_no:
            raise AnswerMismatch(
                _(
                    "%(where)s belongs to batch %(other)s, not %(no)s.",
                    where=_where(answer, line),
                    other=answer.batch_no,
                    no=batch.batch_no,
                ),
                field="lines",
            )
        if answer.amount is not None and answer.amount != line.amount:
            raise AnswerMismatch(
                _(
                    "%(where)s: the bank's amount is %(theirs)s, the batch sent %(ours)s.",
                    where=_where(answer, line),
                    theirs=format_yuan(answer.amount),
                    ours=format_yuan(line.amount),
                ),
                field="lines",
            )
    named = [a for a in answers if a.payee_name is not None or a.account_number is not None]
    if not named:
        return
    workers = dict(
        db.session.execute(
            select(Case.id, Worker)
            .join(Worker, Worker.id == Case.worker_id)
            .where(Case.id.in_({by_id[a.line_id].case_id for a in named}))
        ).all()
    )
    keys = vault()
    for answer in named:
        line = by_id[answer.line_id]
        worker = workers[line.case_id]
        if answer.payee_name is not None and _name(answer.payee_name) != _name(worker.name):
            raise AnswerMismatch(
                _(
                    "%(where)s: the bank names the payee “%(theirs)s”, the batch paid %(ours)s.",
                    where=_where(answer, line),
                    theirs=answer.payee_name[:40],
                    ours=worker.name,
                ),
                field="lines",
            )
        if answer.account_number is not None:
            ours = keys.reveal(worker.bank_account_protected or "")
            if answer.account_number.replace(" ", "") != ours:
                raise AnswerMismatch(
                    _(
                        "%(where)s: the bank's card ends in %(theirs)s, the batch paid the card ending in"
                        " %(ours)s.",
                        where=_where(answer, line),
                        theirs=answer.account_number[-4:],
                        ours=ours[-4:],
                    ),
                    field="lines",
                )
