"""Finance's home page: the bank payment batches (代发批次) that wait for someone — to be
approved (by another person than who prepared it), to have their file sent to the bank,
or for the bank's answer — and the lines the bank could not pay, to be paid again."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_

from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.users import User
from app.money import format_yuan
from app.services.batches import queries
from app.services.home.sections import Item, Section, listed


def _batch_item(batch: PaymentBatch, detail: str) -> Item:
    return Item(
        title=f"{batch.batch_no} · {batch.fund.code}",
        detail=detail,
        endpoint="batches.detail",
        values={"batch_id": batch.id},
    )


def open_batches(user: User, unit_ids: list[int] | None) -> list[Section]:
    """Three sections: to approve (not those I prepared), to send, waiting for the bank."""
    to_approve = queries.batches_in(unit_ids, "draft").where(
        or_(PaymentBatch.created_by_id.is_(None), PaymentBatch.created_by_id != user.id)
    )
    return [
        listed(
            "batches",
            _("Bank batches to approve"),
            to_approve,
            lambda b: _batch_item(
                b, _("Prepared, %(total)s: waits for a second person.", total=format_yuan(b.total))
            ),
            _("No bank batch waits for approval."),
            endpoint="batches.index",
            values={"status": "draft"},
        ),
        listed(
            "batches_send",
            _("Bank batches to send"),
            queries.batches_in(unit_ids, "approved"),
            lambda b: _batch_item(
                b, _("Approved, %(total)s: download its file for the bank.", total=format_yuan(b.total))
            ),
            _("No approved bank batch waits to be sent."),
            endpoint="batches.index",
            values={"status": "approved"},
        ),
        listed(
            "batches_bank",
            _("Waiting for the bank's answer"),
            queries.batches_in(unit_ids, *queries.AT_BANK_STATUSES),
            lambda b: _batch_item(
                b,
                _(
                    "Sent on %(day)s: upload the bank's answer.",
                    day=b.sent_at.date().isoformat() if b.sent_at else "",
                ),
            ),
            _("No batch waits for the bank's answer."),
            endpoint="batches.index",
            values={"status": "sent"},
        ),
    ]


def failed_lines(unit_ids: list[int] | None) -> Section:
    """Lines the bank could not pay whose case still waits, with the bank's reason."""

    def item(line: PaymentBatchLine) -> Item:
        return Item(
            title=_("Application No. %(id)s", id=line.case_id) + f" · {line.case.worker.name}",
            detail=_(
                "%(amount)s failed in %(no)s: %(reason)s",
                amount=format_yuan(line.amount),
                no=line.batch.batch_no,
                reason=line.reason or "",
            ),
            endpoint="cases.detail",
            values={"case_id": line.case_id},
        )

    return listed(
        "bank_failed",
        _("Failed at the bank: to pay again"),
        queries.failed_to_repay(unit_ids),
        item,
        _("No line failed at the bank waits to be paid again."),
        endpoint="batches.new",
    )
