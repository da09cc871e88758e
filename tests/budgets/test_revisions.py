"""预算调整: a loaded budget revised during its year, by a revised file or one fund's change
entered on the page, through ledger adjustments (the original rows untouched). Up and down
the figures move on /funds and the books still reconcile; below what is used is refused
with nothing changed; a revised file is checked like the first; the budget-execution report
shows the original, each revision and the current budget."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import BudgetLine, BudgetRevision, Transfer
from app.services import budget_revisions, cases, ledger, reconciliation
from app.services.errors import BudgetConflict, BudgetInvalid, FundOverdrawn
from tests.batch_helpers import approved_cases, fund
from tests.budgets.revision_helpers import NEW_PROJECT, revised_document, write
from tests.conftest import ACTOR
from tests.services.test_all_or_nothing import snapshot


def _revise(how: str, amount: str, reference: str = "桥财预〔2015〕12号", on: date = date(2015, 6, 30)):
    revision = budget_revisions.revise_fund(
        fund(),
        how=how,
        amount=amount,
        reason="追加困难职工帮扶资金",
        reference=reference,
        revised_on=on,
        actor=ACTOR,
    )
    db.session.commit()
    return revision


def _figures() -> ledger.FundBalance:
    return ledger.balance(fund())


def test_a_revision_up_and_one_down_move_the_budget_and_the_books_still_reconcile(world):
    approved_cases(world.budget.unit, 2, amount="1000")
    _revise("increase", "50000")
    up = _figures()
    assert (up.budget, up.committed, up.available) == (
        Decimal("350000.00"),
        Decimal("2000.00"),
        Decimal("348000.00"),
    )
    _revise("decrease", "20000.50", reference="桥财预〔2015〕20号", on=date(2015, 9, 1))
    down = _figures()
    assert (down.budget, down.available) == (Decimal("329999.50"), Decimal("327999.50"))
    result = reconciliation.reconcile(2015)
    assert result.ok, [(f.fund.code, [c.problems for c in f.checks if not c.ok]) for f in result.funds] + [
        c.problems for c in result.department
    ]
    assert result.budget_total == Decimal("665604.71") + Decimal("29999.50")
    # The original budget line is as loaded; the ledger holds two adjustments.
    line = db.session.get(BudgetLine, fund().budget_line_id)
    assert line.amount == Decimal("300000.00")
    kinds = db.session.execute(
        select(Transfer.kind, Transfer.amount).where(
            Transfer.fund_id == fund().id, Transfer.kind == "adjustment"
        )
    ).all()
    assert sorted(a for _k, a in kinds) == [Decimal("20000.50"), Decimal("50000.00")]
    assert [r.reference for r in budget_revisions.revisions(2015)] == [
        "桥财预〔2015〕12号",
        "桥财预〔2015〕20号",
    ]
    from app.models import AuditEntry

    recorded = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "budget.revise").order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert (
        len(recorded) == 2
        and "桥财预〔2015〕12号" in recorded[0].details
        and "2015100001" in recorded[0].details
    )


def test_a_revision_below_what_is_paid_and_committed_is_refused_and_changes_nothing(world):
    made = approved_cases(world.budget.unit, 1, amount="2000")
    cases.pay(made[0], amount="500", voucher_no="R-1", paid_on=date(2015, 3, 1), method="cash", actor=ACTOR)
    db.session.commit()
    before = snapshot()
    with pytest.raises(FundOverdrawn) as refused:
        budget_revisions.revise_fund(
            fund(),
            how="set",
            amount="1999.99",
            reason="压减",
            reference="桥财预〔2015〕13号",
            revised_on=date(2015, 7, 1),
            actor=ACTOR,
        )
    db.session.rollback()
    assert "2015100001" in refused.value.message
    assert snapshot() == before
    # To exactly what is used is allowed: nothing is left available.
    _revise("set", "2000")
    assert (_figures().budget, _figures().available) == (Decimal("2000.00"), Decimal("0.00"))
    assert reconciliation.reconcile(2015).ok


def test_an_entered_revision_needs_its_document_number_and_a_date_in_its_year(world):
    from app.services.errors import InvalidInput

    for changes, field in (
        ({"reference": " "}, "reference"),
        ({"revised_on": date(2016, 1, 1)}, "revised_on"),
    ):
        arguments = {
            "how": "increase",
            "amount": "10",
            "reason": "r",
            "reference": "文号",
            "revised_on": date(2015, 5, 1),
        }
        with pytest.raises(InvalidInput) as refused:
            budget_revisions.revise_fund(fund(), **{**arguments, **changes}, actor=ACTOR)
        assert refused.value.field == field
        db.session.rollback()


def test_a_revised_file_moves_funds_opens_a_new_one_and_loading_it_again_changes_nothing(world, tmp_path):
    document = revised_document({"2015100001": "350000.00"}, added={"new": NEW_PROJECT})
    result = budget_revisions.load_revision(
        document, reference="桥财预〔2015〕30号", revised_on=date(2015, 8, 1), actor=ACTOR
    )
    db.session.commit()
    assert result.created and len(result.revision.lines) == 2
    balances = {b.fund.code: b.budget for b in ledger.fund_balances(2015)}
    assert balances == {
        "2015100001": Decimal("350000.00"),
        "2015100002": Decimal("23000.00"),
        "2015100003": Decimal("40000.00"),
    }
    result_check = reconciliation.reconcile(2015)
    assert result_check.ok, [c.problems for c in result_check.department]
    assert result_check.budget_total == Decimal("755604.71")
    again = budget_revisions.load_revision(
        document, reference="桥财预〔2015〕30号", revised_on=date(2015, 8, 1), actor=ACTOR
    )
    assert not again.created and again.revision.id == result.revision.id
    assert db.session.query(BudgetRevision).count() == 1


def test_a_revised_file_that_drops_a_fund_takes_it_to_zero_only_when_nothing_is_used(world):
    dropped = revised_document({"2015100002": None})
    budget_revisions.load_revision(
        dropped, reference="桥财预〔2015〕31号", revised_on=date(2015, 8, 1), actor=ACTOR
    )
    db.session.commit()
    balances = {b.fund.code: b.budget for b in ledger.fund_balances(2015)}
    assert balances["2015100002"] == Decimal("0.00")
    assert reconciliation.reconcile(2015).ok
    # The hardship fund has a commitment: a file that drops it is refused whole.
    approved_cases(world.budget.unit, 1, amount="100")
    before = snapshot()
    with pytest.raises(FundOverdrawn):
        budget_revisions.load_revision(
            revised_document({"2015100001": None, "2015100002": None}),
            reference="桥财预〔2015〕32号",
            revised_on=date(2015, 9, 1),
            actor=ACTOR,
        )
    db.session.rollback()
    assert snapshot() == before


def test_a_revised_file_whose_subtotals_do_not_add_up_is_refused_naming_the_line(world):
    document = revised_document({"2015100001": "350000.00"})
    personnel = next(t for t in document["tables"] if t["kind"] == "personnel")
    personnel["lines"][0]["children"][3]["amount"] = "54568.81"
    before = snapshot()
    with pytest.raises(BudgetInvalid) as refused:
        budget_revisions.load_revision(document, reference="文号", revised_on=date(2015, 8, 1), actor=ACTOR)
    assert "一、工资福利支出" in refused.value.message
    db.session.rollback()
    assert snapshot() == before


def test_a_revision_of_a_budget_not_loaded_is_refused(world):
    document = revised_document({})
    document["unit"] = {"code": "799999", "name": "别的工会"}
    with pytest.raises(BudgetConflict):
        budget_revisions.load_revision(document, reference="文号", revised_on=date(2015, 8, 1), actor=ACTOR)


def test_the_cli_loads_a_revised_file_with_its_document_number(world, app, tmp_path):
    path = write(revised_document({"2015100001": "310000.00"}), tmp_path / "revised.json")
    runner = app.test_cli_runner()
    out = runner.invoke(
        args=["budget", "load", path, "--revision", "桥财预〔2015〕12号", "--date", "2015-06-30"]
    )
    assert out.exit_code == 0, out.output
    assert "桥财预〔2015〕12号" in out.output
    assert _figures().budget == Decimal("310000.00")
    # Without --revision the same file is a second budget for the year: refused.
    refused = runner.invoke(args=["budget", "load", path])
    assert refused.exit_code == 1
    revise = runner.invoke(
        args=[
            "budget",
            "revise",
            "2015100001",
            "--year",
            "2015",
            "--decrease",
            "10000",
            "--reference",
            "桥财预〔2015〕14号",
            "--reason",
            "压减",
            "--date",
            "2015-07-01",
        ]
    )
    assert revise.exit_code == 0, revise.output
    assert _figures().budget == Decimal("300000.00")
    bad = tmp_path / "bad.json"
    document = revised_document({"2015100001": "350000.00"})
    document["tables"][-1]["total"] = "1.00"
    refused_file = runner.invoke(
        args=["budget", "load", write(document, bad), "--revision", "X", "--date", "2015-06-30"]
    )
    assert refused_file.exit_code == 1 and "专项公用经费支出安排表" in refused_file.output


def test_the_page_records_a_revision_and_funds_and_the_report_show_it(client, auth, world):
    auth.login("finance")
    page = client.get("/funds/2015100001/revisions?year=2015")
    assert page.status_code == 200 and "300,000.00" in page.get_data(as_text=True)
    posted = client.post(
        "/funds/2015100001/revisions?year=2015&unit=711002",
        data={
            "how": "increase",
            "amount": "５０,０００",
            "reference": "桥财预〔2015〕12号",
            "revised_on": "2015-06-30",
            "reason": "追加",
        },
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)
    assert "350,000.00" in client.get("/funds?year=2015").get_data(as_text=True)
    refused = client.post(
        "/funds/2015100001/revisions?year=2015",
        data={
            "how": "decrease",
            "amount": "400000",
            "reference": "桥财预〔2015〕13号",
            "revised_on": "2015-07-01",
            "reason": "压减",
        },
    )
    assert refused.status_code == 422 and 'class="error"' in refused.get_data(as_text=True)
    assert _figures().budget == Decimal("350000.00")
    report = client.get("/reports/budget-execution?year=2015").get_data(as_text=True)
    assert "年初预算" in report and "调整 桥财预〔2015〕12号" in report and "350,000.00" in report
    workbook = load_workbook(io.BytesIO(client.get("/reports/budget-execution.xlsx?year=2015").data))
    sheet = workbook.active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("桥财预〔2015〕12号" in c for c in cells)
    assert "50000" in " ".join(cells) and "350000" in " ".join(cells)


def test_a_caseworker_may_not_revise_and_another_units_fund_is_not_found(client, auth, world, make_user):
    from app.services import units

    auth.login("caseworker")
    data = {"how": "increase", "amount": "1", "reference": "文号", "revised_on": "2015-06-30", "reason": "r"}
    assert client.post("/funds/2015100001/revisions?year=2015", data=data).status_code == 403
    units.create_unit("711003", "桥东区总工会", actor=ACTOR)
    db.session.commit()
    other = make_user("finance", "east-finance", unit="711003")
    client.post("/logout")
    client.post("/login", data={"username": other.username, "password": "Kunnan-Bangfu-2015"})
    assert client.post("/funds/2015100001/revisions?year=2015", data=data).status_code == 404
    assert _figures().budget == Decimal("300000.00")


def test_the_audit_package_lists_each_revision(app, world, tmp_path):
    import csv
    import zipfile

    _revise("increase", "50000")
    path = tmp_path / "audit.zip"
    result = app.test_cli_runner().invoke(args=["export", "audit", "--year", "2015", "--out", str(path)])
    assert result.exit_code == 0, result.output
    text = zipfile.ZipFile(path).read("budget_revisions.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["文号"] == "桥财预〔2015〕12号" and row["资金编号"] == "2015100001"
    assert (row["调整前预算"], row["调整金额"], row["调整后预算"]) == ("300000.00", "50000.00", "350000.00")


def test_the_revision_form_refuses_a_misplaced_comma_saying_why(client, auth, world):
    auth.login("finance")
    refused = client.post(
        "/funds/2015100001/revisions?year=2015",
        data={
            "how": "increase",
            "amount": "100,00",
            "reference": "文号",
            "revised_on": "2015-06-30",
            "reason": "r",
        },
    )
    assert refused.status_code == 422
    assert "逗号只能用作千位分隔" in refused.get_data(as_text=True)
    assert _figures().budget == Decimal("300000.00")


def test_a_revision_dated_in_a_closed_month_is_refused_at_its_date_on_the_page(client, auth, world):
    from app.services import periods, units

    periods.close(units.find_unit("711002"), 2015, month=3, actor=ACTOR)
    db.session.commit()
    auth.login("finance")
    refused = client.post(
        "/funds/2015100001/revisions?year=2015",
        data={
            "how": "increase",
            "amount": "10000",
            "reference": "桥财预〔2015〕9号",
            "revised_on": "2015-03-20",
            "reason": "追加",
        },
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    # The refusal stands at the date that falls in the closed month; what was typed stays.
    assert re.search(r'id="revised_on-error"[^>]*>[^<]*结账', page), page
    assert "桥财预〔2015〕9号" in page and 'value="10000"' in page
    assert _figures().budget == Decimal("300000.00")
