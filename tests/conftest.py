"""Fixtures: an app on a clean, migrated database for every test.

The suite runs in parallel workers (pytest-xdist); each worker has databases of its own.

SQLite (the default): the schema is migrated once per worker into a template file, which
each test gets a fresh copy of.

PostgreSQL (``--database-url``, e.g. ``.../test``): the URL names the server and a base
name; that database itself is never touched. The schema is migrated once into a template
database ``<base>_tpl_<hash>``, the hash taken over the migrations (and the app modules
they import), so it is built again only when they change; it is built under an advisory
lock, so that of the workers (and of other checkouts using the same server) one builds it
and the others wait. Each worker then gets ``<base>_<checkout>_<worker>``, created from
the template (``CREATE DATABASE ... TEMPLATE``) and dropped at the end; the checkout part
keeps two checkouts running their suites on one server apart. Every table of the worker's
database is emptied before each test.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.models.users import User
from app.services import budgets
from app.services import users as user_service
from app.services.audit import Actor
from config import TestingConfig, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
BUDGET_FILE = ROOT / "data" / "budget-711002-2015.json"
PASSWORD = "Kunnan-Bangfu-2015"
#: The actor of changes a test makes directly through the services.
ACTOR = Actor.system("test")
#: What the migrated schema is made from: the migrations and the app modules they import.
SCHEMA_SOURCES = (ROOT / "migrations", ROOT / "app" / "database.py", ROOT / "app" / "models" / "types.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-url",
        default=None,
        help="Run the suite on this PostgreSQL server: databases named after this one are "
        "created beside it for the template and each worker; it is not touched itself.",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files of slow tests first, then the files with most tests; each file's own order kept.

    With ``--dist loadfile`` each file runs on one worker, taken in this order as workers
    free up: a long file taken last would leave the other workers idle at the end.
    """
    tests_in = Counter(item.path for item in items)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.path not in slow, -tests_in[item.path], str(item.path)))


