"""Security records: rate-limit counters every server process shares, and the hashes of
each user's earlier passwords (the last five are refused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class RateLimitCounter(db.Model):
    """One rate-limit window: how many hits ``key`` has had until ``expires_at`` (epoch seconds)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class PasswordHistory(db.Model):
    """An earlier password of a user, as its Argon2 hash: a new one may not repeat it."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
