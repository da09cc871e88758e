"""API endpoints of payment batches (代发批次, ../shared/API.md). Every change runs as one
step (:func:`app.services.steps.run`); another unit's batch is 404."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Response, send_file

from app.api import batch_schemas as bs
from app.api import bp
from app.api import presenters as p
from app.api.support import actor, api_permission, as_json, body, idempotency_key, query
from app.auth.permissions import Permission
from app.models.batches import PaymentBatch
from app.services import batches, funds, steps


def batch_out(batch: PaymentBatch) -> bs.BatchOut:
    return bs.BatchOut(
        id=batch.id,
        batch_no=batch.batch_no,
        status=batch.status,
        fund_code=batch.fund.code,
        year=batch.year,
        total=batch.total,
        lines=[
            bs.BatchLineOut(
                id=line.id,
                case_id=line.case_id,
                amount=line.amount,
                status=line.status,
                reason=line.reason,
                payment_id=line.payment_id,
            )
            for line in batch.lines
        ],
    )


@bp.route("/payment-batches", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def create_batch() -> Response:
    data = body(bs.BatchIn)
    key = idempotency_key()

    def step() -> PaymentBatch:
        fund = funds.find(actor(), data.fund_code, data.year or p.current_year(), data.unit)
        return batches.prepare(fund, data.case_ids, actor=actor(), idempotency_key=key)

    batch = steps.run(step, name="batch.create", actor=actor())
    return as_json(batch_out(batch), 200 if batches.was_replayed(batch) else 201)


@bp.route("/payment-batches/<int:batch_id>")
@api_permission(Permission.PAYMENTS_MAKE)
def get_batch(batch_id: int) -> Response:
    return as_json(batch_out(batches.load(batch_id, actor())))


def _change(batch_id: int, name: str, change: Callable[[PaymentBatch], object]) -> Response:
    def step() -> PaymentBatch:
        batch = batches.load(batch_id, actor())
        change(batch)
        return batch

    return as_json(batch_out(steps.run(step, name=name, actor=actor())))


@bp.route("/payment-batches/<int:batch_id>/approve", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def approve_batch(batch_id: int) -> Response:
    return _change(batch_id, "batch.approve", lambda batch: batches.approve(batch, actor=actor()))


@bp.route("/payment-batches/<int:batch_id>/cancel", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def cancel_batch(batch_id: int) -> Response:
    return _change(batch_id, "batch.cancel", lambda batch: batches.cancel(batch, actor=actor()))


@bp.route("/payment-batches/<int:batch_id>/returns", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def batch_returns(batch_id: int) -> Response:
    data = body(bs.ReturnsIn)
    lines = [
        batches.AnswerLine(
            line.line_id, line.result, line.reason, amount=line.amount, payee_name=line.payee_name
        )
        for line in data.lines
    ]
    return _change(
        batch_id,
        "batch.answer",
        lambda batch: batches.answer(batch, lines, actor=actor(), paid_on=data.paid_on),
    )


@bp.route("/payment-batches/<int:batch_id>/file")
@api_permission(Permission.PAYMENTS_MAKE)
def batch_file(batch_id: int) -> Response:
    fmt = query(bs.BatchFileQuery).format

    def step() -> tuple[bytes, str, str]:
        return batches.bank_file(batches.load(batch_id, actor()), fmt, actor=actor())

    data, filename, mimetype = steps.run(step, name="batch.file", actor=actor())
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
