"""The pages of one registry across the tree: a file's transfer (调转) asked by the unit that
holds it and accepted or declined by the unit it goes to, and the duplicate review (查重) of
files that share a person, for their units' common parent. The rules are the services'
(app/services/registry/transfers.py, duplicates.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.actions import flash_error, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.models.file_transfers import DUPLICATE_STATUSES, DuplicateFlag, FileTransfer
from app.registry import bp
from app.registry.exits import _worker
from app.registry.forms import DuplicateDecisionForm, TransferDeclineForm, TransferForm, choices
from app.services import registry, steps
from app.services.errors import DomainError, NotFound
from app.services.registry import duplicates, transfers

Answer = str | Response | tuple[str, int]


@bp.route("/workers/<int:worker_id>/transfer", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def transfer_file(worker_id: int) -> str | Response | tuple[str, int]:
    """调转: the holding unit asks to move the file; the receiving unit decides."""
    worker = _worker(worker_id)
    form = TransferForm()
    page = "registry/transfer.html"
    if not form.is_submitted():
        return render_template(page, worker=worker, form=form, history=transfers.of_worker(worker))
    if form.validate_on_submit():
        try:
            steps.run(
                lambda: transfers.request(
                    worker,
                    to_unit=form.to_unit.data or "",
                    reason=form.reason.data or "",
                    actor=current_actor(),
                ),
                name="file_transfer.request",
                actor=current_actor(),
                subject=steps.Subject("worker", worker.id, worker.unit_id),
            )
        except DomainError as error:
            show_on_form(form, error, "to_unit")
        else:
            flash(_("The transfer is asked for; the receiving unit accepts or declines it."), "success")
            return redirect(url_for("registry.detail", worker_id=worker.id))
    return render_template(page, worker=worker, form=form, history=transfers.of_worker(worker)), 422


def _transfers_page(decline_form: TransferDeclineForm | None = None, failed: int | None = None) -> str:
    actor = current_actor()
    items = transfers.listing(actor)
    return render_template(
        "registry/transfers.html",
        incoming=[
            t for t in items if actor.scope.allows(t.to_unit_id) and not actor.scope.allows(t.from_unit_id)
        ],
        outgoing=[t for t in items if actor.scope.allows(t.from_unit_id)],
        decline_form=decline_form or TransferDeclineForm(formdata=None),
        failed=failed,
        masked_id=registry.masked_id,
    )


@bp.route("/registry/transfers")
@require(Permission.REGISTRY_EDIT)
def transfer_list() -> str:
    return _transfers_page()


def _decide_transfer(
    transfer_id: int, step: Callable[[FileTransfer], object], name: str, done: str
) -> Answer:
    form = TransferDeclineForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
        return redirect(url_for("registry.transfer_list"))
    try:
        steps.run(
            lambda: step(transfers.load(transfer_id, current_actor(), lock=True)),
            name=name,
            actor=current_actor(),
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        if error.field == "note":
            form.note.errors = [error.message]
        else:
            flash_error(error)
        return _transfers_page(form, failed=transfer_id), 422
    flash(done, "success")
    return redirect(url_for("registry.transfer_list"))


@bp.route("/registry/transfers/<int:transfer_id>/accept", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def accept_transfer(transfer_id: int) -> Answer:
    return _decide_transfer(
        transfer_id,
        lambda t: transfers.accept(t, actor=current_actor()),
        "file_transfer.accept",
        _("The file is now with your unit."),
    )


@bp.route("/registry/transfers/<int:transfer_id>/decline", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def decline_transfer(transfer_id: int) -> Answer:
    note = request.form.get("note", "")
    return _decide_transfer(
        transfer_id,
        lambda t: transfers.decline(t, note=note, actor=current_actor()),
        "file_transfer.decline",
        _("The transfer is declined; the file stays with the unit that holds it."),
    )


@bp.route("/registry/transfers/<int:transfer_id>/withdraw", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def withdraw_transfer(transfer_id: int) -> Answer:
    return _decide_transfer(
        transfer_id,
        lambda t: transfers.withdraw(t, actor=current_actor()),
        "file_transfer.withdraw",
        _("The transfer is withdrawn."),
    )


def _duplicates_page(form: DuplicateDecisionForm | None = None, failed: int | None = None) -> str:
    status = request.args.get("status", "open")
    status = status if status in DUPLICATE_STATUSES else "open"
    form = form or DuplicateDecisionForm(formdata=None)
    form.outcome.choices = choices({k: v for k, v in DUPLICATE_STATUSES.items() if k != "open"}, blank=True)
    return render_template(
        "registry/duplicates.html",
        flags=duplicates.queue(current_actor(), status=status),
        shared_people=duplicates.shared_people,
        status=status,
        statuses=DUPLICATE_STATUSES,
        form=form,
        failed=failed,
        masked_id=registry.masked_id,
    )


@bp.route("/registry/duplicates")
@require(Permission.DUPLICATES_REVIEW)
def duplicate_queue() -> str:
    return _duplicates_page()


@bp.route("/registry/duplicates/<int:flag_id>", methods=["POST"])
@require(Permission.DUPLICATES_REVIEW)
def decide_duplicate(flag_id: int) -> Answer:
    form = DuplicateDecisionForm()
    form.validate_on_submit()

    def step() -> DuplicateFlag:
        flag = duplicates.load(flag_id, current_actor(), lock=True)
        return duplicates.decide(
            flag, outcome=form.outcome.data or "", note=form.note.data or "", actor=current_actor()
        )

    try:
        steps.run(step, name="registry.duplicate_decide", actor=current_actor())
    except NotFound:
        abort(404)
    except DomainError as error:
        if error.field in ("outcome", "note"):
            show_on_form(form, error, "note")
        else:
            flash_error(error)
        return _duplicates_page(form, failed=flag_id), 422
    flash(_("The pair of files is settled."), "success")
    return redirect(url_for("registry.duplicate_queue"))
