"""Backups: taken while the app is in use, checked, restored into an empty database,
where reconciliation and the audit chain still hold."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.extensions import db
from app.services import audit, cases, reconciliation
from tests.conftest import ACTOR


@pytest.fixture
def empty_database(tmp_path, database_url, migrated):
    """An empty database of the same kind to restore into (on PostgreSQL, named after this
    worker's own, so that parallel workers and checkouts do not share it)."""
    if not database_url:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_and_restore_into_an_empty_database(app, world, tmp_path, empty_database):
    case = cases.get_case(1, ACTOR)
    cases.submit(case, actor=ACTOR)
    cases.approve(case, actor=ACTOR)
    cases.pay(case, amount="600", voucher_no="B-1", paid_on=date(2015, 5, 1), method="cash", actor=ACTOR)
    db.session.commit()
    db.session.remove()
    path = tmp_path / "backup.zip"
    created = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(path)])
    assert created.exit_code == 0, created.output
    assert "sha256" in created.output
    # It holds every household's data: readable by the service's account only.
    assert path.stat().st_mode & 0o777 == 0o600

    restored_app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database)
    with restored_app.app_context():  # the command runs in the current app context: make it this app's
        result = restored_app.test_cli_runner().invoke(args=["backup", "restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        outcome = reconciliation.reconcile(2015)
        assert outcome.ok
        hardship = next(f for f in outcome.funds if f.fund.code == "2015100001")
        assert str(hardship.balance.paid) == "600.00"
        assert audit.verify_chain() == []
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_backup_is_refused_and_changes_nothing(app, world, tmp_path):
    db.session.remove()
    path = tmp_path / "backup.zip"
    assert app.test_cli_runner().invoke(args=["backup", "create", "--out", str(path)]).exit_code == 0
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        target.writestr("manifest.json", source.read("manifest.json"))
        dump = bytearray(source.read("database.dump"))
        dump[len(dump) // 2] ^= 0xFF
        target.writestr("database.dump", bytes(dump))
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(damaged), "--yes"])
    assert result.exit_code == 1 and "checksum" in result.output
    with app.app_context():
        assert reconciliation.reconcile(2015).ok
    not_a_backup = tmp_path / "x.zip"
    not_a_backup.write_bytes(b"hello")
    assert app.test_cli_runner().invoke(args=["backup", "restore", str(not_a_backup), "--yes"]).exit_code == 1
