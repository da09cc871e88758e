"""The bank's answer file of a large batch taken as a background job (app/services/jobs.py),
as the registry's import is: the request hands the checked bytes over and shows the job's
progress page; the job takes the answer all or nothing in one step
(:func:`app.services.steps.run`: one commit, a refusal rolled back and recorded). The
bytes are held in memory only, so a job killed midway leaves nothing behind."""

from __future__ import annotations

from flask_babel import gettext as _

from app.models.jobs import Job
from app.services import jobs, pending_uploads, steps
from app.services.audit import Actor
from app.services.batches.answer_file import AnswerReport, answer_file
from app.services.batches.states import load


def recorded(report: AnswerReport) -> str:
    """What taking the answer did, in words."""
    return _(
        "The bank's answer to batch %(no)s is recorded: %(paid)s lines paid, %(failed)s failed.",
        no=report.batch_no,
        paid=report.paid,
        failed=report.failed,
    )


def start_answer(batch_id: int, filename: str, content: bytes, lines: int, *, actor: Actor) -> Job:
    """Take the bank's answer file for the batch as a job of the actor's; its page follows."""
    pending_uploads.sweep()
    held = [content]

    def work(progress: jobs.Progress) -> tuple[str, None]:
        progress(0, lines, _("Recording the bank's answer for %(n)s lines", n=lines))
        try:
            report = steps.run(
                lambda: answer_file(load(batch_id, actor), filename, held[0], actor=actor),
                name="batch.answer",
                actor=actor,
            )
        finally:
            held.clear()
        progress(lines, lines, "")
        return recorded(report), None

    return jobs.start("batch_answer", user_id=actor.user_id, work=work)  # type: ignore[arg-type]
