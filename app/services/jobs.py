"""Background jobs: a long export or import runs in a thread with its own application
context and database session and reports its progress, so the page shows a progress bar
instead of a request that hangs for minutes.

Progress is kept in memory for the process and, on PostgreSQL, also written to the job's
row (at most twice a second) so that every worker process can show it. On SQLite the
work's own transaction holds the one write lock, so progress stays in memory until the
job ends: SQLite serves one office from one process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import update

from app.database import with_retries
from app.extensions import db
from app.models.jobs import Job
from app.models.types import utcnow
from app.services.errors import DomainError

log = logging.getLogger(__name__)
_live: dict[int, tuple[int, int, str]] = {}
_lock = threading.Lock()


class Progress:
    """Called by the work as it goes: ``progress(done, total, phase)``."""

    def __init__(self, job_id: int, folder: Path) -> None:
        self.job_id = job_id
        self.folder = folder
        self._persist = db.engine.dialect.name != "sqlite"
        self._last = 0.0

    def __call__(self, done: int, total: int, phase: str = "") -> None:
        with _lock:
            _live[self.job_id] = (done, total, phase)
        now = time.monotonic()
        if self._persist and now - self._last >= 0.5:
            self._last = now
            with db.engine.begin() as connection:  # its own transaction, not the work's
                connection.execute(
                    update(Job).where(Job.id == self.job_id).values(done=done, total=total, phase=phase[:200])
                )


#: The work of a job: gets its progress reporter, returns (message, file name or None).
Work = Callable[[Progress], tuple[str, str | None]]


def folder() -> Path:
    path = Path(current_app.instance_path) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(kind: str, *, user_id: int, work: Work, run_in_thread: bool = True) -> Job:
    """Record the job and start it; the caller shows its page."""
    job = Job(kind=kind, user_id=user_id, status="running", phase="", message="")
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if run_in_thread:
        threading.Thread(target=_run, args=(app, job.id, work), daemon=True, name=f"job-{job.id}").start()
    else:
        _run(app, job.id, work)
    return job


def _run(app: Flask, job_id: int, work: Work) -> None:
    """Run the work, then record how it ended. The work commits what it saves; whatever
    it leaves open is rolled back first, so the outcome is written in a transaction of its
    own: a work that only read (on SQLite a deferred transaction) could not take the write
    lock while someone else holds it, and the job would be left "running" for ever."""
    with app.app_context():
        progress = Progress(job_id, folder())
        try:
            message, result = work(progress)
            status = "done"
        except DomainError as error:
            message, result, status = error.message, None, "failed"
        except Exception:
            log.exception("Job %s failed", job_id)
            message, result, status = (
                _("The job failed; nothing was saved. Please try again."),
                None,
                "failed",
            )
        try:
            db.session.rollback()
            with_retries(lambda: _record(job_id, status, message, result), rollback=db.session.rollback)
        except Exception:
            log.exception("Job %s ended (%s) but its outcome could not be recorded", job_id, status)
        finally:
            db.session.remove()
            with _lock:
                _live.pop(job_id, None)


def _record(job_id: int, status: str, message: str, result: str | None) -> None:
    job = db.session.get(Job, job_id)
    assert job is not None
    with _lock:
        done, total, phase = _live.get(job_id, (job.done, job.total, job.phase))
    job.status, job.message, job.result_name = status, message, result
    job.done, job.total, job.phase = (total, total, phase) if status == "done" else (done, total, phase)
    job.finished_at = utcnow()
    db.session.commit()


def state(job: Job) -> tuple[int, int, str]:
    """(done, total, phase): this process's live figures, else the row's."""
    with _lock:
        live = _live.get(job.id)
    return live if live is not None and job.status == "running" else (job.done, job.total, job.phase)


def get_own(job_id: int, user_id: int) -> Job | None:
    job = db.session.get(Job, job_id)
    return job if job is not None and job.user_id == user_id else None


def result_path(job: Job) -> Path | None:
    if not job.result_name:
        return None
    path = folder() / job.result_name
    return path if path.is_file() else None
