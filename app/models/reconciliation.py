"""Stored reconciliation runs: where a year's ledger is too long to recompute on every
request, the page shows the latest run, made in the background or by the nightly
``flask reconcile``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ReconciliationRun(db.Model):
    """One run of every reconciliation check over a year's funds (in one scope of units)."""

    __tablename__ = "reconciliation_runs"
    __table_args__ = (Index("ix_reconciliation_runs_year_scope", "year", "scope", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    scope: Mapped[str] = mapped_column(String(2000))  # "all", or the unit ids "1,2,3"
    ok: Mapped[bool] = mapped_column()
    entries: Mapped[int] = mapped_column()  # ledger entries of the scope when it ran
    report: Mapped[str] = mapped_column(Text)  # JSON: reconciliation.report_of
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(64))
