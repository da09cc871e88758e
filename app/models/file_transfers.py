"""One registry across the union tree: a household's file moved from one unit to another
(调转, asked by the unit that holds it and accepted by the unit it goes to), and the review
queue of files that share a person (查重: two active files in which the same ID number is
head or member), kept for the units' common parent to settle."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.registry import Worker
from app.models.types import UTCDateTime, utcnow

TRANSFER_STATUSES = {
    "requested": _l("Transfer asked for, waiting for the receiving unit"),
    "accepted": _l("Transfer accepted: the file is with the receiving unit"),
    "declined": _l("Transfer declined by the receiving unit"),
    "withdrawn": _l("Transfer withdrawn by the sending unit"),
}
DUPLICATE_STATUSES = {
    "open": _l("Waiting for a decision"),
    "distinct": _l("Not a double registration"),
    "double": _l("Double registration: one file to be closed"),
}


class FileTransfer(db.Model):
    """调转: a file's move from the unit holding it to another unit, with its history."""

    __tablename__ = "file_transfers"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'accepted', 'declined', 'withdrawn')", name="status"),
        CheckConstraint("from_unit_id <> to_unit_id", name="two_units"),
        # One transfer of a file is under way at a time, whatever races.
        Index(
            "uq_file_transfers_pending",
            "worker_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)

    worker: Mapped[Worker] = relationship()
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])


class DuplicateFlag(db.Model):
    """查重: two active files that share a person, for the common parent of their units.
    ``worker_low_id`` < ``worker_high_id``: a pair is flagged once."""

    __tablename__ = "duplicate_flags"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'distinct', 'double')", name="status"),
        CheckConstraint("worker_low_id < worker_high_id", name="ordered_pair"),
        UniqueConstraint("worker_low_id", "worker_high_id", name="uq_duplicate_flags_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_low_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    worker_high_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    #: The lowest unit whose subtree holds both files: whose people review the pair.
    parent_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)

    low: Mapped[Worker] = relationship(foreign_keys=[worker_low_id])
    high: Mapped[Worker] = relationship(foreign_keys=[worker_high_id])
