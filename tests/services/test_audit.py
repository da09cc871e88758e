"""The audit log: written with every change, chained, and tamper-evident."""

from __future__ import annotations

import io
import logging
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from stdnum.cn import ric

from app.extensions import db
from app.log import SafeFormatter
from app.models import AuditEntry, AuditHead
from app.models.audit import GENESIS_HASH
from app.services import audit, ledger
from app.services.audit import Actor
from app.services.scope import Scope
from tests.conftest import ACTOR

ID_NUMBER = "130702198001011234"
# Eighteen characters shaped like an ID number, standing alone: a hash or a ciphertext can hold
# eighteen digits in a row (one CI run found 574567446797532246 inside one), so a candidate that is
# part of a longer token of letters and digits is not an ID number in clear, nor one whose
# check digit is wrong.
CLEAR_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def clear_ids(text: str) -> list[str]:
    return [found for found in CLEAR_ID.findall(text) if ric.is_valid(found)]


def _bulk_chain(count: int) -> None:
    """Write a valid chain of ``count`` entries quickly (one INSERT)."""
    rows = []
    previous = GENESIS_HASH
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for seq in range(1, count + 1):
        entry = AuditEntry(
            seq=seq,
            occurred_at=start + timedelta(seconds=seq),
            actor_id=None,
            actor_name=f"worker-{seq % 7}",
            remote_addr="127.0.0.1",
            action="test.bulk",
            object_type="thing",
            object_id=str(seq),
            unit_id=None,
            details=audit.canonical_details({"n": seq}),
            prev_hash=previous,
        )
        entry.hash = audit.entry_hash(entry)
        previous = entry.hash
        rows.append({c.name: getattr(entry, c.key) for c in AuditEntry.__table__.columns if c.name != "id"})
    db.session.execute(insert(AuditEntry), rows)
    db.session.merge(AuditHead(id=1, seq=count, hash=previous))
    db.session.commit()


@pytest.fixture
def tamper(app, is_postgres):
    """Run raw SQL behind the app's back, past the append-only triggers."""

    def _run(*statements: str) -> None:
        db.session.remove()  # end the test's own transaction first
        with db.engine.begin() as connection:
            if is_postgres:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
                connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            for statement in statements:
                connection.execute(text(statement))

    return _run


def _verify(app) -> tuple[int, str]:
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_changes_are_logged_in_the_same_transaction(budget_2015):
    actions = db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert actions == ["unit.create", "ledger.allocation", "ledger.allocation", "budget.load"]
    fund = budget_2015.funds[0]
    ledger.commit(fund, "100.00", actor=ACTOR)
    db.session.rollback()  # the change is undone: so is its audit entry
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 4
    ledger.commit(
        fund, "100.00", actor=Actor(user_id=None, name="li", remote_addr="10.0.0.8", scope=Scope.everywhere())
    )
    db.session.commit()
    last = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert (last.seq, last.action, last.actor_name, last.remote_addr) == (
        5,
        "ledger.commitment",
        "li",
        "10.0.0.8",
    )
    assert '"amount":"100.00"' in last.details
    assert audit.verify_chain() == []


def test_id_numbers_are_masked_in_the_audit_details(ctx):
    entry = audit.record(
        "test.reveal", actor=ACTOR, details={"new": {"id_number": ID_NUMBER, "note": f"证件 {ID_NUMBER}"}}
    )
    db.session.commit()
    assert ID_NUMBER not in entry.details
    assert "1307**********1234" in entry.details


def test_verify_passes_on_an_intact_chain(app, ctx):
    _bulk_chain(500)
    code, output = _verify(app)
    assert code == 0, output
    assert "500" in output


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        # Change one row's content.
        (["UPDATE audit_log SET details = 'changed' WHERE seq = 5000"], "#5000"),
        # Change who did it.
        (["UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 1"], "#1"),
        # Delete a row: the next entry finds the gap.
        (["DELETE FROM audit_log WHERE seq = 7000"], "#7000"),
        # Reorder two rows by swapping their numbers.
        (
            [
                "UPDATE audit_log SET seq = -1 WHERE seq = 3000",
                "UPDATE audit_log SET seq = 3000 WHERE seq = 3001",
                "UPDATE audit_log SET seq = 3001 WHERE seq = -1",
            ],
            "#3000",
        ),
        # Drop the newest row: the head no longer matches.
        (["DELETE FROM audit_log WHERE seq = 10000"], "#10000"),
    ],
    ids=["content", "actor", "delete", "reorder", "truncate"],
)
def test_any_single_tampered_row_of_ten_thousand_is_named(app, ctx, tamper, statements, named):
    _bulk_chain(10_000)
    assert _verify(app)[0] == 0
    tamper(*statements)
    code, output = _verify(app)
    assert code == 1
    first_line = output.strip().splitlines()[0]
    assert named in first_line, output


def test_twenty_concurrent_writers_leave_one_unbroken_chain(app, budget_2015):
    db.session.remove()
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for i in range(5):
                    audit.record("test.concurrent", actor=Actor.system(f"w{n}"), details={"i": i})
                    db.session.commit()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        seqs = db.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all()
        assert seqs == list(range(1, 4 + 100 + 1))  # the budget load wrote 4
        assert audit.verify_chain() == []


@pytest.mark.parametrize("table", ["audit_log", "ledger_transfers"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_update_and_delete(budget_2015, table, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement.format(table=table)))
    db.session.rollback()


def _dump(is_postgres: bool) -> str:
    if not is_postgres:
        raw = db.engine.raw_connection()
        try:
            return "\n".join(raw.driver_connection.iterdump())
        finally:
            raw.close()
    tables = (
        db.session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        .scalars()
        .all()
    )
    return "\n".join(
        str(row) for table in tables for row in db.session.execute(text(f'SELECT t::text FROM "{table}" t'))
    )


def test_no_id_number_in_clear_in_the_database_or_the_log(app, client, auth, budget_2015, is_postgres):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    try:
        audit.record("test.note", actor=ACTOR, details={"id_number": ID_NUMBER})
        db.session.commit()
        auth.login("auditor")
        client.get(f"/audit/?actor={ID_NUMBER}")
        app.logger.warning("searched for %s", ID_NUMBER)
    finally:
        logging.getLogger().removeHandler(handler)
    log = stream.getvalue()
    assert "1307**********1234" in log
    assert clear_ids(log) == []
    dump = _dump(is_postgres)
    assert ID_NUMBER not in dump
    assert clear_ids(dump) == []


def test_log_lines_cannot_be_forged_with_newlines():
    formatter = SafeFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "user %s", ("bob\nINFO admin logged in\r",), None
    )
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line
    assert line == "INFO user bob\\nINFO admin logged in\\r"
