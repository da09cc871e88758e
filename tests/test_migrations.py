"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import logging_kept


@pytest.fixture(autouse=True)
def _logging_kept():
    """Migrating here must not silence the app's logger for the tests after these."""
    with logging_kept():
        yield


def test_migrated_schema_equals_the_models(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_go_down_to_empty_and_up_again(ctx):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as connection:
        remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade()
    with db.engine.connect() as connection:
        assert "ledger_transfers" in db.inspect(connection).get_table_names()