@contextmanager
def logging_kept() -> Iterator[None]:
    """Run migrations without them changing logging for the tests that follow.

    migrations/env.py calls ``logging.config.fileConfig``, which disables every logger
    that exists already (the app's among them) and replaces the root logger's handlers
    and level: a test on the same worker after a migration then logged nothing.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    disabled = {lg: lg.disabled for lg in loggers}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
        for lg, was in disabled.items():
            lg.disabled = was


def _worker() -> str:
    """This process's pytest-xdist worker id (gw0, gw1, ...); ``main`` when run serially."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _schema_hash() -> str:
    digest = hashlib.sha256()
    for source in SCHEMA_SOURCES:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _lock_key(name: str) -> int:
    """The advisory-lock key that stands for the database ``name`` (a signed 64-bit int)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _exists(admin: Connection, name: str) -> bool:
    found = admin.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
    return found.first() is not None


class PostgresDatabases:
    """The template and this worker's database on the server of ``base_url``.

    Advisory locks are taken on connections to the server's ``postgres`` database (their
    keys are per database, so everyone must take them there).
    """

    def __init__(self, base_url: str, worker: str) -> None:
        self.url = make_url(base_url)
        base = self.url.database
        if not base or len(base) > 30:
            raise pytest.UsageError(f"--database-url: name a database of 1 to 30 characters, not {base!r}")
        checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
        self.template = f"{base}_tpl_{_schema_hash()}"
        self.name = f"{base}_{checkout}_{worker}"
        self.tag = f"bangfutong test template of {ROOT}"
        self.admin = create_engine(
            self.url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        # Held for the whole session: this worker's database is in use.
        self.holder = self.admin.connect()

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        """Claim, and create afresh from the template, this worker's database; its URL."""
        claimed = self.holder.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _lock_key(self.name)}
        ).scalar_one()
        if not claimed:
            self.holder.close()
            self.admin.dispose()
            raise pytest.UsageError(f"database {self.name} is in use by another test run of this checkout")
        with self.admin.connect() as admin:
            admin.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(self.template)})
            try:
                if not _exists(admin, self.template):
                    self._build_template(admin)
                admin.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
                admin.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))
            finally:
                admin.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(self.template)})
        return self.url_of(self.name)

    def _build_template(self, admin: Connection) -> None:
        """Migrate an empty database into the template (under the template's lock).

        It is built under another name and renamed when complete, so a build that was
        killed halfway is never taken for a template; connections to it are then
        refused, as ``CREATE DATABASE ... TEMPLATE`` would fail while anyone is connected.
        """
        building = f"{self.template}_build"
        admin.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
        admin.execute(text(f'CREATE DATABASE "{building}"'))
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=self.url_of(building))
        with app.app_context(), logging_kept():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        admin.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{self.template}"'))
        admin.execute(text(f'ALTER DATABASE "{self.template}" WITH ALLOW_CONNECTIONS false'))
        tag = self.tag.replace("'", "''")
        admin.execute(text(f"COMMENT ON DATABASE \"{self.template}\" IS '{tag}'"))
        self._drop_older_templates(admin)

    def _drop_older_templates(self, admin: Connection) -> None:
        """Drop the templates this checkout built from older migrations, so they do not
        pile up; one whose lock is held (another run is cloning it) is left for later."""
        older = admin.execute(
            text(
                "SELECT datname FROM pg_database WHERE datname <> :template "
                "AND shobj_description(oid, 'pg_database') = :tag"
            ),
            {"template": self.template, "tag": self.tag},
        ).scalars()
        for name in list(older):
            key = {"key": _lock_key(name)}
            if admin.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one():
                try:
                    admin.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                finally:
                    admin.execute(text("SELECT pg_advisory_unlock(:key)"), key)

    def drop(self) -> None:
        with self.admin.connect() as admin:
            admin.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.holder.close()  # and with it the claim on the name
        self.admin.dispose()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """On PostgreSQL, the URL of this worker's own database (migrated); None on SQLite."""
    url = request.config.getoption("--database-url")
    if not url:
        yield None
        return
    databases = PostgresDatabases(normalise_database_url(url), _worker())
    created = databases.create()
    try:
        yield created
    finally:
        databases.drop()


@pytest.fixture(scope="session")
def is_postgres(database_url: str | None) -> bool:
    return bool(database_url)


@pytest.fixture(scope="session")
def migrated(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated schema: this worker's PostgreSQL database, or a SQLite template to copy."""
    if database_url:
        return database_url
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{template}")
    with app.app_context(), logging_kept():
        upgrade()
        db.engine.dispose()
    return str(template)


#: Empty every table and restart every sequence, in one round trip. DELETE with triggers
#: off (session_replication_role) rather than TRUNCATE: TRUNCATE makes new files for every
#: table and index, and took ~0.7 s a test here against ~0.05 s for this.
_EMPTY_EVERY_TABLE = """
DO $$
DECLARE
    name text;
    sequence record;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables
                WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
        EXECUTE format('DELETE FROM public.%I', name);
    END LOOP;
    FOR sequence IN SELECT sequencename, start_value FROM pg_sequences
                    WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
        PERFORM setval(format('public.%I', sequence.sequencename), sequence.start_value, false);
    END LOOP;
END
$$
"""


def _clean(url: str) -> None:
    """Empty this worker's PostgreSQL database: no rows in any table (the one row the
    migrations seed in audit_head too, as TRUNCATE always did), sequences at their start.

    Triggers (the append-only guards, the foreign keys' checks) are off for the DELETE
    only, which needs a superuser; for anyone else, TRUNCATE.
    """
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))  # a test database: no fsync wait
        if conn.execute(text("SHOW is_superuser")).scalar_one() == "on":
            conn.execute(text("SET LOCAL session_replication_role TO replica"))
            conn.execute(text(_EMPTY_EVERY_TABLE))
        else:
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


