"""A batch's page (header, tally, its lines 100 to a page, the bank's reason on a failed
line) and its steps: approve (another person than who prepared it), cancel a draft, and
download the bank file (audited by the service; the first download sends the batch). Each
step asks for confirmation first (app/confirm.py) and runs as one service step; another
unit's batch is 404 and changes nothing."""

from __future__ import annotations

import io

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import confirm
from app.actions import flash_error, perform
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.batches import bp
from app.batches.forms import AnswerForm, FileForm, StepForm
from app.confirm import Confirmation, Fact, money
from app.models.batches import PaymentBatch
from app.params import db_int
from app.services import bank_files, batches, steps
from app.services import users as user_service
from app.services.batches import queries
from app.services.errors import DomainError, NotFound

#: The states in which the bank file can be downloaded.
FILE_STATUSES = ("approved", "sent", "answered", "done")
#: The states in which the bank's answer can be uploaded.
ANSWER_STATUSES = ("sent", "answered")


def load_batch(batch_id: int) -> PaymentBatch:
    """The batch within the signed-in person's units; another unit's is 404."""
    try:
        return batches.load(batch_id, current_actor())
    except NotFound:
        abort(404)


def _facts(batch: PaymentBatch, tally: queries.Tally) -> tuple[Fact, ...]:
    return (
        Fact(_("Batch number"), batch.batch_no),
        Fact(_("Fund"), f"{batch.fund.year} {batch.fund.code} {batch.fund.name}"),
        Fact(_("Lines"), str(tally.lines)),
        money(_("Total"), tally.total),
    )


def approval(batch: PaymentBatch, tally: queries.Tally) -> Confirmation:
    return Confirmation(
        title=_("Confirm approving the batch"),
        lead=_(
            "Approved, the batch's file can be downloaded for the bank; its first download sends"
            " the batch and the money is then at the bank until the bank answers."
        ),
        facts=_facts(batch, tally),
        button=_("Approve the batch"),
    )


def cancelling(batch: PaymentBatch, tally: queries.Tally) -> Confirmation:
    return Confirmation(
        title=_("Confirm cancelling the batch"),
        lead=_("The batch is cancelled and its cases are free for another batch; this cannot be undone."),
        facts=_facts(batch, tally),
        button=_("Cancel the batch"),
    )


def download(batch: PaymentBatch, tally: queries.Tally) -> Confirmation:
    lead = _(
        "The file holds every payee's whole bank account number: hand it only to the bank and"
        " delete it once sent. The download is recorded in the audit log."
    )
    if batch.status == "approved":
        lead += " " + _(
            "This first download sends the batch: its money is at the bank until the bank answers."
        )
    return Confirmation(
        title=_("Confirm downloading the bank file"),
        lead=lead,
        facts=(
            *_facts(batch, tally),
            Fact(_("Bank file layout"), bank_files.template(batch.template_code).name),
            confirm.typed(_("File format"), "format", choices={"xlsx": "XLSX", "csv": "CSV"}),
        ),
        button=_("Download the bank file"),
        danger=batch.status == "approved",
    )


@bp.route("/batches/<int:batch_id>")
@require(Permission.BATCHES_VIEW)
def detail(batch_id: int) -> str:
    batch = load_batch(batch_id)
    tally = queries.tally(batch)
    lines = queries.lines_page(batch, request.args.get("page", default=1, type=db_int) or 1)
    people = user_service.display_names({batch.created_by_id, batch.approved_by_id})
    return render_template(
        "batches/detail.html",
        batch=batch,
        tally=tally,
        lines=lines,
        people=people,
        template=bank_files.load_templates().get(batch.template_code),
        step_form=StepForm(formdata=None),
        file_form=FileForm(formdata=None),
        answer_form=AnswerForm(formdata=None),
        file_statuses=FILE_STATUSES,
        answer_statuses=ANSWER_STATUSES,
        confirm={
            "approve": confirm.attributes(approval(batch, tally)),
            "cancel": confirm.attributes(cancelling(batch, tally)),
            "file": confirm.attributes(download(batch, tally)) if batch.status in FILE_STATUSES else "",
        },
    )


def _act(batch: PaymentBatch, confirmation: Confirmation, step, message: str, name: str) -> str | Response:  # type: ignore[no-untyped-def]
    StepForm().validate_on_submit()
    if confirm.needed():
        return confirm.page(confirmation, back=url_for("batches.detail", batch_id=batch.id))
    perform(step, message, unit_id=batch.unit_id, object_type="payment_batch", object_id=batch.id, name=name)
    return redirect(url_for("batches.detail", batch_id=batch.id))


@bp.route("/batches/<int:batch_id>/approve", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def approve(batch_id: int) -> str | Response:
    batch = load_batch(batch_id)
    return _act(
        batch,
        approval(batch, queries.tally(batch)),
        lambda: batches.approve(batch, actor=current_actor()),
        _("The batch is approved: download its file for the bank."),
        "batch.approve",
    )


@bp.route("/batches/<int:batch_id>/cancel", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def cancel(batch_id: int) -> str | Response:
    batch = load_batch(batch_id)
    return _act(
        batch,
        cancelling(batch, queries.tally(batch)),
        lambda: batches.cancel(batch, actor=current_actor()),
        _("The batch is cancelled; its cases are free for another batch."),
        "batch.cancel",
    )


@bp.route("/batches/<int:batch_id>/file", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def bank_file(batch_id: int) -> str | Response:
    """The bank file, made for this download and never kept (no-store)."""
    batch = load_batch(batch_id)
    form = FileForm()
    form.validate_on_submit()
    if confirm.needed():
        return confirm.page(
            download(batch, queries.tally(batch)), back=url_for("batches.detail", batch_id=batch.id)
        )
    fmt = form.format.data if form.format.data in bank_files.MIMETYPES else "xlsx"
    try:
        data, filename, mimetype = steps.run(
            lambda: batches.bank_file(batches.load(batch_id, current_actor()), fmt, actor=current_actor()),
            name="batch.file",
            actor=current_actor(),
        )
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("batches.detail", batch_id=batch.id))
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
