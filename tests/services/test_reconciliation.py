"""Reconciliation of a whole year, and a ledger row changed behind the app's back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEntry, Fund, Transfer, User
from app.services import cases, policy, reconciliation, registry
from app.services.audit import Actor
from tests.conftest import ACTOR, logging_kept, wait_for_job
from tests.registry_helpers import make_id, worker_input

DAY = date(2015, 1, 20)


@pytest.fixture
def busy_year(budget_2015, make_user):
    """A year with commitments, partial payments, a reversal, a closed case, a campaign and check-ups."""
    unit = budget_2015.budget.unit
    cw, rv, fin = (
        Actor.of(db.session.get(User, make_user(r, unit=unit.code).id))
        for r in ("caseworker", "reviewer", "finance")
    )
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    funds = {f.code: f for f in budget_2015.funds}
    workers = [
        registry.register(worker_input(seq, name=f"户{seq}"), unit=unit, actor=cw, today=DAY).worker
        for seq in range(1, 6)
    ]
    first = cases.open_case(
        workers[0], fund=funds["2015100001"], aid_type="medical", amount="5000", reason="病", actor=cw
    )
    cases.submit(first, actor=cw, today=DAY)
    cases.approve(first, amount="4000", actor=rv, today=DAY)
    wrong = cases.pay(first, amount="1000", voucher_no="V1", paid_on=DAY, method="cash", actor=fin)
    cases.reverse_payment(wrong, reason="金额有误", actor=fin)
    cases.pay(first, amount="1500", voucher_no="V2", paid_on=DAY, method="cash", actor=fin)
    second = cases.open_case(
        workers[1], fund=funds["2015100001"], aid_type="living", amount="800", reason="生活", actor=cw
    )
    cases.submit(second, actor=cw, today=DAY)
    cases.approve(second, actor=rv, today=DAY)
    cases.pay(second, amount="300", voucher_no="V3", paid_on=DAY, method="cash", actor=fin)
    cases.close(second, actor=rv)
    campaign = cases.plan_campaign(
        fund=funds["2015100001"], name="送温暖", amount_each="500", unit_ids=None, actor=cw
    )
    cases.approve_campaign(campaign, actor=rv, today=DAY)
    cases.pay(campaign.cases[0], amount="500", voucher_no="SN1", paid_on=DAY, method="cash", actor=fin)
    for seq in (50, 51):
        mw = registry.register_model_worker(
            name=f"劳模{seq}",
            id_number=make_id(seq),
            level="national",
            employer="厂",
            title_year="2000",
            unit=unit,
            actor=cw,
        )
        cases.pay_checkup(
            mw, fund=funds["2015100002"], amount="500", voucher_no=f"TJ{seq}", paid_on=DAY, actor=fin
        )
    db.session.commit()
    return funds


def test_a_busy_year_reconciles(busy_year):
    result = reconciliation.reconcile(2015)
    assert result.ok, [(f.fund.code, [c.problems for c in f.checks]) for f in result.funds] + [
        c.problems for c in result.department
    ]
    by_code = {f.fund.code: f for f in result.funds}
    hardship = by_code["2015100001"].balance
    # 4000 approved (1500 paid), 800 approved (300 paid, rest released), 5 × 500 campaign (500 paid)
    assert hardship.paid == Decimal("2300.00")
    assert hardship.committed == Decimal("2500.00") + Decimal("2000.00")
    assert hardship.available == Decimal("300000.00") - hardship.paid - hardship.committed
    assert by_code["2015100002"].balance.paid == Decimal("1000.00")
    assert by_code["2015100001"].ledger_sum == Decimal("300000.00")
    assert result.special_public_total == Decimal("323000.00")
    assert result.budget_total == Decimal("665604.71")


def test_a_ledger_row_changed_behind_the_apps_back_is_named(app, busy_year, is_postgres):
    entry = (
        db.session.execute(select(Transfer).where(Transfer.kind == "payment").order_by(Transfer.seq.desc()))
        .scalars()
        .first()
    )
    seq, entry_id = entry.seq, entry.id
    db.session.remove()
    with db.engine.begin() as connection:
        if is_postgres:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS ledger_transfers_no_update"))
        money = "amount + 1" if is_postgres else "amount + 100"  # one yuan, whichever way it is stored
        connection.execute(text(f"UPDATE ledger_transfers SET amount = {money} WHERE id = {entry_id}"))
    result = reconciliation.reconcile(2015)
    assert not result.ok
    fund = next(f for f in result.funds if f.fund.code == "2015100001")
    failing = {c.key: c.problems for c in fund.checks if not c.ok}
    assert f"Entry {seq}" in " ".join(failing["running"]) or f"第 {seq}" in " ".join(failing["running"])
    assert "ledger_sum" in failing and "payments" in failing
    runner = app.test_cli_runner()
    output = runner.invoke(args=["reconcile", "--year", "2015"])
    assert output.exit_code == 1 and str(seq) in output.output


def test_the_reconciliation_page(client, auth, busy_year):
    auth.login("auditor")
    page = client.get("/reconciliation?year=2015").get_data(as_text=True)
    assert "¥323,000.00" in page and "¥665,604.71" in page
    assert "failed" not in page and "未通过" not in page


def test_past_the_page_limit_the_page_shows_the_latest_run_and_runs_a_new_one_in_the_background(
    app, client, auth, busy_year, make_user
):
    """A province's books are too long to check per request: the page offers a run as a
    background job, then shows its result with when and by whom; new entries since are
    counted. A district user has their own runs (their scope), not the province's."""
    app.config["RECONCILE_PAGE_MAX_ENTRIES"] = 5
    auditor = auth.login("auditor", "province-auditor")
    first = client.get("/reconciliation?year=2015").get_data(as_text=True)
    assert "尚未运行过对账" in first and "立即对账" in first and "¥323,000.00" not in first
    started = client.post("/reconciliation/run", data={"year": "2015"}, follow_redirects=True)
    assert started.request.path.startswith("/jobs/")
    done = wait_for_job(client, started.request.path)
    assert "2015 年度对账完成：全部核对项通过" in done and "查看结果" in done
    page = client.get("/reconciliation?year=2015").get_data(as_text=True)
    assert "¥323,000.00" in page and "¥665,604.71" in page
    assert "province-auditor" in page and "立即对账" in page and "未通过" not in page
    run = reconciliation.latest_run(2015, None)
    assert run is not None and run.ok and run.created_by_id == auditor.id
    assert run.entries == reconciliation.entries_in(2015)
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "reconciliation.run")
    ).scalar_one()
    assert logged.actor_id == auditor.id

    # A district user sees no run of theirs yet: the province's covers more than theirs.
    auth.logout()
    auth.login("auditor", "district-auditor")
    district = db.session.execute(select(User).where(User.username == "district-auditor")).scalar_one()
    district.unit_id = busy_year["2015100001"].unit_id
    db.session.commit()
    assert "尚未运行过对账" in client.get("/reconciliation?year=2015").get_data(as_text=True)


