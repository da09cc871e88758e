"""Database engine behaviour that the models and services rely on.

SQLite: WAL journal, foreign keys on, a busy timeout, and every transaction opened
with ``BEGIN IMMEDIATE`` so that two writers never interleave a read-check-write
sequence (the second one waits for the first to commit, then sees its result).
PostgreSQL: services take row locks (``SELECT ... FOR UPDATE``) instead.

A step that the database refuses because it could not serialise it (SQLSTATE 40001)
or chose it as a deadlock victim (40P01) is rolled back and run again, at most three
more times (:func:`with_retries`); a lost connection is not retried but answered with
a "please retry" page (app/errors.py), and the pool's pre-ping replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
#: serialization_failure, deadlock_detected: the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MAX_RETRIES = 3


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def with_retries(step: Callable[[], T], *, rollback: Callable[[], None], retries: int = MAX_RETRIES) -> T:
    """Run ``step`` (which commits); when the database refuses it with a serialization
    failure or a deadlock, roll back and run it again, at most ``retries`` more times."""
    for attempt in range(retries + 1):
        try:
            return step()
        except DBAPIError as error:
            rollback()
            if attempt == retries or not is_retryable(error):
                raise
            time.sleep(0.02 * 2**attempt)  # back off a little: the other transaction finishes
    raise AssertionError("unreachable")  # pragma: no cover


def configure_sqlite(engine: Engine, busy_timeout_seconds: int) -> None:
    """Install the connection and transaction hooks for a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds) * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A long read (an export, the checking of an upload) asks for a deferred
        # transaction (see read_only): WAL lets it read while others write.
        deferred = connection.get_execution_options().get("sqlite_begin") == "DEFERRED"
        connection.exec_driver_sql("BEGIN DEFERRED" if deferred else "BEGIN IMMEDIATE")


def read_only(session: Any) -> None:
    """Start ``session``'s next transaction as a reader: on SQLite it then takes no write
    lock, so a long export or check does not hold up everyone else's requests. It must
    not write (on PostgreSQL this changes nothing)."""
    actual = session() if hasattr(session, "registry") else session  # a scoped_session's own
    if actual.get_transaction() is None:
        actual.connection(execution_options={"sqlite_begin": "DEFERRED"})


def create_append_only_guard(op: Any, table: str) -> None:
    """Migration helper: refuse UPDATE and DELETE on ``table`` at the database itself.

    Used by migrations; keep its behaviour stable, as old migrations call it.
    """
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def drop_append_only_guard(op: Any, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
