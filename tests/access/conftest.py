"""Fixtures of the access matrix: the world of tests/access/world.py, built once per module
on a database of its own, with a signed-in page client and an API token for every caller."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from app import create_app
from app.extensions import db
from tests.access import world as world_module
from tests.access.state import Observed, Snapshot, observe, wait_for_jobs
from tests.access.world import PASSWORD, YEAR, World, callers, username

#: Tables a call may leave changed without the world being put back: an export or a
#: reveal audits itself, a report run is stored, a job is recorded; nothing the matrix
#: asks about later depends on them (a refusal is still compared with the state before it).
DRIFT = frozenset({"audit_log", "audit_head", "jobs", "reconciliation_runs"})


class Matrix:
    """The built world, its callers, and the state to compare against."""

    def __init__(self, app: Flask, world: World, snapshot: Snapshot) -> None:
        self.app = app
        self.world = world
        self.snapshot = snapshot
        self.clients: dict[str, FlaskClient] = {}
        self.pristine: Observed | None = None  # the world as built
        self.baseline: Observed | None = None  # the world now (pristine, or drifted)

    def login(self, caller: str) -> FlaskClient:
        client = self.app.test_client()
        if caller != "anonymous":
            response = client.post("/login", data={"username": username(caller), "password": PASSWORD})
            assert response.status_code == 302, (caller, response.status_code)
            assert response.headers["Location"] == "/", (caller, response.headers["Location"])
        return client

    def observe(self) -> Observed:
        wait_for_jobs()
        return observe(self.app, YEAR)

    def put_back(self, seen: Observed | None = None) -> None:
        """Restore the world if the last call changed it (``seen``: the state after it)."""
        seen = seen or self.observe()
        assert self.pristine is not None and self.baseline is not None
        if seen == self.baseline:
            return
        if set(seen.changed_tables(self.baseline)) <= DRIFT and seen.balances == self.baseline.balances:
            self.baseline = seen
            return
        self.snapshot.restore(seen.changed_tables(self.pristine))
        restored = self.observe()
        assert restored == self.pristine, f"the world was not put back: {restored.changes(self.pristine)}"
        self.baseline = self.pristine


def _database(migrated: str, database_url: str | None, folder: Path) -> str:
    if database_url:
        engine = create_engine(migrated)
        with engine.begin() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{name}"' for name in tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated
    copy = folder / "matrix.sqlite3"
    shutil.copyfile(migrated, copy)
    return f"sqlite:///{copy}"


def _no_fsync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(scope="module")
def matrix(
    migrated: str, database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    folder = tmp_path_factory.mktemp("matrix")
    url = _database(migrated, database_url, folder)
    jobs_folder = folder / "jobs"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        JOBS_FOLDER=str(jobs_folder),
        ATTACHMENTS_FOLDER=str(folder / "attachments"),
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A throwaway file: no need to wait for the disk at each of the ~2,000 commits.
            event.listen(db.engine, "connect", _no_fsync)
        built = world_module.build(jobs_folder)
        db.session.remove()
    matrix = Matrix(app, built, Snapshot(app, url, folder))
    for caller in callers():
        matrix.clients[caller] = matrix.login(caller)
    matrix.snapshot.take()
    matrix.pristine = matrix.baseline = matrix.observe()
    yield matrix
    wait_for_jobs()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
