"""Counters that several server processes share (rate limits), kept in the database."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RateLimitCounter(db.Model):
    """One rate-limit window: how many hits ``key`` has had until ``expires_at`` (epoch seconds)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)
