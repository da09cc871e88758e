"""Background jobs: a long export or import runs in a thread with its own application
context and database session and reports its progress, so the page shows a progress bar
instead of a request that hangs for minutes.

Progress is kept in memory for the process and, on PostgreSQL, also written to the job's
row (at most twice a second) so that every worker process can show it. On SQLite the
work's own transaction holds the one write lock, so progress stays in memory until the
job ends: SQLite serves one office from one process.

A running job beats a heartbeat on its row. When its process dies (a restart, a crash)
the heartbeat stops, and the next look at the job, or the next ``tidy``, records it as
interrupted instead of leaving it "running" for ever. The files jobs make are deleted
``JOB_RESULT_RETENTION_HOURS`` after they finish: an audit package holds personal data
and must not pile up on the server's disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from app.database import with_retries
from app.extensions import db
from app.models.jobs import Job
from app.models.types import utcnow
from app.services import audit
from app.services.errors import DomainError

log = logging.getLogger(__name__)
_live: dict[int, tuple[int, int, str]] = {}  # progress of the jobs this process runs
_alive: set[int] = set()  # the jobs this process runs
# Guards the two above. Never touch the database while holding it (not even an expired
# attribute): a job thread holding the database's write lock waits for it, and SQLite
# would leave both waiting until the busy timeout.
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
    path = Path(current_app.config["JOBS_FOLDER"] or Path(current_app.instance_path) / "jobs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(kind: str, *, user_id: int, work: Work) -> Job:
    """Record the job and start it; the caller shows its page. The work names the files it
    writes ``f"{progress.job_id}-..."``: if it fails, they are removed."""
    tidy(actor=audit.Actor.system("jobs"))
    job = Job(kind=kind, user_id=user_id, status="running", phase="", message="", heartbeat_at=utcnow())
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id = job.id  # read before taking _lock: after the commit it is a query
    with _lock:
        _alive.add(job_id)
    threading.Thread(target=_run, args=(app, job_id, work), daemon=True, name=f"job-{job_id}").start()
    return job


def _run(app: Flask, job_id: int, work: Work) -> None:
    """Run the work, then record how it ended. The work commits what it saves; whatever
    it leaves open is rolled back first, so the outcome is written in a transaction of its
    own: a work that only read (on SQLite a deferred transaction) could not take the write
    lock while someone else holds it, and the job would be left "running" for ever."""
    with app.app_context():
        stop = threading.Event()
        heartbeat = threading.Thread(
            target=_beat,
            args=(db.engine, job_id, app.config["JOB_HEARTBEAT_SECONDS"], stop),
            daemon=True,
            name=f"job-{job_id}-heartbeat",
        )
        heartbeat.start()
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
        stop.set()
        try:
            db.session.rollback()
            if status == "failed":
                for partial in progress.folder.glob(f"{job_id}-*"):
                    partial.unlink(missing_ok=True)
            with_retries(lambda: _record(job_id, status, message, result), rollback=db.session.rollback)
        except Exception:
            log.exception("Job %s ended (%s) but its outcome could not be recorded", job_id, status)
        finally:
            db.session.remove()
            heartbeat.join(timeout=5)
            with _lock:
                _live.pop(job_id, None)
                _alive.discard(job_id)


def _beat(engine: Engine, job_id: int, every: float, stop: threading.Event) -> None:
    """Beat the job's heartbeat until it ends, each time in a transaction of its own. A beat
    that cannot be written (the database busy) is skipped: the next one will do."""
    while not stop.wait(every):
        try:
            with engine.begin() as connection:
                connection.execute(
                    update(Job).where(Job.id == job_id, Job.status == "running").values(heartbeat_at=utcnow())
                )
        except Exception:
            log.warning("Job %s: heartbeat not written", job_id, exc_info=True)


def _record(job_id: int, status: str, message: str, result: str | None) -> None:
    job = db.session.get(Job, job_id)
    assert job is not None
    stored = (job.done, job.total, job.phase)
    with _lock:
        done, total, phase = _live.get(job_id, stored)
    job.status, job.message, job.result_name = status, message, result
    job.done, job.total, job.phase = (total, total, phase) if status == "done" else (done, total, phase)
    job.finished_at = utcnow()
    db.session.commit()


@dataclass(frozen=True)
class Tidied:
    interrupted: int  # running jobs whose process had died, now recorded as interrupted
    removed: int  # files deleted at the end of their retention period


def tidy(*, actor: audit.Actor, now: datetime | None = None) -> Tidied:
    """Record dead jobs as interrupted and delete the files whose retention has ended;
    commits. Runs before each new job and from ``flask jobs tidy`` (for a daily timer)."""
    now = now or utcnow()
    interrupted = _mark_interrupted(now)
    removed = _remove_expired_results(now)
    if removed:
        audit.record("jobs.results_removed", actor=actor, details={"files": removed})
    db.session.commit()
    return Tidied(interrupted, removed)


def _mark_interrupted(now: datetime, job_id: int | None = None) -> int:
    """Running jobs that no thread of this process runs and whose heartbeat has stopped."""
    stale = now - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    with _lock:
        alive = sorted(_alive)
    where = [Job.status == "running", or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale)]
    if alive:
        where.append(Job.id.not_in(alive))
    if job_id is not None:
        where.append(Job.id == job_id)
    result = db.session.execute(
        update(Job)
        .where(*where)
        .values(
            status="failed",
            message=_(
                "The job was interrupted (the server stopped while it ran); nothing was saved. "
                "Please start it again."
            ),
            finished_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _remove_expired_results(now: datetime) -> int:
    hours = current_app.config["JOB_RESULT_RETENTION_HOURS"]
    if hours <= 0:  # keep them: the office deletes them itself
        return 0
    cutoff = now - timedelta(hours=hours)
    path = folder()
    removed = 0
    expired = db.session.scalars(
        select(Job).where(
            Job.result_name.is_not(None), Job.result_removed_at.is_(None), Job.finished_at < cutoff
        )
    ).all()
    for job in expired:
        (path / str(job.result_name)).unlink(missing_ok=True)
        job.result_removed_at = now
        removed += 1
    kept = set(
        db.session.scalars(
            select(Job.result_name).where(Job.result_name.is_not(None), Job.result_removed_at.is_(None))
        )
    )
    for stray in path.iterdir():  # left by a process that died mid-job
        if stray.is_file() and stray.name not in kept and stray.stat().st_mtime < cutoff.timestamp():
            stray.unlink(missing_ok=True)
            removed += 1
    return removed


def state(job: Job) -> tuple[int, int, str]:
    """(done, total, phase): this process's live figures, else the row's."""
    job_id, running, stored = job.id, job.status == "running", (job.done, job.total, job.phase)
    with _lock:
        live = _live.get(job_id)
    return live if live is not None and running else stored


#: What each kind of job is called on its pages.
KIND_LABELS = {
    "audit_package": _l("Audit package"),
    "registry_import": _l("Registry import"),
    "reconciliation": _l("Reconciliation"),
    "batch_answer": _l("Bank's answer to a batch"),
}


def recent_own(user_id: int, limit: int = 20) -> list[Job]:
    """The user's latest jobs, newest first (dead ones recorded as interrupted first)."""
    if _mark_interrupted(utcnow()):
        db.session.commit()
    return list(
        db.session.execute(
            select(Job).where(Job.user_id == user_id).order_by(Job.id.desc()).limit(limit)
        ).scalars()
    )


def get_own(job_id: int, user_id: int) -> Job | None:
    """The user's own job, recorded as interrupted first if its process has died."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != user_id:
        return None
    if job.status == "running" and _mark_interrupted(utcnow(), job_id):
        db.session.commit()
        db.session.refresh(job)
    return job


def result_path(job: Job) -> Path | None:
    if not job.result_name or job.result_removed_at is not None:
        return None
    path = folder() / job.result_name
    return path if path.is_file() else None
