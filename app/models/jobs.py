"""Background jobs: long exports and imports, with their progress."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

JOB_STATUSES = ("running", "done", "failed")
JOB_STATUS_LABELS = {"running": _l("Running"), "done": _l("Done"), "failed": _l("Failed")}


class Job(db.Model):
    """A long task a user started: what it is, how far it got, and its result."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # audit_package | registry_import
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    phase: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")  # the result or the failure, in words
    result_name: Mapped[str | None] = mapped_column(String(200))  # file to download, if any
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Beaten while the job runs (on PostgreSQL, where several processes share the jobs):
    # a running job whose heartbeat has stopped was interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its file was deleted at the end of the retention period.
    result_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
