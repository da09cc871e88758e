"""A rate-limit store in the application's own database (``RATELIMIT_STORAGE_URI=database://``).

Flask-Limiter's default store is each process's memory: with four server processes a limit of
20 a minute lets 80 through. This store keeps each window's count in one row that every
process updates with a single atomic statement (an upsert that returns the new count), so the
limit holds across processes and servers without another service. Where the deployment has
Redis, ``redis://...`` is the faster choice; the limits are the same.

On PostgreSQL each call runs in a transaction of its own on its own connection, so a counted
hit stays counted whatever becomes of the request's transaction and no request waits on
another's. SQLite has one writer at a time and every transaction here takes the write lock
(app/database.py), so there the count is part of the request's own transaction: a second
connection would wait on the first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models.security import RateLimitCounter

TABLE = RateLimitCounter.__table__


def _engine() -> Engine:
    return db.engine  # the app context's engine: the store is used inside requests


@contextmanager
def _transaction() -> Iterator[Connection]:
    """A connection to count on: its own transaction on PostgreSQL, the request's on SQLite."""
    engine = _engine()
    if engine.dialect.name == "sqlite":
        yield db.session.connection()
        db.session.commit()
        return
    with engine.begin() as connection:
        yield connection


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table."""

    STORAGE_SCHEME = ["database"]  # noqa: RUF012 (the limits library's registry reads a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
        statement = insert(TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": case((expired, amount), else_=TABLE.c.hits + amount),
                "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)
        with _transaction() as connection:
            return int(connection.execute(statement).scalar_one())

    def _row(self, key: str) -> tuple[int, float] | None:
        with _transaction() as connection:
            row = connection.execute(
                select(TABLE.c.hits, TABLE.c.expires_at).where(TABLE.c.key == key)
            ).one_or_none()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.hits), float(row.expires_at)

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _transaction() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with _transaction() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key))


def sweep(now: float | None = None) -> int:
    """Delete the windows that have ended (the nightly job or ``flask`` housekeeping calls it)."""
    with _transaction() as connection:
        return connection.execute(delete(TABLE).where(TABLE.c.expires_at <= (now or time.time()))).rowcount
