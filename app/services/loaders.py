"""Loaders that keep each actor to their units: every door finds an object through one
of these. Another unit's object, like an unknown id, is :class:`NotFound`; a state
change loads its object under a row lock (``lock=True``: ``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every write transaction already holds the database's write
lock) and with fresh values, so the state it checks is the state it changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Campaign, Case, Payment
from app.models.decisions import CaseObjection
from app.models.ledger import Fund
from app.models.registry import ModelWorker, Worker
from app.models.reviews import ReviewRound, ReviewTask
from app.models.unit_reports import UnitReport
from app.services.audit import Actor
from app.services.errors import NotFound
from app.services.steps import note_subject

M = TypeVar("M")


def _load(
    model: type[M],
    object_id: object,
    actor: Actor,
    *,
    lock: bool,
    object_type: str,
    message: str,
    unit_of: Callable[[Any], int | None] = lambda item: item.unit_id,
) -> M:
    if not isinstance(object_id, int) or isinstance(object_id, bool):
        raise NotFound(message)
    query = select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = db.session.execute(query).scalar_one_or_none()
    if item is None or not actor.scope.allows(unit_of(item)):
        raise NotFound(message)
    note_subject(object_type, object_id, unit_of(item))
    return item


def case(case_id: object, actor: Actor, *, lock: bool = False) -> Case:
    return _load(Case, case_id, actor, lock=lock, object_type="case", message=_("No such case."))


def objection(objection_id: object, actor: Actor, *, lock: bool = False) -> CaseObjection:
    """An objection to a case on public notice (公示异议), within the case's unit; the step
    acts on its case (a refusal is the case's in the audit log)."""
    if not isinstance(objection_id, int) or isinstance(objection_id, bool):
        raise NotFound(_("No such objection."))
    query = select(CaseObjection).where(CaseObjection.id == objection_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = db.session.execute(query).scalar_one_or_none()
    if item is None or not actor.scope.allows(item.case.unit_id):
        raise NotFound(_("No such objection."))
    note_subject("case", item.case_id, item.case.unit_id)
    return item


def unit_report(report_id: object, actor: Actor, *, lock: bool = False) -> UnitReport:
    """A report sent up (上报) by a unit within the actor's units."""
    return _load(
        UnitReport, report_id, actor, lock=lock, object_type="unit_report", message=_("No such report.")
    )


def campaign(campaign_id: object, actor: Actor, *, lock: bool = False) -> Campaign:
    return _load(
        Campaign, campaign_id, actor, lock=lock, object_type="campaign", message=_("No such campaign.")
    )


def payment_unit(payment: Payment) -> int | None:
    """A payment belongs to the unit of what it pays: the case's or the model worker's."""
    if payment.case is not None:
        return payment.case.unit_id
    return payment.model_worker.unit_id if payment.model_worker is not None else None


def payment(payment_id: object, actor: Actor, *, lock: bool = False) -> Payment:
    return _load(
        Payment,
        payment_id,
        actor,
        lock=lock,
        object_type="payment",
        message=_("No such payment."),
        unit_of=payment_unit,
    )


def worker(worker_id: object, actor: Actor, *, lock: bool = False) -> Worker:
    return _load(Worker, worker_id, actor, lock=lock, object_type="worker", message=_("No such file."))


def model_worker(model_worker_id: object, actor: Actor, *, lock: bool = False) -> ModelWorker:
    return _load(
        ModelWorker,
        model_worker_id,
        actor,
        lock=lock,
        object_type="model_worker",
        message=_("No such model worker."),
    )


def fund_by_id(fund_id: object, actor: Actor) -> Fund:
    return _load(Fund, fund_id, actor, lock=False, object_type="fund", message=_("Fund not found."))


def review_round(round_id: object, actor: Actor) -> ReviewRound:
    """A yearly review round (年审) of a unit within the actor's units."""
    return _load(
        ReviewRound,
        round_id,
        actor,
        lock=False,
        object_type="review_round",
        message=_("No such review round."),
    )


def review_task(task_id: object, actor: Actor, *, lock: bool = False) -> ReviewTask:
    """A review task of a file within the actor's units."""
    return _load(
        ReviewTask, task_id, actor, lock=lock, object_type="review_task", message=_("No such review task.")
    )
