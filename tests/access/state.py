"""What "nothing changed" means, and putting the world back after a call that changed it.

A fingerprint is a hash of every row of every table (in primary-key order), so a refused
request that updated a single column is caught, not only one that added a row. One column
is left out by design: ``api_tokens.last_used_at``, which every authenticated API request
records, refused or not (app/api/support.py commits it before the permission check).
Beside the tables, the fund balances (``ledger.fund_balances``) and the audit chain's head
(``audit.chain_head``) are compared as such, so a failure names them.

After a call that changed the world (a successful step, an export that audits itself) the
world is put back from its snapshot: on SQLite with the backup API from a copy of the file;
on PostgreSQL the tables that differ are emptied and refilled from the snapshot's rows in
one transaction (as a superuser with ``session_replication_role = replica``, so neither the
append-only triggers of the ledger and the audit log nor the foreign keys fire; otherwise
every table is truncated and refilled), and their sequences are set back.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import Table, select, text

from app.extensions import db
from app.services import audit, ledger

#: Columns that change on every request by design (see the module docstring).
VOLATILE = {("api_tokens", "last_used_at")}


@dataclass(frozen=True)
class Observed:
    """What the matrix compares before and after a request."""

    tables: dict[str, str]  # table -> hash of its rows
    balances: tuple[tuple[str, int, str, str, str, str], ...]  # per fund: code, unit, the four figures
    head: tuple[int, str]  # the audit chain's head: seq and hash

    def changed_tables(self, other: Observed) -> list[str]:
        return sorted(name for name in self.tables if self.tables[name] != other.tables[name])

    def changes(self, other: Observed) -> list[str]:
        """Human-readable differences from ``other`` (empty when nothing changed)."""
        found = [f"table {name}" for name in self.changed_tables(other)]
        if self.balances != other.balances:
            moved = sorted(set(self.balances) - set(other.balances))
            found.append(f"fund balances now {moved}")
        if self.head != other.head:
            found.append(f"audit head {other.head[0]} -> {self.head[0]}")
        return found


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _order(table: Table) -> list:
    return list(table.primary_key.columns) or list(table.columns)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fingerprint_sql(dialect: str) -> list[tuple[str, str]]:
    """SQLite: one plain SELECT per table, hashed here. PostgreSQL: one statement that
    hashes every table on the server (one round trip instead of one per table)."""
    if dialect == "postgresql":
        parts = []
        for table in _tables():
            columns = ", ".join(
                f"t.{_quoted(c.name)}" for c in table.columns if (table.name, c.name) not in VOLATILE
            )
            order = ", ".join(f"t.{_quoted(c.name)}" for c in _order(table))
            parts.append(
                f"SELECT '{table.name}', md5(coalesce(string_agg(ROW({columns})::text, '|' "
                f"ORDER BY {order}), '')) FROM {_quoted(table.name)} t"
            )
        return [("*", " UNION ALL ".join(parts))]
    queries = []
    for table in _tables():
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
        query = select(*columns).order_by(*_order(table))
        queries.append((table.name, str(query.compile(db.engine))))
    return queries


def observe(app: Flask, year: int) -> Observed:
    with app.app_context():
        cache = app.extensions.setdefault("matrix_observed", {})
        if "sql" not in cache:
            cache["sql"] = _fingerprint_sql(db.engine.dialect.name)
        hashes: dict[str, str] = {}
        with db.engine.connect() as connection:
            cursor = connection.connection.cursor()  # plain tuples: hashing Row objects is slow
            for name, sql in cache["sql"]:
                cursor.execute(sql)
                if name == "*":
                    hashes.update({table: digest for table, digest in cursor.fetchall()})
                else:
                    hashes[name] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
            cursor.close()
            connection.rollback()
        # The balances follow from the funds and their accounts, the head from its row: ask
        # the services again only when those rows changed.
        money = ("balances", hashes["funds"], hashes["ledger_accounts"])
        if money not in cache:
            cache[money] = tuple(
                (b.fund.code, b.fund.unit_id, str(b.budget), str(b.committed), str(b.paid), str(b.available))
                for b in ledger.fund_balances(year)
            )
        chain = ("head", hashes["audit_head"])
        if chain not in cache:
            seq, digest = audit.chain_head()
            cache[chain] = (int(seq), str(digest))
        db.session.remove()
    return Observed(tables=hashes, balances=cache[money], head=cache[chain])


def wait_for_jobs(timeout: float = 60) -> None:
    """Wait until no background job of this process is running (they write after the
    response: a restore or a fingerprint in the middle of one would be wrong)."""
    from app.services import jobs

    deadline = time.monotonic() + timeout
    while True:
        with jobs._lock:
            running = bool(jobs._alive)
        if not running:
            break
        assert time.monotonic() < deadline, "a background job did not end"
        time.sleep(0.01)
    for thread in threading.enumerate():  # the job threads themselves, after their last write
        if thread.name.startswith("job-"):
            thread.join(timeout=max(deadline - time.monotonic(), 0.1))


class Snapshot:
    """The world as built; :meth:`restore` puts it back."""

    def __init__(self, app: Flask, url: str, folder: Path) -> None:
        self.app = app
        self.sqlite = url.startswith("sqlite")
        self.path = url.removeprefix("sqlite:///")
        self.copy = folder / "world.sqlite3"
        self.rows: dict[str, list[dict]] = {}
        self.replica = False  # may this connection switch triggers and foreign keys off?
        self.restores = 0

    def take(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
            if self.sqlite:
                self._backup(self.path, str(self.copy))
                return
            with db.engine.connect() as connection:
                for table in _tables():
                    result = connection.execute(select(table).order_by(*_order(table)))
                    self.rows[table.name] = [dict(row._mapping) for row in result]
                superuser = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                self.replica = bool(connection.execute(text(superuser)).scalar())
                connection.rollback()

    def restore(self, tables: list[str]) -> None:
        """Put back the world; ``tables``: those that differ from the snapshot."""
        self.restores += 1
        with self.app.app_context():
            db.session.remove()
            if self.sqlite:
                db.engine.dispose()
                self._backup(str(self.copy), self.path)
                return
            every = _tables()
            chosen = [t for t in every if t.name in tables] if self.replica else every
            with db.engine.begin() as connection:
                if self.replica:
                    connection.execute(text("SET LOCAL session_replication_role = replica"))
                    for table in reversed(chosen):
                        connection.execute(table.delete())
                else:
                    names = ", ".join(_quoted(t.name) for t in every)
                    connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                for table in chosen:
                    if self.rows[table.name]:
                        connection.execute(table.insert(), self.rows[table.name])
                for table in chosen:
                    if "id" in table.columns and table.columns["id"].autoincrement is not False:
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{_quoted(table.name)}', 'id'), "
                                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {_quoted(table.name)}"
                            )
                        )

    @staticmethod
    def _backup(source: str, target: str) -> None:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        dst.execute("PRAGMA synchronous=OFF")  # a throwaway file (see tests/access/conftest.py)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
