"""The bank file of an approved batch: fetching it is audited, and the first fetch sends
the batch (each line's amount moves from committed to at the bank). The file carries
whole account numbers; it is made for the download and never kept on the server."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.batches import PaymentBatch
from app.models.cases import Case
from app.models.ledger import BANK_SEND, Fund
from app.models.org import Unit
from app.models.registry import Worker
from app.models.types import utcnow
from app.privacy import vault
from app.services import bank_files, ledger_bank
from app.services.audit import Actor, record
from app.services.batches.answer import payment_date
from app.services.batches.states import BatchWrongState, advance, load
from app.services.cases.payments import BEIJING
from app.services.vouchers import drafting as vouchers

#: Statuses in which the file can be had again (audited each time; the money moved once).
SENT_STATUSES = ("sent", "answered", "done")


def send(batch: PaymentBatch, *, actor: Actor) -> None:
    """Move each line's amount from committed to at the bank (the batch is locked), and
    draft the batch's accounting voucher for its total, dated the day it is sent."""
    cases = {
        c.id: c
        for c in db.session.execute(
            select(Case).where(Case.id.in_([line.case_id for line in batch.lines])).order_by(Case.id)
        ).scalars()
    }
    moves = []
    for line in batch.lines:
        commitment = cases[line.case_id].commitment
        if commitment is None:  # an approved case always holds one
            raise BatchWrongState(_("Case %(id)s holds no commitment.", id=line.case_id))
        memo = _("Batch %(no)s line %(line)s", no=batch.batch_no, line=line.line_no)
        moves.append((commitment, line.amount, memo))
    transfers = ledger_bank.bank_moves(batch.fund_id, BANK_SEND, moves, actor=actor)
    for line, transfer in zip(batch.lines, transfers, strict=True):
        line.sent_transfer_id = transfer.id
    batch.sent_at = utcnow()
    fund = db.session.get(Fund, batch.fund_id)
    assert fund is not None
    vouchers.draft_batch(batch, payment_date(fund, None), actor=actor)
    advance(batch, "send", actor=actor)


def bank_file(batch: PaymentBatch, fmt: str, *, actor: Actor) -> tuple[bytes, str, str]:
    """The batch's file for the bank, ``(bytes, filename, mimetype)``; the first fetch of
    an approved batch sends it. Raises BatchWrongState before approval or after a cancel."""
    batch = load(batch.id, actor, lock=True)
    if fmt not in bank_files.MIMETYPES:
        raise BatchWrongState(_("The bank file is had as CSV or XLSX."))
    if batch.status == "approved":
        send(batch, actor=actor)
    elif batch.status not in SENT_STATUSES:
        raise BatchWrongState(_("The bank file exists only once the batch is approved."))
    workers = {
        w.id: w
        for w in db.session.execute(
            select(Worker)
            .join(Case, Case.worker_id == Worker.id)
            .where(Case.id.in_([line.case_id for line in batch.lines]))
        ).scalars()
    }
    unit = db.session.get(Unit, batch.unit_id)
    keys = vault()
    lines = [
        bank_files.BatchLine(
            line_id=line.id,
            payee_name=workers[line.case.worker_id].name,
            account_number=keys.reveal(workers[line.case.worker_id].bank_account_protected or ""),
            bank_name=workers[line.case.worker_id].bank_name or "",
            amount=line.amount,
            memo=_("Hardship aid, case %(id)s", id=line.case_id),
        )
        for line in batch.lines
        if line.status != "cancelled"
    ]
    header = bank_files.BatchHeader(
        batch_no=batch.batch_no,
        unit_name=unit.name if unit else "",
        date=datetime.now(BEIJING).date(),
        count=len(lines),
        total=sum((line.amount for line in lines), batch.total * 0),
    )
    data, filename, mimetype = bank_files.render_batch_file(batch.template_code, fmt, header, lines)
    record(
        "batch.file",
        actor=actor,
        object_type="payment_batch",
        object_id=batch.id,
        unit_id=batch.unit_id,
        details={
            "format": fmt,
            "lines": len(lines),
            "total": str(header.total),
            "template": batch.template_code,
        },
    )
    return data, filename, mimetype
