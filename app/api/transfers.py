"""API endpoints of one registry across the tree: 调转 (a file moved between units, asked by
the unit that holds it, accepted or declined by the unit it goes to) and 查重 (pairs of files
sharing a person, settled by their units' common parent). The same steps as the pages of
app/registry/transfers.py."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from app.api import bp
from app.api import transfer_schemas as ts
from app.api.support import actor, api_permission, as_json, body, query
from app.auth.permissions import Permission
from app.extensions import db
from app.models.file_transfers import DuplicateFlag, FileTransfer
from app.models.org import Unit
from app.services import loaders, steps
from app.services.registry import duplicates, transfers


def transfer_out(transfer: FileTransfer) -> ts.TransferOut:
    return ts.TransferOut(
        id=transfer.id,
        applicant_id=transfer.worker_id,
        from_unit=transfer.from_unit.code,
        to_unit=transfer.to_unit.code,
        status=transfer.status,
        reason=transfer.reason,
        requested_at=transfer.requested_at,
        decided_at=transfer.decided_at,
        decision_note=transfer.decision_note,
    )


def flag_out(flag: DuplicateFlag) -> ts.FlagOut:
    parent = flag.parent_unit_id
    return ts.FlagOut(
        id=flag.id,
        applicant_ids=[flag.worker_low_id, flag.worker_high_id],
        unit=db.session.get(Unit, parent).code if parent is not None else None,  # type: ignore[union-attr]
        status=flag.status,
        found_at=flag.found_at,
        decision_note=flag.decision_note,
        shared=[
            ts.SharedPersonOut(name=p.name, on_first=p.on_low, on_second=p.on_high)
            for p in duplicates.shared_people(flag)
        ],
    )


@bp.route("/applicants/<int:applicant_id>/transfer", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def request_transfer(applicant_id: int) -> Response:
    data = body(ts.TransferIn)

    def step() -> FileTransfer:
        worker = loaders.worker(applicant_id, actor(), lock=True)
        return transfers.request(worker, to_unit=data.to_unit, reason=data.reason, actor=actor())

    return as_json(transfer_out(steps.run(step, name="file_transfer.request", actor=actor())), 201)


@bp.route("/file-transfers", methods=["GET"])
@api_permission(Permission.REGISTRY_EDIT)
def list_transfers() -> Response:
    params = query(ts.TransferQuery)
    items = transfers.listing(actor(), status=params.status)
    return as_json(ts.TransferList(items=[transfer_out(t) for t in items]))


def _decide(transfer_id: int, decide: Callable[[FileTransfer], FileTransfer], name: str) -> Response:
    def step() -> FileTransfer:
        return decide(transfers.load(transfer_id, actor(), lock=True))

    return as_json(transfer_out(steps.run(step, name=name, actor=actor())))


@bp.route("/file-transfers/<int:transfer_id>/accept", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def accept_transfer(transfer_id: int) -> Response:
    return _decide(transfer_id, lambda t: transfers.accept(t, actor=actor()), "file_transfer.accept")


@bp.route("/file-transfers/<int:transfer_id>/decline", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def decline_transfer(transfer_id: int) -> Response:
    data = body(ts.TransferNoteIn)
    return _decide(
        transfer_id, lambda t: transfers.decline(t, note=data.note, actor=actor()), "file_transfer.decline"
    )


@bp.route("/file-transfers/<int:transfer_id>/withdraw", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def withdraw_transfer(transfer_id: int) -> Response:
    return _decide(transfer_id, lambda t: transfers.withdraw(t, actor=actor()), "file_transfer.withdraw")


@bp.route("/duplicate-flags", methods=["GET"])
@api_permission(Permission.DUPLICATES_REVIEW)
def list_flags() -> Response:
    params = query(ts.FlagQuery)
    items = duplicates.queue(actor(), status=params.status)
    return as_json(ts.FlagList(items=[flag_out(f) for f in items]))


@bp.route("/duplicate-flags/<int:flag_id>/decide", methods=["POST"])
@api_permission(Permission.DUPLICATES_REVIEW)
def decide_flag(flag_id: int) -> Response:
    data = body(ts.FlagDecisionIn)

    def step() -> DuplicateFlag:
        flag = duplicates.load(flag_id, actor(), lock=True)
        return duplicates.decide(flag, outcome=data.finding, note=data.note, actor=actor())

    return as_json(flag_out(steps.run(step, name="registry.duplicate_decide", actor=actor())))
