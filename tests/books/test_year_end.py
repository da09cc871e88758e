"""年终结转: the 2016 budget loaded beside 2015 from a file made for the test, each year
showing its own figures; at the 2015 close each open case carried over into the 2016 fund
of the same code or released, through the API, the pages and the command line; both
years' ledgers reconcile afterwards; refusals change nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Case, Fund
from app.services import cases, ledger, units
from tests.batch_helpers import approved_cases
from tests.conftest import ACTOR
from tests.year_helpers import HARDSHIP_CODE, load_budget_2016, write_budget_2016

CARRY = "/api/v1/years/2015/carry-over"


@pytest.fixture
def token(app, make_user):
    """Factory: a bearer token for a new user of a role in unit 711002."""
    from tests.api.conftest import token as api_token

    return api_token.__wrapped__(app, make_user)


def _fund(year: int) -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == HARDSHIP_CODE, Fund.year == year)).scalar_one()


def _funds(client, headers, year: int) -> dict[str, dict]:
    answer = client.get(f"/api/v1/funds?year={year}", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["year"] == year
    return {f["code"]: f for f in answer.json["funds"]}


def _reconciled(client, headers, year: int) -> bool:
    answer = client.get(f"/api/v1/reconciliation?year={year}", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return bool(answer.json["ok"])


def _open(world, count: int, amount: str = "100") -> list[Case]:
    return approved_cases(world.budget.unit, count, amount=amount, card=False)


def test_the_2016_budget_loads_from_its_file_beside_2015_and_each_year_shows_only_its_own(
    world, app, client, token, auth, tmp_path
):
    _open(world, 1, amount="500")
    path = write_budget_2016(tmp_path)
    loaded = app.test_cli_runner().invoke(args=["budget", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    headers = token("finance")
    funds_2015, funds_2016 = _funds(client, headers, 2015), _funds(client, headers, 2016)
    assert (funds_2015[HARDSHIP_CODE]["budget"], funds_2015[HARDSHIP_CODE]["committed"]) == (
        "300000.00",
        "500.00",
    )
    assert (funds_2016[HARDSHIP_CODE]["budget"], funds_2016[HARDSHIP_CODE]["committed"]) == (
        "280000.00",
        "0.00",
    )
    assert _reconciled(client, headers, 2015) and _reconciled(client, headers, 2016)
    # The pages of each year show that year's budget.
    auth.login("finance")
    page_2016 = client.get("/funds?year=2016").get_data(as_text=True)
    assert "280,000.00" in page_2016 and "300,000.00" not in page_2016
    assert "300,000.00" in client.get("/funds?year=2015").get_data(as_text=True)
    execution = client.get("/reports/budget-execution?year=2016").get_data(as_text=True)
    assert "280,000.00" in execution and "300,000.00" not in execution
    reconciliation = client.get("/reconciliation?year=2016").get_data(as_text=True)
    assert "flash-success" in reconciliation and "280,000.00" in reconciliation


def test_open_cases_carried_over_leave_both_years_reconciled_and_the_year_can_close(
    world, client, token, tmp_path
):
    made = _open(world, 2, amount="300")
    finance = token("finance")
    cases.pay(made[0], amount="100", voucher_no="V-1", paid_on=date(2015, 6, 1), method="cash", actor=ACTOR)
    db.session.commit()
    load_budget_2016(tmp_path)

    refused = client.post("/api/v1/years/2015/close", headers=finance, json={})
    assert refused.status_code == 409 and "年终结转" in refused.json["detail"]

    answer = client.post(CARRY, headers=finance, json={"case_ids": [c.id for c in made], "action": "carry"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    carried = {row["case_id"]: row for row in answer.json["cases"]}
    assert carried[made[0].id]["amount"] == "200.00" and carried[made[1].id]["amount"] == "300.00"
    assert {row["status"] for row in carried.values()} == {"closed"}
    assert {(row["next_year"], row["next_fund_code"]) for row in carried.values()} == {(2016, HARDSHIP_CODE)}

    f15, f16 = _funds(client, finance, 2015)[HARDSHIP_CODE], _funds(client, finance, 2016)[HARDSHIP_CODE]
    assert (f15["committed"], f15["paid"], f15["available"]) == ("0.00", "100.00", "299900.00")
    assert (f16["committed"], f16["available"]) == ("500.00", "279500.00")
    assert _reconciled(client, finance, 2015) and _reconciled(client, finance, 2016)

    # Both entries are visible: the release in 2015's ledger, the commitment in 2016's.
    db.session.expire_all()
    kinds_2015 = [t.kind for t in ledger.ledger_entries(_fund(2015))]
    kinds_2016 = [t.kind for t in ledger.ledger_entries(_fund(2016))]
    assert kinds_2015[-2:] == ["release", "release"] and kinds_2016[-2:] == ["commitment", "commitment"]
    successor = db.session.get(Case, carried[made[0].id]["next_case_id"])
    assert (successor.year, successor.status, successor.approved_amount) == (
        2016,
        "approved",
        Decimal("200.00"),
    )
    assert successor.worker_id == made[0].worker_id and str(made[0].id) in successor.reason

    # The year closes now, and the carried case is paid in 2016.
    closed = client.post("/api/v1/years/2015/close", headers=finance, json={})
    assert closed.status_code == 200, closed.get_data(as_text=True)
    paid = client.post(
        f"/api/v1/cases/{successor.id}/payments",
        headers=finance,
        json={"amount": "200.00", "voucher_no": "V-2016-1", "paid_on": "2016-02-01", "method": "cash"},
    )
    assert paid.status_code == 201, paid.get_data(as_text=True)
    assert _reconciled(client, finance, 2015) and _reconciled(client, finance, 2016)
    assert _funds(client, finance, 2016)[HARDSHIP_CODE]["paid"] == "200.00"
    # Each year's audit package holds that year's cases: the carried one in 2016's only.
    auditor = token("auditor")
    for year, holds, lacks in ((2015, made[0].id, successor.id), (2016, successor.id, made[0].id)):
        answer = client.get(f"/api/v1/audit/export?year={year}", headers=auditor)
        assert answer.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(answer.data))
        answer.close()
        listed = [
            line.split(",")[0] for line in archive.read("cases.csv").decode("utf-8-sig").splitlines()[1:]
        ]
        assert str(holds) in listed and str(lacks) not in listed


def test_a_case_released_at_the_year_end_is_closed_with_its_reason(world, client, token, tmp_path):
    made = _open(world, 1, amount="250")
    finance = token("finance")
    without = client.post(CARRY, headers=finance, json={"case_ids": [made[0].id], "action": "release"})
    assert without.status_code == 422 and "reason" in without.json["errors"]
    answer = client.post(
        CARRY, headers=finance, json={"case_ids": [made[0].id], "action": "release", "reason": "家庭已脱困"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    row = answer.json["cases"][0]
    assert (row["status"], row["amount"], row["next_case_id"]) == ("closed", "250.00", None)
    assert _funds(client, finance, 2015)[HARDSHIP_CODE]["committed"] == "0.00"
    assert _reconciled(client, finance, 2015)
    again = client.post(
        CARRY, headers=finance, json={"case_ids": [made[0].id], "action": "release", "reason": "再次"}
    )
    assert again.status_code == 409


def test_carrying_over_is_refused_when_2016_lacks_the_fund_or_the_money_and_nothing_changes(
    world, client, token, tmp_path
):
    made = _open(world, 2, amount="300")
    finance = token("finance")
    ids = [c.id for c in made]
    no_budget = client.post(CARRY, headers=finance, json={"case_ids": ids, "action": "carry"})
    assert no_budget.status_code == 409 and "2016" in no_budget.json["detail"]

    load_budget_2016(tmp_path, hardship="400.00")  # room for one case of 300, not two
    before_2015 = _funds(client, finance, 2015)[HARDSHIP_CODE]
    short = client.post(CARRY, headers=finance, json={"case_ids": ids, "action": "carry"})
    assert short.status_code == 409, short.get_data(as_text=True)
    assert _funds(client, finance, 2015)[HARDSHIP_CODE] == before_2015
    f16 = _funds(client, finance, 2016)[HARDSHIP_CODE]
    assert (f16["committed"], f16["available"]) == ("0.00", "400.00")
    db.session.expire_all()
    assert {db.session.get(Case, i).status for i in ids} == {"approved"}
    assert db.session.execute(select(Case).where(Case.year == 2016)).first() is None
    # One of them fits.
    one = client.post(CARRY, headers=finance, json={"case_ids": ids[:1], "action": "carry"})
    assert one.status_code == 200
    assert _reconciled(client, finance, 2015) and _reconciled(client, finance, 2016)


def test_another_units_case_is_not_found_and_is_not_touched(world, client, make_user, tmp_path):
    from app.models import User
    from app.services import users as user_service

    made = _open(world, 1)
    load_budget_2016(tmp_path)
    units.create_unit("71100201", "桥西区某基层工会", "711002", actor=ACTOR)
    db.session.commit()
    below = make_user("finance", "below-finance", unit="71100201")
    value = user_service.issue_token(db.session.get(User, below.id), actor=ACTOR)
    db.session.commit()
    headers = {"Authorization": f"Bearer {value}"}
    answer = client.post(CARRY, headers=headers, json={"case_ids": [made[0].id], "action": "carry"})
    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get(Case, made[0].id).status == "approved"


def test_the_command_line_carries_every_open_case_and_writes_the_report(world, app, tmp_path):
    made = _open(world, 2, amount="120")
    load_budget_2016(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["year-end", "carry", "--year", "2015", "--all"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert {db.session.get(Case, c.id).status for c in made} == {"closed"}
    out = tmp_path / "year-end.xlsx"
    written = runner.invoke(args=["year-end", "report", "--year", "2015", "--out", str(out)])
    assert written.exit_code == 0, written.output
    sheet = load_workbook(out).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[-1][6] == 240  # the totals row: carried over 240.00
    refused = runner.invoke(args=["year-end", "carry", "--year", "2015", "--case", str(made[0].id)])
    assert refused.exit_code == 1


def test_the_year_end_page_carries_one_case_releases_another_and_reports_them(world, client, auth, tmp_path):
    made = _open(world, 2, amount="150")
    load_budget_2016(tmp_path)
    auth.login("finance")
    page = client.get("/year-end?year=2015").get_data(as_text=True)
    assert f'id="case-{made[0].id}"' in page and "2016 2015100001" in page
    carried = client.post(
        "/year-end/2015", data={"case_ids": str(made[0].id), "action": "carry", "reason": ""}
    )
    assert carried.status_code == 302
    refused = client.post(
        "/year-end/2015", data={"case_ids": str(made[1].id), "action": "release", "reason": ""}
    )
    assert refused.status_code == 422
    released = client.post(
        "/year-end/2015", data={"case_ids": str(made[1].id), "action": "release", "reason": "已由民政救助"}
    )
    assert released.status_code == 302
    report = client.get("/year-end/report?year=2015").get_data(as_text=True)
    assert "150.00" in report and "已由民政救助" in report
    workbook = client.get("/year-end/report.xlsx?year=2015")
    assert workbook.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(workbook.data)).active.iter_rows()]
    assert rows[-1][6] == 150 and rows[-1][7] == 150
    assert client.post("/year-end/2015", data={"case_ids": "999999", "action": "carry"}).status_code == 404


@pytest.mark.parametrize("action", ["carry", "release"])
def test_a_case_of_another_year_or_a_bad_request_is_refused(world, client, token, action):
    finance = token("finance")
    assert client.post(CARRY, headers=finance, json={"case_ids": [], "action": action}).status_code == 422
    assert client.post(CARRY, headers=finance, json={"case_ids": [1], "action": "keep"}).status_code == 422


def test_a_carried_case_is_not_counted_again_against_the_next_years_ceiling(world, tmp_path):
    from app.services import policy, year_end

    made = _open(world, 1, amount="300")
    load_budget_2016(tmp_path)
    policy.set_value(2016, "household_ceiling", "500", actor=ACTOR)
    year_end.choose(2015, [made[0].id], "carry", actor=ACTOR)
    db.session.commit()
    fresh = cases.open_case(
        made[0].worker, fund=_fund(2016), aid_type="living", amount="500", reason="新年度困难", actor=ACTOR
    )
    cases.submit(fresh, actor=ACTOR)
    cases.approve(fresh, actor=ACTOR)  # 500 of 2016's 500: the 300 carried was granted in 2015
    db.session.commit()
    assert fresh.status == "approved"
    assert ledger.balance(_fund(2016)).committed == Decimal("800.00")
