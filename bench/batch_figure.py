"""Figure 9 (issue 17): a bank batch (代发批次) of thousands of lines prepared, approved,
sent (its file made) and answered by the bank — three lines failed — through the
services, beside a bare bulk insert of the same lines and a bare update of their status.

The batch's cases are made for the figure in a fund of its own in the next year (2021),
so figure 8's reconciliation of 2020 and the pages of the seeded year do not see them;
each run makes a fund with a new code."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any


def _cases(app: Any, info: dict[str, Any], lines: int) -> tuple[int, list[int]]:
    """A 2021 fund of the busy unit and ``lines`` approved cases of 100.00 to a card."""
    from sqlalchemy import select, update

    from app.extensions import db
    from app.models import Case, FiscalYear, Fund, Worker
    from app.privacy import vault
    from app.services import ledger
    from app.services.audit import Actor
    from app.services.scope import Scope

    actor = Actor(user_id=None, name="bench-batch", remote_addr="127.0.0.1", scope=Scope.everywhere())
    unit_id = info["units"][0]
    if db.session.get(FiscalYear, 2021) is None:
        db.session.add(FiscalYear(year=2021))
        db.session.flush()
    fund = Fund(unit_id=unit_id, year=2021, code=f"B{time.time_ns() % 10**12}", name="代发基准")
    db.session.add(fund)
    db.session.flush()
    ledger.create_fund_accounts(fund)
    ledger.allocate(fund, Decimal(lines) * 100, memo="bench", actor=actor)
    workers = list(
        db.session.execute(select(Worker.id).where(Worker.unit_id == unit_id).limit(lines)).scalars()
    )
    card = vault().protect("6222020409001234567")
    db.session.execute(
        update(Worker)
        .where(Worker.id.in_(workers))
        .values(bank_account_protected=card.ciphertext, bank_account_last4=card.last4, bank_name="工商银行")
    )
    ids = []
    for n in range(lines):
        case = Case(
            worker_id=workers[n % len(workers)],
            fund_id=fund.id,
            unit_id=unit_id,
            year=2021,
            aid_type="living",
            requested_amount=Decimal("100.00"),
            approved_amount=Decimal("100.00"),
            reason="代发基准",
            status="approved",
        )
        db.session.add(case)
        db.session.flush()
        case.commitment_id = ledger.commit(fund, "100.00", case_id=case.id, actor=actor).id
        ids.append(case.id)
    db.session.commit()
    return fund.id, ids


def batch_figure(app: Any, info: dict[str, Any], lines: int) -> Any:
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Fund
    from app.services import batches
    from app.services.audit import Actor
    from app.services.scope import Scope
    from bench.run import Figure

    def person(name: str) -> Actor:
        return Actor(user_id=None, name=name, remote_addr="127.0.0.1", scope=Scope.everywhere())

    maker, checker = person("bench-cashier"), person("bench-chief")
    with app.app_context():
        fund_id, ids = _cases(app, info, lines)
        started = time.perf_counter()
        batch = batches.prepare(db.session.get(Fund, fund_id), ids, actor=maker)
        db.session.commit()
        batches.approve(batch, actor=checker)
        db.session.commit()
        batches.bank_file(batch, "csv", actor=checker)
        db.session.commit()
        sent = time.perf_counter() - started
        failed = {batch.lines[i].id for i in (0, lines // 2, lines - 1)}
        answer = [
            batches.AnswerLine(line.id, "failed" if line.id in failed else "paid", "账户已销户")
            for line in batch.lines
        ]
        started = time.perf_counter()
        batches.answer(batch, answer, actor=maker)
        db.session.commit()
        answered = time.perf_counter() - started

        db.session.execute(text("DROP TABLE IF EXISTS bench_batch_lines"))
        db.session.execute(
            text(
                "CREATE TABLE bench_batch_lines (id INTEGER PRIMARY KEY, case_id INTEGER, amount INTEGER, status TEXT)"
            )
        )
        db.session.commit()
        started = time.perf_counter()
        db.session.execute(
            text("INSERT INTO bench_batch_lines VALUES (:i, :c, 10000, 'pending')"),
            [{"i": n, "c": case_id} for n, case_id in enumerate(ids)],
        )
        db.session.commit()
        db.session.execute(
            text("UPDATE bench_batch_lines SET status = :s WHERE id = :i"),
            [{"s": "paid", "i": n} for n in range(len(ids))],
        )
        db.session.commit()
        bare = time.perf_counter() - started
        db.session.execute(text("DROP TABLE bench_batch_lines"))
        db.session.commit()
    figure = Figure(
        "9",
        f"a bank batch of {lines:,} lines prepared, approved, sent and answered (3 failed)",
        [sent + answered],
        "a bare bulk insert of the lines and an update of each",
        [bare],
        "≥ 0.25×",
        kind="speed",
    )
    figure.notes.append(f"prepare+approve+file {sent:.1f} s, answer {answered:.1f} s")
    return figure
