"""Preparing a payment batch (代发批次) of approved cases, approving it (four eyes), and
cancelling a draft."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund
from app.models.registry import Worker
from app.models.types import utcnow
from app.money import ZERO
from app.services import bank_files
from app.services.audit import Actor, record
from app.services.batches.states import CaseInOpenBatch, NoBankAccount, advance, load, require_step
from app.services.cases.payments import IdempotencyMismatch, request_digest
from app.services.errors import InvalidInput, NotFound
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text

_REPLAYED_KEY = "replayed_batches"
#: At most this many case ids are named in one refusal.
MAX_NAMED = 20


def _named(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:MAX_NAMED])
    return shown + (" …" if len(ids) > MAX_NAMED else "")


def was_replayed(batch: PaymentBatch) -> bool:
    """Whether this request answered ``batch`` as a replay of an earlier one."""
    return batch.id in db.session.info.get(_REPLAYED_KEY, set())


def _replay(key: str | None, digest: str) -> PaymentBatch | None:
    if not key:
        return None
    earlier = db.session.execute(
        select(PaymentBatch).where(PaymentBatch.idempotency_key == key)
    ).scalar_one_or_none()
    if earlier is not None and earlier.request_digest != digest:
        raise IdempotencyMismatch(_("This request key was already used for a different payment batch."))
    if earlier is not None:
        db.session.info.setdefault(_REPLAYED_KEY, set()).add(earlier.id)
    return earlier


def _net_paid(case_ids: list[int]) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(Payment.case_id, func.sum(Payment.amount))
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.case_id.in_(case_ids), PaymentReversal.id.is_(None))
        .group_by(Payment.case_id)
    )
    return {case_id: total for case_id, total in rows}


def open_line_cases(case_ids: list[int]) -> list[int]:
    """Which of the cases are in an open batch (a pending line)."""
    return sorted(
        db.session.execute(
            select(PaymentBatchLine.case_id).where(
                PaymentBatchLine.case_id.in_(case_ids), PaymentBatchLine.status == "pending"
            )
        ).scalars()
    )


def prepare(
    fund: Fund,
    case_ids: list[int],
    *,
    actor: Actor,
    idempotency_key: str | None = None,
    template_code: str = bank_files.DEFAULT_TEMPLATE,
) -> PaymentBatch:
    """A draft batch paying each case its outstanding approved amount to the payee's card.

    The cases are locked (in id order). Raises :class:`NotFound` for a case not in the
    actor's units, InvalidInput for no cases, a case twice, a case not approved in the
    fund or of another unit than the others, :class:`NoBankAccount` naming the cases whose
    payee has no card, :class:`CaseInOpenBatch` naming those already in an open batch.
    The same idempotency key prepares once."""
    digest = request_digest(fund=fund.id, cases=sorted(case_ids), template=template_code)
    earlier = _replay(idempotency_key, digest)
    if earlier is not None:
        return earlier
    if template_code not in bank_files.load_templates():
        shown = clean_text(template_code, 40)
        raise InvalidInput(_("There is no bank file template %(code)s.", code=shown), field="template")
    if not case_ids:
        raise InvalidInput(_("Choose the cases the batch pays."), field="case_ids")
    if len(set(case_ids)) != len(case_ids):
        raise InvalidInput(_("A case is named twice."), field="case_ids")
    ids = sorted(case_ids)
    found = {
        case.id: case
        for case in db.session.execute(
            select(Case).where(Case.id.in_(ids)).order_by(Case.id).with_for_update()
        ).scalars()
    }
    unknown = [i for i in ids if i not in found or not actor.scope.allows(found[i].unit_id)]
    if unknown:
        raise NotFound(_("No such case: %(ids)s.", ids=_named(unknown)), field="case_ids")
    wrong = [i for i in ids if found[i].fund_id != fund.id or found[i].status != "approved"]
    if wrong:
        raise InvalidInput(
            _("These cases are not approved in fund %(code)s: %(ids)s.", code=fund.code, ids=_named(wrong)),
            field="case_ids",
        )
    units = {found[i].unit_id for i in ids}
    if len(units) > 1:
        raise InvalidInput(_("A batch pays the cases of one unit."), field="case_ids")
    workers = {
        w.id: w
        for w in db.session.execute(
            select(Worker).where(Worker.id.in_({c.worker_id for c in found.values()}))
        ).scalars()
    }
    no_card = [i for i in ids if not workers[found[i].worker_id].bank_account_protected]
    if no_card:
        raise NoBankAccount(
            _("These cases' payees have no bank account on file: %(ids)s.", ids=_named(no_card)),
            field="case_ids",
        )
    held = open_line_cases(ids)
    if held:
        raise CaseInOpenBatch(
            _("These cases are already in an open payment batch: %(ids)s.", ids=_named(held)),
            field="case_ids",
        )
    paid = _net_paid(ids)
    amounts = {i: (found[i].approved_amount or ZERO) - paid.get(i, ZERO) for i in ids}
    nothing = [i for i in ids if amounts[i] <= ZERO]
    if nothing:
        raise InvalidInput(
            _("Nothing is left to pay on these cases: %(ids)s.", ids=_named(nothing)), field="case_ids"
        )
    batch = PaymentBatch(
        fund_id=fund.id,
        unit_id=units.pop(),
        year=fund.year,
        status="draft",
        template_code=template_code,
        total=sum(amounts.values(), ZERO),
        created_by_id=actor.user_id,
        idempotency_key=idempotency_key,
        request_digest=digest,
    )
    db.session.add(batch)
    db.session.flush()
    db.session.add_all(
        PaymentBatchLine(batch_id=batch.id, line_no=n, case_id=i, amount=amounts[i], status="pending")
        for n, i in enumerate(ids, start=1)
    )
    db.session.flush()
    record(
        "batch.create",
        actor=actor,
        object_type="payment_batch",
        object_id=batch.id,
        unit_id=batch.unit_id,
        details={"fund": fund.code, "year": fund.year, "lines": len(ids), "total": str(batch.total)},
    )
    db.session.refresh(batch, ["lines"])
    return batch


def approve(batch: PaymentBatch, *, actor: Actor) -> PaymentBatch:
    """Release the draft for the bank: another person than who prepared it (four eyes;
    a one-person office's exception applies). Raises BatchWrongState, FourEyesViolation."""
    batch = load(batch.id, actor, lock=True)
    require_step(batch, "approve")
    ensure_different(
        "approve_own_batch",
        actor=actor,
        earlier_user_id=batch.created_by_id,
        unit_id=batch.unit_id,
        object_type="payment_batch",
        object_id=batch.id,
    )
    batch.approved_by_id = actor.user_id
    batch.approved_at = utcnow()
    advance(batch, "approve", actor=actor)
    return batch


def cancel(batch: PaymentBatch, *, actor: Actor) -> PaymentBatch:
    """Cancel a draft: its cases are free for another batch. Raises BatchWrongState."""
    batch = load(batch.id, actor, lock=True)
    advance(batch, "cancel", actor=actor)
    for line in batch.lines:
        line.status = "cancelled"
    db.session.flush()
    return batch
