"""Rotating DATA_KEY: every protected value is re-sealed and re-indexed under the new key,
all or nothing; the app with the new key reads, finds and refuses duplicates as before."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, HouseholdMember, ModelWorker, Worker
from app.privacy import VaultError, vault
from app.services import registry
from app.services.errors import DomainError
from tests.conftest import ACTOR
from tests.registry_helpers import make_id, worker_input

NEW_KEY = "a-brand-new-data-key-2016"


def _protected() -> list[tuple]:
    rows: list[tuple] = []
    for model, columns in (
        (Worker, ("id_number_protected", "id_number_index", "bank_account_protected")),
        (HouseholdMember, ("id_number_protected", "id_number_index")),
        (ModelWorker, ("id_number_protected", "id_number_index")),
    ):
        for row in db.session.execute(select(model).order_by(model.id)).scalars():
            rows.append((model.__tablename__, row.id, *(getattr(row, c) for c in columns)))
    return rows


@pytest.fixture
def people(world):
    unit = world.budget.unit
    household = registry.register(
        worker_input(
            700,
            name="钱家",
            bank_name="农行",
            bank_account="6228480012345678",
            members=[{"name": "钱妻", "relation": "spouse", "id_number": make_id(701)}],
        ),
        unit=unit,
        actor=ACTOR,
    ).worker
    registry.register_model_worker(
        name="劳模钱",
        id_number=make_id(702),
        level="national",
        employer="电厂",
        title_year="2001",
        unit=unit,
        actor=ACTOR,
    )
    db.session.commit()
    return household.id


def test_rotation_reseals_everything_and_the_new_key_reads_finds_and_refuses_duplicates(
    app, make_app, people
):
    before = _protected()
    result = app.test_cli_runner().invoke(args=["keys", "rotate", "--yes"], env={"NEW_DATA_KEY": NEW_KEY})
    assert result.exit_code == 0, result.output
    db.session.rollback()
    after = _protected()
    assert len(after) == len(before) and all(a != b for a, b in zip(after, before, strict=True))
    logged = db.session.execute(select(AuditEntry).where(AuditEntry.action == "keys.rotate")).scalar_one()
    sealed = sum(1 for row in before for value in row[2:] if value and len(value) != 64)  # not indexes
    assert json.loads(logged.details) == {"values": sealed}
    with pytest.raises(VaultError):  # the old key opens nothing any more
        vault().reveal(db.session.get(Worker, people).id_number_protected)

    db.session.rollback()  # this test's own session lets go of the database (SQLite)
    renewed = make_app(DATA_KEY=NEW_KEY)
    with renewed.app_context():
        household = db.session.get(Worker, people)
        assert registry.reveal_id_number(household, actor=ACTOR, purpose="audit") == make_id(700)
        assert vault().reveal(household.bank_account_protected) == "6228480012345678"
        assert vault().reveal(household.members[0].id_number_protected) == make_id(701)
        assert registry.find_active_by_id_number(make_id(700)).id == people  # the blind index
        with pytest.raises(DomainError):  # a second file for the same person is still refused
            registry.register(worker_input(700, name="钱家"), unit=household.unit, actor=ACTOR)
        db.session.rollback()


def test_a_wrong_current_key_changes_nothing(make_app, people):
    before = _protected()
    db.session.rollback()  # this test's own session lets go of the database (SQLite)
    stranger = make_app(DATA_KEY="not-the-key-the-data-was-sealed-with")
    with stranger.app_context():  # a CLI command acts in the current app context: make it this one
        result = stranger.test_cli_runner().invoke(
            args=["keys", "rotate", "--yes"], env={"NEW_DATA_KEY": NEW_KEY}
        )
        db.session.remove()
    assert result.exit_code == 1 and "DATA_KEY" in result.output, result.output
    db.session.rollback()
    assert _protected() == before
    assert (
        db.session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "keys.rotate")
        ).scalar_one()
        == 0
    )


@pytest.mark.parametrize("new_key", ["", "short", "testing-data-key"])
def test_a_missing_short_or_unchanged_new_key_is_refused(app, people, new_key):
    before = _protected()
    result = app.test_cli_runner().invoke(args=["keys", "rotate", "--yes"], env={"NEW_DATA_KEY": new_key})
    assert result.exit_code == 1
    db.session.rollback()
    assert _protected() == before
