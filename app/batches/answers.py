"""The bank's answer file (回盘) from the batch's page, as the registry's import: upload,
a check report (rows read, paid, failed, already answered; or the refusal naming its
row — the file is refused whole), then confirm, and the answer is taken all or nothing.

Between the check and the confirmation the file waits sealed (app/services/pending_uploads.py:
it holds whole account numbers) and is deleted when confirmed. The same answer twice
changes nothing: its check says so and offers nothing to confirm."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import flash_error
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.batches import bp
from app.batches.forms import AnswerForm, ConfirmAnswerForm
from app.batches.pages import ANSWER_STATUSES, load_batch
from app.services import bank_files, batches, pending_uploads, steps
from app.services.batches.answer_file import AnswerReport, answer_file
from app.services.batches.answer_job import recorded, start_answer
from app.services.batches.queries import tally
from app.services.errors import DomainError


def _kind_of(filename: str) -> str:
    return "xlsx" if filename.lower().endswith(".xlsx") else "csv"


@bp.route("/batches/<int:batch_id>/answer", methods=["GET", "POST"])
@require(Permission.PAYMENTS_MAKE)
def answer_upload(batch_id: int) -> tuple[str, int] | str:
    batch = load_batch(batch_id)
    form = AnswerForm()
    report: AnswerReport | None = None
    refusal: DomainError | None = None
    token = None
    filename = ""
    status = 200
    if form.validate_on_submit() and form.file.data:
        upload = form.file.data
        filename = Path(upload.filename or "").name
        content = upload.read()
        try:
            report = steps.run(
                lambda: answer_file(
                    batches.load(batch_id, current_actor()),
                    filename,
                    content,
                    actor=current_actor(),
                    check_only=True,
                ),
                name="batch.answer",
                actor=current_actor(),
            )
        except DomainError as error:  # refused whole, naming the row: nothing kept
            refusal = error
            form.file.errors = [error.message]
            status = 422
        else:
            if report.paid or report.failed:
                token = pending_uploads.save(current_user.id, _kind_of(filename), content)
        del content
    elif request.method == "POST":
        form.file.errors = [_("Choose the bank's answer file.")]
        status = 422
    template = bank_files.load_templates().get(batch.template_code)
    return (
        render_template(
            "batches/answer.html",
            batch=batch,
            form=form,
            report=report,
            refusal=refusal,
            refused_row=getattr(refusal, "row", None),
            token=token,
            filename=filename,
            template=template,
            confirm_form=ConfirmAnswerForm(formdata=None, token=token),
            open_for_answer=batch.status in ANSWER_STATUSES,
        ),
        status,
    )


@bp.route("/batches/<int:batch_id>/answer/confirm", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def answer_confirm(batch_id: int) -> Response:
    batch = load_batch(batch_id)
    form = ConfirmAnswerForm()
    taken = (
        pending_uploads.take(current_user.id, form.token.data or "") if form.validate_on_submit() else None
    )
    if taken is None:
        flash(_("The upload has expired; upload the file again."), "danger")
        return redirect(url_for("batches.answer_upload", batch_id=batch.id))
    _kind, name, content = taken
    lines = tally(batch).lines
    if lines > current_app.config["BATCH_ANSWER_JOB_LINES"]:
        job = start_answer(batch.id, name, content, lines, actor=current_actor())
        return redirect(url_for("jobs.show", job_id=job.id))
    try:
        report = steps.run(
            lambda: answer_file(
                batches.load(batch_id, current_actor()), name, content, actor=current_actor()
            ),
            name="batch.answer",
            actor=current_actor(),
        )
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("batches.answer_upload", batch_id=batch.id))
    flash(recorded(report), "success")
    return redirect(url_for("batches.detail", batch_id=batch.id))
