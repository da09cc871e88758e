"""The page of a background job (owner only): a progress bar that refreshes itself
(a meta refresh: no script needed), then the result or the reason it failed."""

from __future__ import annotations

from flask import abort, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.permissions import Permission, require
from app.jobs import bp
from app.services import jobs


def _own(job_id: int):  # type: ignore[no-untyped-def]
    job = jobs.get_own(job_id, current_user.id)
    if job is None:
        abort(404)
    return job


@bp.route("/")
@require(Permission.ACCOUNT_SELF)
def index() -> str:
    """My jobs: where to come back to an export or import left running."""
    return render_template("jobs/index.html", jobs=jobs.recent_own(current_user.id))


#: Where the result of a job of each kind is read, when it is not a file.
RESULT_PAGES = {"reconciliation": "reports.reconciliation_page", "batch_answer": "batches.index"}


@bp.route("/<int:job_id>")
@require(Permission.ACCOUNT_SELF)
def show(job_id: int) -> str:
    job = _own(job_id)
    done, total, phase = jobs.state(job)
    percent = int(done * 100 / total) if total else (100 if job.status == "done" else 0)
    result_page = url_for(RESULT_PAGES[job.kind]) if job.kind in RESULT_PAGES else None
    return render_template(
        "jobs/show.html",
        job=job,
        done=done,
        total=total,
        phase=phase,
        percent=percent,
        result_page=result_page,
    )


@bp.route("/<int:job_id>/download")
@require(Permission.ACCOUNT_SELF)
def download(job_id: int) -> Response:
    job = _own(job_id)
    path = jobs.result_path(job)
    if job.status != "done" or path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name.split("-", 1)[-1])