def test_the_nightly_command_keeps_its_run_for_the_page(app, client, auth, busy_year):
    app.config["RECONCILE_PAGE_MAX_ENTRIES"] = 5
    result = app.test_cli_runner().invoke(args=["reconcile", "--year", "2015"])
    assert result.exit_code == 0, result.output
    auth.login("auditor")
    page = client.get("/reconciliation?year=2015").get_data(as_text=True)
    assert "¥323,000.00" in page and "cli:" in page


def test_a_failing_check_is_kept_in_the_run_and_shown(app, client, auth, busy_year, is_postgres):
    app.config["RECONCILE_PAGE_MAX_ENTRIES"] = 5
    entry_id = (
        db.session.execute(select(Transfer.id).where(Transfer.kind == "payment").order_by(Transfer.id.desc()))
        .scalars()
        .first()
    )
    db.session.remove()
    with db.engine.begin() as connection:
        if is_postgres:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS ledger_transfers_no_update"))
        money = "amount + 1" if is_postgres else "amount + 100"
        connection.execute(text(f"UPDATE ledger_transfers SET amount = {money} WHERE id = {entry_id}"))
    auth.login("auditor")
    started = client.post("/reconciliation/run", data={"year": "2015"}, follow_redirects=True)
    assert "部分核对项未通过" in wait_for_job(client, started.request.path)
    page = client.get("/reconciliation?year=2015").get_data(as_text=True)
    assert "flash-danger" in page and "✗" in page


def test_a_run_of_a_year_that_does_not_exist_is_not_found(client, auth, busy_year):
    auth.login("auditor")
    assert client.post("/reconciliation/run", data={"year": "2031"}).status_code == 404
    assert client.post("/reconciliation/run", data={"year": "x"}).status_code == 404


