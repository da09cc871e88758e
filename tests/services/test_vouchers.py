"""Accounting vouchers (记账凭证): one for every payment, reversal and batch sent, numbered
per unit and year without gaps (also when payments come at once), adding up to the ledger;
the printed voucher as a person reads it; reconciliation names a voucher taken away."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from app.extensions import db
from app.models import AccountingVoucher, Case, Fund, Payment, User
from app.services import batches, cases, ledger, reconciliation
from app.services.audit import Actor
from app.services.errors import CommitmentExceeded
from tests.batch_helpers import approved_cases, fund, person
from tests.conftest import ACTOR, PASSWORD

DAY = date(2015, 3, 2)


def _vouchers(unit_id: int | None = None) -> list[AccountingVoucher]:
    query = select(AccountingVoucher).order_by(AccountingVoucher.unit_id, AccountingVoucher.number)
    if unit_id is not None:
        query = query.where(AccountingVoucher.unit_id == unit_id)
    return list(db.session.execute(query).scalars())


def _finance(make_user, name: str = "voucher-cashier") -> Actor:
    user = make_user("finance", name, unit="711002")
    user.full_name = "赵会计"
    db.session.commit()
    return Actor.of(db.session.get(User, user.id))


@pytest.fixture
def paid_year(world, make_user):
    """Three cases paid (cash, transfer, cash), one payment reversed, a check-up, and a
    bank batch of three lines sent and answered (two paid, one failed)."""
    fin = _finance(make_user)
    made = approved_cases(world.budget.unit, 7, amount="100")
    payments = [
        cases.pay(made[0], amount="100", voucher_no="P1", paid_on=DAY, method="cash", actor=fin),
        cases.pay(made[1], amount="60", voucher_no="P2", paid_on=DAY, method="bank_transfer", actor=fin),
        cases.pay(made[2], amount="100", voucher_no="P3", paid_on=DAY, method="cash", actor=fin),
    ]
    cases.reverse_payment(payments[0], reason="重复发放", actor=fin, reversed_on=date(2015, 3, 5))
    preparer = person(db.session.get(User, make_user("finance", "voucher-preparer", unit="711002").id))
    batch = batches.prepare(fund(), [c.id for c in made[3:6]], actor=preparer)
    batches.approve(batch, actor=fin)
    batches.bank_file(batch, "csv", actor=fin)
    lines = batch.lines
    batches.answer(
        batch,
        [
            batches.AnswerLine(lines[0].id, "paid"),
            batches.AnswerLine(lines[1].id, "paid"),
            batches.AnswerLine(lines[2].id, "failed", "账户已销户"),
        ],
        actor=fin,
        paid_on=date(2015, 3, 10),
    )
    db.session.commit()
    return {"finance": fin, "payments": [p.id for p in payments], "batch": batch.id, "cases": made}


def test_every_payment_reversal_and_batch_has_its_voucher_numbered_without_gaps(paid_year):
    vouchers = _vouchers()
    # 3 payments, 1 red reversal, 1 batch sent, 2 lines paid by the bank
    assert [v.number for v in vouchers] == list(range(1, 8))
    assert [v.kind for v in vouchers] == ["payment"] * 3 + ["reversal", "batch", "payment", "payment"]
    first, red, batch = vouchers[0], vouchers[3], vouchers[4]
    assert (first.functional_class, first.economic_class, first.project_code) == (
        "2012902",
        "30399",
        "2015100001",
    )
    assert [(line.account, line.debit, line.credit) for line in first.lines] == [
        ("5001", Decimal("100.00"), Decimal("0.00")),
        ("1001", Decimal("0.00"), Decimal("100.00")),
    ]
    assert vouchers[1].lines[1].account == "1002"  # a transfer is paid from the bank account
    assert first.prepared_by_name == "赵会计" and first.voucher_date == DAY and first.attachments == 2
    # 红字冲销: the same lines in negative amounts, naming the voucher it corrects
    assert red.corrects_id == first.id and red.total == Decimal("-100.00")
    assert [(line.account, line.debit, line.credit) for line in red.lines] == [
        ("5001", Decimal("-100.00"), Decimal("0.00")),
        ("1001", Decimal("0.00"), Decimal("-100.00")),
    ]
    assert red.voucher_date == date(2015, 3, 5) and ("第 1 号" in red.summary or "No. 1" in red.summary)
    # the batch: its total from the bank to the payroll service; the paid lines out of it
    assert batch.batch_id == paid_year["batch"] and batch.total == Decimal("300.00")
    assert [(line.account, line.debit) for line in batch.lines] == [("1212", Decimal("300.00")), ("1002", 0)]
    assert [v.lines[1].account for v in vouchers[5:]] == ["1212", "1212"]


def test_vouchers_add_up_to_the_ledger_and_reconcile(paid_year):
    result = reconciliation.reconcile(2015)
    assert result.ok, [(f.fund.code, [(c.key, c.problems) for c in f.checks]) for f in result.funds] + [
        c.problems for c in result.department
    ]
    hardship = fund()
    vouchers = [v for v in _vouchers() if v.fund_id == hardship.id]
    paid = sum((v.total for v in vouchers if v.kind in ("payment", "reversal")), Decimal("0.00"))
    assert paid == ledger.balance(hardship).paid == Decimal("360.00")  # 100 + 60 + 100 − 100 + 2 × 100
    assert sum(v.total for v in vouchers if v.kind == "batch") == Decimal("300.00")
    keys = {c.key for f in result.funds for c in f.checks} | {c.key for c in result.department}
    assert {"vouchers", "voucher_sequence"} <= keys


def test_a_refused_payment_takes_no_number(paid_year):
    fin = paid_year["finance"]
    case = paid_year["cases"][6]
    with pytest.raises(CommitmentExceeded):  # more than approved
        cases.pay(case, amount="500", voucher_no="P9", paid_on=DAY, method="cash", actor=fin)
    db.session.rollback()
    cases.pay(
        db.session.get(Case, case.id), amount="100", voucher_no="P9", paid_on=DAY, method="cash", actor=fin
    )
    db.session.commit()
    assert [v.number for v in _vouchers()] == list(range(1, 9))


def _behind_the_apps_back(is_postgres: bool, statement: str) -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        if is_postgres:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in ("accounting_vouchers", "accounting_voucher_lines"):
                for action in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
        connection.execute(text(statement))


def test_vouchers_cannot_be_changed_or_deleted(paid_year):
    from sqlalchemy.exc import DatabaseError

    for statement in ("DELETE FROM accounting_vouchers", "UPDATE accounting_voucher_lines SET debit = 0"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()


def test_a_voucher_deleted_behind_the_apps_back_is_a_gap_the_reconciliation_names(
    app, paid_year, is_postgres
):
    third = next(v for v in _vouchers() if v.number == 3)
    _behind_the_apps_back(is_postgres, f"DELETE FROM accounting_voucher_lines WHERE voucher_id = {third.id}")
    _behind_the_apps_back(is_postgres, f"DELETE FROM accounting_vouchers WHERE id = {third.id}")
    result = reconciliation.reconcile(2015)
    assert not result.ok
    sequence = next(c for c in result.department if c.key == "voucher_sequence")
    assert any("3" in problem for problem in sequence.problems), sequence.problems
    hardship = next(f for f in result.funds if f.fund.code == "2015100001")
    failing = {c.key: c.problems for c in hardship.checks if not c.ok}
    assert "vouchers" in failing, failing
    output = app.test_cli_runner().invoke(args=["reconcile", "--year", "2015"])
    assert output.exit_code == 1 and "凭证" in output.output


def test_a_voucher_amount_changed_behind_the_apps_back_is_named(paid_year, is_postgres):
    money = "total + 1" if is_postgres else "total + 100"
    _behind_the_apps_back(is_postgres, f"UPDATE accounting_vouchers SET total = {money} WHERE number = 2")
    hardship = next(f for f in reconciliation.reconcile(2015).funds if f.fund.code == "2015100001")
    problems = " ".join(next(c for c in hardship.checks if c.key == "vouchers").problems)
    assert "第 2 号" in problems or "No. 2" in problems


def test_payments_at_once_get_consecutive_numbers(app, world, make_user, is_postgres):
    """Payments of several cases by several finance officers at the same moment, on real
    threads with their own sessions: every voucher a number, none twice, none missing."""
    officers = [_finance(make_user, f"race-voucher-{n}").user_id for n in range(4)]
    made = [c.id for c in approved_cases(world.budget.unit, 8, first=40, amount="100")]
    db.session.remove()
    barrier = threading.Barrier(len(officers))
    errors: list[BaseException] = []

    def pay(officer: int, case_ids: list[int]) -> None:
        with app.app_context():
            try:
                actor = Actor.of(db.session.get(User, officer))
                db.session.rollback()  # hold no transaction (on SQLite: no write lock) meanwhile
                barrier.wait(timeout=30)
                for n, case_id in enumerate(case_ids):
                    for _attempt in range(20):
                        try:
                            case = db.session.get(Case, case_id)
                            cases.pay(
                                case,
                                amount="100",
                                voucher_no=f"R{officer}-{n}",
                                paid_on=DAY,
                                method="cash",
                                actor=actor,
                            )
                            db.session.commit()
                            break
                        except Exception as error:  # a conflict the database asks to retry
                            db.session.rollback()
                            if "deadlock" not in str(error).lower() and "locked" not in str(error).lower():
                                raise
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(officer, made[i::4])) for i, officer in enumerate(officers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    numbers = [v.number for v in _vouchers()]
    assert numbers == list(range(1, 9))
    assert db.session.execute(select(db.func.count()).select_from(Payment)).scalar() == 8
    assert reconciliation.reconcile(2015).ok


def test_the_printed_voucher_as_a_person_reads_it(client, auth, paid_year):
    red = next(v for v in _vouchers() if v.kind == "reversal")
    auth.login("auditor")
    page = client.get(f"/vouchers/{red.corrects_id}").get_data(as_text=True)
    for words in (
        "记账凭证",
        "记字第 1 号",
        "摘要",
        "借方金额",
        "贷方金额",
        "功能分类 2012902",
        "经济分类 30399",
        "项目 2015100001",
        "经费支出—项目支出",
        "库存现金",
        "壹佰元整",
        "附件 2 张",
        "主管",
        "记账",
        "审核",
        "制单",
        "赵会计",
        "已由红字凭证记字第 4 号冲销",
    ):
        assert words in page, words
    page = client.get(f"/vouchers/{red.id}").get_data(as_text=True)
    assert "红字冲销：冲销记字第 1 号凭证" in page and "负壹佰元整" in page and "-¥100.00" in page
    response = client.get("/static/css/print.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "size: A4" in css and ".accounting-voucher" in css
    listing = client.get("/vouchers?year=2015").get_data(as_text=True)
    assert "共 7 张凭证" in listing and "冲销第 1 号" in listing


def test_the_year_as_a_spreadsheet(client, auth, paid_year):
    auth.login("finance", "voucher-reader")
    response = client.get("/vouchers.xlsx?year=2015")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and "借方金额" in r)
    debit, credit = header.index("借方金额"), header.index("贷方金额")
    body = rows[rows.index(header) + 1 : -1]
    assert len(body) == 14  # seven vouchers of two lines
    assert sum(Decimal(str(r[debit])) for r in body) == sum(Decimal(str(r[credit])) for r in body)
    assert sum(Decimal(str(r[debit])) for r in body) == Decimal("660.00")  # 360 paid + 300 sent
    cell = sheet.cell(row=rows.index(header) + 2, column=debit + 1)
    assert cell.number_format == "0.00" and isinstance(cell.value, (int, float))
    assert "2012902" in [r[header.index("功能分类代码")] for r in body]


def test_another_units_voucher_is_not_found(client, auth, paid_year, make_user):
    from app.models import Unit

    voucher = _vouchers()[0]
    sibling = Unit(code="711003", name="桥东区总工会", parent_id=None)
    db.session.add(sibling)
    db.session.commit()
    stranger = make_user("finance", "sibling-finance", unit="711003")
    response = client.post("/login", data={"username": stranger.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/vouchers/{voucher.id}").status_code == 404
    listing = client.get("/vouchers?year=2015").get_data(as_text=True)
    assert "还没有记账凭证" in listing
    assert db.session.get(Fund, voucher.fund_id) is not None


def test_the_migration_drafts_the_vouchers_of_what_is_on_record(app, paid_year):
    from flask_migrate import downgrade, upgrade

    from tests.conftest import logging_kept

    def shape() -> list[tuple]:
        return [
            (
                v.number,
                v.kind,
                v.total,
                v.voucher_date,
                v.transfer_id,
                v.batch_id,
                v.corrects.number if v.corrects else None,
                [(ln.account, ln.debit, ln.credit) for ln in v.lines],
            )
            for v in _vouchers()
        ]

    kept = shape()
    db.session.commit()
    db.session.remove()
    with logging_kept():
        downgrade(revision="0018")
        upgrade()
    assert shape() == kept
    assert reconciliation.reconcile(2015).ok
    assert ACTOR is not None
