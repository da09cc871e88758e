"""Revision 0013: the units budget loading made up from a department code are removed,
their children put at the top; nothing anything refers to is removed."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app.extensions import db
from app.models import Budget, Unit
from app.models.types import utcnow
from app.services import budgets
from tests.conftest import ACTOR, BUDGET_FILE


def _add(code: str, name: str, parent: str | None) -> None:
    db.session.execute(
        text(
            "INSERT INTO units (code, name, parent_id) "
            "VALUES (:code, :name, (SELECT id FROM units WHERE code = :parent))"
        ),
        {"code": code, "name": name, "parent": parent},
    )


def _tree() -> dict[str, str | None]:
    units = db.session.execute(select(Unit)).scalars().all()
    return {unit.code: unit.parent.code if unit.parent else None for unit in units}


def test_0013_removes_the_department_units_and_keeps_everything_referred_to(ctx, make_user):
    # The budget is loaded with today's models, then the schema taken down to 0011 (whatever
    # revisions come between, the upgrade below runs them on real data).
    budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR)
    db.session.commit()
    db.session.remove()
    downgrade(revision="0011")
    # What loading the shipped budget left before 0013: its department 711 above 711002.
    _add("711", "张家口市桥西区总工会", None)
    db.session.execute(
        text("UPDATE units SET parent_id = (SELECT id FROM units WHERE code = '711') WHERE code = '711002'")
    )
    # A department-like unit that a user belongs to: kept.
    _add("720", "某区总工会", None)
    _add("720001", "某区总工会", "720")
    # A top unit whose name and code are unlike its child's (a real city): kept.
    _add("7100", "张家口市总工会", None)
    _add("730001", "某县总工会", "7100")
    # A unit with the name of its child but not at the top: kept.
    _add("730002", "某县总工会", "730001")
    db.session.commit()
    # A user of 720, written as the schema of 0011 has it (today's model has more columns).
    db.session.execute(
        text(
            "INSERT INTO users (username, password_hash, role, unit_id, active, must_change_password,"
            " session_version, created_at, failed_logins)"
            " SELECT 'city-admin', 'x', 'admin', id, :yes, :yes, 1, :now, 0 FROM units WHERE code = '720'"
        ),
        {"yes": True, "now": utcnow()},
    )
    db.session.commit()
    db.session.remove()

    upgrade()

    assert _tree() == {
        "711002": None,
        "720": None,
        "720001": "720",
        "7100": None,
        "730001": "7100",
        "730002": "730001",
    }
    budget = db.session.execute(select(Budget)).scalar_one()
    assert budget.unit.code == "711002"
    # Loading the same budget again finds its unit where it is and changes nothing.
    again = budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR)
    assert again.created is False and "711" not in _tree()
