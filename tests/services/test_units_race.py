"""Two moves at once that together would close a loop (A under B, B under A): one is
made, the other refused as a cycle; the tree never holds a loop."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.database import with_retries
from app.extensions import db
from app.models import Unit
from app.services import units
from app.services.errors import DomainError
from tests.conftest import ACTOR


def test_two_moves_closing_a_loop_at_once_leave_a_tree(app):
    with app.app_context():
        units.create_unit("A1", "甲", None, actor=ACTOR)
        units.create_unit("B1", "乙", None, actor=ACTOR)
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def move(code: str, parent: str) -> None:
        with app.app_context():

            def step() -> None:
                units.move_unit(code, parent, actor=ACTOR)
                db.session.commit()

            try:
                barrier.wait()
                with_retries(step, rollback=db.session.rollback)
                outcomes.append("moved")
            except DomainError as refused:
                db.session.rollback()
                outcomes.append(type(refused).__name__)
            except BaseException as exc:  # a crash is a failure of the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=move, args=pair) for pair in (("A1", "B1"), ("B1", "A1"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(outcomes) == ["UnitCycle", "moved"]
    with app.app_context():
        parents = {u.code: u.parent_id for u in db.session.execute(select(Unit)).scalars()}
        assert sorted(parent is None for parent in parents.values()) == [False, True]
