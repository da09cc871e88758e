"""A process killed while it takes the bank's answer, between one line's payment and the
next: nothing of the answer is left (no payment, no line answered, the money still at the
bank), the books reconcile, and the answer taken again afterwards is taken whole."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Payment
from app.services import batches, ledger, reconciliation
from tests.batch_helpers import approved_cases, fund, person

_KILLED = textwrap.dedent(
    """
    import importlib, os, signal, sys
    from app import create_app
    from app.extensions import db
    from app.services import batches
    from app.services.audit import Actor
    from app.services.scope import Scope

    url, instance, batch_id, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance)
    answering = importlib.import_module("app.services.batches.answer")  # the module, not the function
    made = []
    real = answering.record_payment

    def record_then_die(*args, **kwargs):
        made.append(real(*args, **kwargs))
        if len(made) == kill_after:
            db.session.flush()  # the payments so far are written, not committed
            os.kill(os.getpid(), signal.SIGKILL)
        return made[-1]

    answering.record_payment = record_then_die
    with app.app_context():
        actor = Actor(user_id=None, name="killed", remote_addr=None, scope=Scope.everywhere())
        batch = batches.load(batch_id, actor)
        lines = [batches.AnswerLine(line.id, "paid") for line in batch.lines]
        batches.answer(batch, lines, actor=actor)
        db.session.commit()
    """
)


def _payments() -> int:
    return db.session.execute(select(func.count()).select_from(Payment)).scalar_one()


def test_an_answer_killed_between_its_lines_leaves_nothing_and_is_taken_whole_after(app, world, make_user):
    maker, checker = person(make_user("finance", "cashier")), person(make_user("finance", "chief"))
    batch = batches.prepare(fund(), [c.id for c in approved_cases(world.budget.unit, 6)], actor=maker)
    db.session.commit()
    batches.approve(batch, actor=checker)
    batches.bank_file(batch, "csv", actor=checker)
    db.session.commit()
    batch_id = batch.id
    db.session.remove()  # the other process needs SQLite's write lock

    killed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [
            sys.executable,
            "-c",
            _KILLED,
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.instance_path,
            str(batch_id),
            "4",
        ],
        capture_output=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]

    batch = batches.load(batch_id, maker)
    assert batch.status == "sent"
    assert [line.status for line in batch.lines] == ["pending"] * 6
    assert _payments() == 0
    balance = ledger.balance(fund())
    assert (balance.paid, balance.at_bank) == (Decimal("0.00"), Decimal("600.00"))
    assert reconciliation.reconcile(2015).ok

    batches.answer(batch, [batches.AnswerLine(line.id, "paid") for line in batch.lines], actor=maker)
    db.session.commit()
    assert _payments() == 6
    balance = ledger.balance(fund())
    assert (balance.paid, balance.at_bank) == (Decimal("600.00"), Decimal("0.00"))
    assert reconciliation.reconcile(2015).ok