def _open_package(path):
    import csv
    import hashlib
    import io
    import json
    import zipfile

    archive = zipfile.ZipFile(path)
    manifest = json.loads(archive.read("manifest.json"))
    tables = {}
    for entry in manifest["files"]:
        data = archive.read(entry["name"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
        if entry["name"].endswith(".csv"):
            assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert len(rows) - 1 == entry["rows"], entry["name"]
            tables[entry["name"]] = rows
    return archive, manifest, tables


def test_the_audit_package_matches_the_reconciliation(app, busy_year, tmp_path):
    import io
    import re

    from openpyxl import load_workbook

    path = tmp_path / "audit.zip"
    result = app.test_cli_runner().invoke(args=["export", "audit", "--year", "2015", "--out", str(path)])
    assert result.exit_code == 0, result.output
    archive, manifest, tables = _open_package(path)
    names = {f["name"] for f in manifest["files"]}
    assert names == {
        "ledger.csv",
        "cases.csv",
        "payments.csv",
        "reversals.csv",
        "registry.csv",
        "budget.csv",
        "budget_revisions.csv",
        "reconciliation.csv",
        "audit_log.csv",
        "audit.xlsx",
    }

    funds = {f["code"]: f for f in manifest["reconciliation"]["funds"]}
    recon = reconciliation.reconcile(2015)
    for item in recon.funds:
        assert funds[item.fund.code]["paid"] == f"{item.balance.paid:.2f}"
        assert funds[item.fund.code]["committed"] == f"{item.balance.committed:.2f}"
    paid_total = sum(Decimal(f["paid"]) for f in funds.values())
    payments = sum(Decimal(r[4]) for r in tables["payments.csv"][1:])
    reversals = sum(Decimal(r[2]) for r in tables["reversals.csv"][1:])
    assert payments - reversals == paid_total == Decimal("3300.00")
    by_name = {f["name"]: f for f in manifest["files"]}
    assert (
        Decimal(by_name["payments.csv"]["totals"]["amount"])
        - Decimal(by_name["reversals.csv"]["totals"]["amount"])
        == paid_total
    )
    assert manifest["reconciliation"]["special_public_total"] == "323000.00"
    assert Decimal(by_name["budget.csv"]["totals"]["projects"]) == Decimal("323000.00")

    registry_text = "\n".join(",".join(r) for r in tables["registry.csv"])
    assert not re.search(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])", registry_text)
    head = manifest["audit_chain_head"]
    assert (
        tables["audit_log.csv"][-1][0] == str(head["seq"]) and tables["audit_log.csv"][-1][-1] == head["hash"]
    )
    assert tables["audit_log.csv"][-1][5] == "export.audit_package"

    book = load_workbook(io.BytesIO(archive.read("audit.xlsx")), read_only=True)
    assert {"台账", "发放", "红冲", "困难职工档案", "部门预算", "对账", "审计日志"} <= set(book.sheetnames)
    sheet_payments = sum(Decimal(str(r[4])) for r in list(book["发放"].iter_rows(values_only=True))[1:])
    assert sheet_payments == payments
    book.close()
    archive.close()


def test_the_auditor_downloads_the_package(client, auth, busy_year):
    from app.models import AuditEntry

    auth.login("auditor")
    with client.get("/audit/export?year=2015") as response:
        assert response.status_code == 200 and response.data.startswith(b"PK")
        assert response.headers["Content-Type"] == "application/zip"
    assert (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "export.audit_package"))
        .scalars()
        .first()
    )
    assert client.get("/audit/export?year=1999").status_code == 404


def test_the_budget_table_with_execution_carries_every_project_line(client, auth, busy_year):
    import io
    from datetime import date as day

    from openpyxl import load_workbook

    from app.services import budget_report

    rows = budget_report.execution_rows(2015)
    assert [(r.functional_class, r.economic_class, r.project_code, r.name, r.amount) for r in rows] == [
        ("2012902", "30399", "2015100001", "困难职工帮扶资金", Decimal("300000.00")),
        ("2012902", "30399", "2015100002", "省部级劳模体检费", Decimal("23000.00")),
    ]
    hardship, checkup = rows
    assert hardship.executed == Decimal("2300.00") and hardship.remaining == Decimal("297700.00")
    assert checkup.executed == Decimal("1000.00") and checkup.general == Decimal("23000.00")
    assert budget_report.execution_rows(2015, day(2015, 1, 19))[0].executed == Decimal("0.00")

    auth.login("finance")
    page = client.get("/reports/budget-execution?year=2015").get_data(as_text=True)
    assert "2015100001" in page and "¥297,700.00" in page and "¥323,000.00" in page
    response = client.get("/reports/budget-execution.xlsx?year=2015")
    book = load_workbook(io.BytesIO(response.data))
    values = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    # 年初预算, the four sources, (one column per revision: none here), 调整后预算, then 已执行
    assert values[0][3] == "2015100001" and Decimal(str(values[0][10])) == Decimal("300000")
    assert Decimal(str(values[0][11])) == Decimal("2300")
    assert values[-1][0] == "合计" and Decimal(str(values[-1][5])) == Decimal("323000")