@pytest.fixture
def database(migrated: str, database_url: str | None, tmp_path: Path) -> Iterator[str]:
    """A clean database for this test; returns its URL.

    It is also what the testing configuration and the environment name while the test
    runs, so an app, a command or a process started without a URL uses it too, never a
    database or file shared with another worker.
    """
    if database_url:
        _clean(database_url)
        url = database_url
    else:
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(migrated, copy)
        url = f"sqlite:///{copy}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TestingConfig, "SQLALCHEMY_DATABASE_URI", url)
        patch.setenv("TEST_DATABASE_URL", url)
        patch.setenv("DATABASE_URL", url)
        yield url


def _app_on(database: str, tmp_path: Path, config_name: str = "testing", **overrides: object) -> Flask:
    """An app on ``database`` whose files (jobs, uploads awaiting confirmation) go to this
    test's own folder: never the checkout's instance/, which every worker shares."""
    overrides.setdefault("JOBS_FOLDER", str(tmp_path / "jobs"))
    overrides.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app(config_name, SQLALCHEMY_DATABASE_URI=database, **overrides)


@pytest.fixture
def app(database: str, tmp_path: Path) -> Iterator[Flask]:
    app = _app_on(database, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Factory: another app on this test's database, with settings overridden."""
    made: list[Flask] = []

    def _make(config_name: str = "testing", **overrides: object) -> Flask:
        made.append(_app_on(database, tmp_path, config_name, **overrides))
        return made[-1]

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context, for calling services directly."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def budget_2015(ctx: Flask) -> budgets.LoadResult:
    """The 2015 budget of unit 711002, loaded from the shipped data file."""
    result = budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR)
    db.session.commit()
    return result


@pytest.fixture
def world(budget_2015: budgets.LoadResult) -> budgets.LoadResult:
    """The 2015 budget, the year's minimum living line, and household file No. 1."""
    from app.services import policy, registry
    from tests.registry_helpers import make_id, worker_input

    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    policy.set_value(2015, "near_line_margin", "200", actor=ACTOR)
    worker = registry.register(worker_input(1), unit=budget_2015.budget.unit, actor=ACTOR).worker
    from app.services import cases

    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    cases.open_case(worker, fund=fund, aid_type="living", amount="1000", reason="生活困难", actor=ACTOR)
    registry.register_model_worker(
        name="劳模",
        id_number=make_id(900),
        level="provincial",
        employer="电厂",
        title_year="2005",
        unit=budget_2015.budget.unit,
        actor=ACTOR,
    )
    db.session.commit()
    return budget_2015


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: a user of a role with the known test password, already changed."""

    def _create(role: str, username: str | None, unit: str | None) -> User:
        name = username or f"{role}-{db.session.query(User).count() + 1}"
        user, _password = user_service.create_user(name, role, unit, actor=ACTOR)
        user_service.set_password(user, PASSWORD, actor=ACTOR)
        db.session.commit()
        return user

    def _make(role: str = "caseworker", username: str | None = None, unit: str | None = None) -> User:
        # Inside the test's own app context, use its session: a second context would
        # be a second connection waiting for the first one's write lock on SQLite.
        if has_app_context() and current_app._get_current_object() is app:
            return _create(role, username, unit)
        with app.app_context():
            user = _create(role, username, unit)
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return _make


class AuthActions:
    def __init__(self, client: FlaskClient, make_user: Callable[..., User]) -> None:
        self.client = client
        self.make_user = make_user

    def login(self, role: str = "caseworker", username: str | None = None) -> User:
        user = self.make_user(role, username)
        response = self.client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, make_user: Callable[..., User]) -> AuthActions:
    return AuthActions(client, make_user)


def wait_for_job(client: FlaskClient, url: str, timeout: float = 120) -> str:
    """Poll a job's page, as its self-refresh would, until the job has ended; its page."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url).get_data(as_text=True)
        if has_app_context():
            db.session.rollback()  # a test's session outlives its requests: let the job write
        if 'http-equiv="refresh"' not in page:
            return page
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.05)
