"""Fixtures: an app on a clean, migrated database for every test.

SQLite (the default): the schema is migrated once into a template file, which each
test gets a fresh copy of. PostgreSQL (``--database-url``): the schema is migrated
once, and every table is truncated before each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.models.users import User
from app.services import budgets
from app.services import users as user_service
from app.services.audit import Actor
from config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
BUDGET_FILE = ROOT / "data" / "budget-711002-2015.json"
PASSWORD = "Kunnan-Bangfu-2015"
#: The actor of changes a test makes directly through the services.
ACTOR = Actor.system("test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-url",
        default=None,
        help="Run the suite on this database (PostgreSQL) instead of SQLite.",
    )


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> str | None:
    url = request.config.getoption("--database-url")
    return normalise_database_url(url) if url else None


@pytest.fixture(scope="session")
def is_postgres(database_url: str | None) -> bool:
    return bool(database_url)


@pytest.fixture(scope="session")
def migrated(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema from empty through the migrations; return a template to copy."""
    if database_url:
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return database_url
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{template}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return str(template)


@pytest.fixture
def database(migrated: str, database_url: str | None, tmp_path: Path) -> str:
    """A clean database for this test; returns its URL."""
    if database_url:
        engine = create_engine(database_url)
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
        return database_url
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app(database: str, tmp_path: Path) -> Iterator[Flask]:
    # Each test's job files in its own folder: never the developer's instance/jobs.
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database, JOBS_FOLDER=str(tmp_path / "jobs"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Factory: another app on this test's database, with settings overridden."""
    made: list[Flask] = []

    def _make(config_name: str = "testing", **overrides: object) -> Flask:
        overrides.setdefault("JOBS_FOLDER", str(tmp_path / "jobs"))
        made.append(create_app(config_name, SQLALCHEMY_DATABASE_URI=database, **overrides))
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