def test_the_performance_report(client, auth, busy_year):
    import io

    from openpyxl import load_workbook

    from app.services import performance

    report = performance.performance(2015)
    # Net of the reversal: 1500 + 300 + 500, to two households (the campaign's first line is 户1 again).
    assert (report.total.count, report.total.paid) == (2, Decimal("2300.00"))
    assert report.by_aid_type["medical"].paid == Decimal("1500.00")
    assert report.by_aid_type["living"].count == 2
    assert report.by_category[1].paid == Decimal("2300.00")
    assert report.by_month[1].paid == Decimal("2300.00")
    assert (report.campaign_households, report.campaign_paid_households) == (5, 1)
    assert (report.model_workers_paid, report.model_workers_entitled, report.checkup_places) == (2, 2, 46)
    auth.login("auditor")
    page = client.get("/reports/performance?year=2015").get_data(as_text=True)
    assert "共帮扶 2 户" in page and "医疗救助" in page and "预算名额 46 人" in page
    book = load_workbook(io.BytesIO(client.get("/reports/performance.xlsx?year=2015").data))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "按困难类别" in book.sheetnames and 2300 in [int(v) for v in cells if isinstance(v, (int, float))]


def _behind_the_apps_back(is_postgres: bool, *statements: str) -> None:
    """Run SQL with the append-only guards out of the way, as an intruder with the
    database password could."""
    db.session.remove()
    with db.engine.begin() as connection:
        if is_postgres:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in ("ledger_transfers", "payments", "payment_reversals"):
                for action in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
        for statement in statements:
            connection.execute(text(statement))


def _failing(year: int = 2015) -> dict[str, dict[str, list[str]]]:
    result = reconciliation.reconcile(year)
    return {f.fund.code: {c.key: c.problems for c in f.checks if not c.ok} for f in result.funds}


@pytest.mark.parametrize(
    ("tamper", "fund", "check", "expected"),
    [
        (
            "UPDATE ledger_transfers SET seq = seq + 100 WHERE id = (SELECT max(id) FROM ledger_transfers"
            " WHERE fund_id = (SELECT id FROM funds WHERE code = '2015100002'))",
            "2015100002",
            "running",
            "missing or out of order",
        ),
        (
            "DELETE FROM payments WHERE voucher_no = 'V3'",
            "2015100001",
            "payments",
            "no payment record",
        ),
        (
            "UPDATE ledger_transfers SET reverses_id ="
            " (SELECT transfer_id FROM payments WHERE voucher_no = 'V2') WHERE kind = 'reversal'",
            "2015100001",
            "reversals",
            "does not undo its original",
        ),
        (
            "DELETE FROM payment_reversals",
            "2015100001",
            "reversals",
            "0 payment reversals are recorded, the ledger holds 1",
        ),
        (
            "UPDATE funds SET last_seq = last_seq + 1 WHERE code = '2015100002'",
            "2015100002",
            "running",
            "The fund counts",
        ),
    ],
)
def test_each_check_names_what_was_changed(app, busy_year, is_postgres, tamper, fund, check, expected):
    assert _failing() == {"2015100001": {}, "2015100002": {}}
    _behind_the_apps_back(is_postgres, tamper)
    with force_locale("en"):
        failing = _failing()
    assert check in failing[fund], failing
    assert any(expected in problem for problem in failing[fund][check]), failing[fund][check]
    other = next(code for code in failing if code != fund)
    assert failing[other] == {}


def test_the_month_chart_sums_payments_by_date_leaving_reversed_ones_out(busy_year):
    from app.services import budget_report

    months = budget_report.monthly_payments(busy_year["2015100001"])
    assert months[0] == Decimal("2300.00")  # 1,500 + 300 + 500; the reversed 1,000 is left out
    assert months[1:] == [Decimal("0.00")] * 11
    assert budget_report.monthly_payments(busy_year["2015100002"])[0] == Decimal("1000.00")


def test_the_month_totals_migration_backfills_what_the_services_keep(app, busy_year):
    from flask_migrate import downgrade, upgrade

    from app.services import budget_report

    ids = {code: fund.id for code, fund in busy_year.items()}
    kept = {code: budget_report.monthly_payments(fund) for code, fund in busy_year.items()}
    assert kept["2015100001"][0] == Decimal("2300.00")
    db.session.commit()
    db.session.remove()
    with logging_kept():  # or the app's logger stays silenced for the tests after this one
        downgrade(revision="0006")
        upgrade()
    assert {
        code: budget_report.monthly_payments(db.session.get(Fund, id_)) for code, id_ in ids.items()
    } == kept
