"""The year end (年终结转) in Chromium: with the 2016 budget loaded beside 2015, finance
carries one open case of 2015 over into 2016 and releases another with a reason, and the
year-end report shows each, with the totals."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Unit
from tests.batch_helpers import approved_cases
from tests.e2e.conftest import login, shot
from tests.year_helpers import load_budget_2016


def _setup(database: str, folder: Path) -> list[int]:
    """Two approved cases of 2015 (150.00 and 260.00) and the 2016 budget loaded from a file."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        try:
            unit = db.session.execute(select(Unit).where(Unit.code == "711002")).scalar_one()
            made = [approved_cases(unit, 1, first=20, amount="150")[0].id]
            made.append(approved_cases(unit, 1, first=21, amount="260")[0].id)
            load_budget_2016(folder)
            return made
        finally:
            db.session.remove()
            db.engine.dispose()


def test_carry_one_case_over_release_another_and_see_the_report(
    live_server: str, browser: Browser, database: str, tmp_path: Path
) -> None:
    carried, released = _setup(database, tmp_path)
    page = login(browser, live_server, "finance")
    page.goto(f"{live_server}/year-end?year=2015")
    row = page.locator(f"#case-{carried}")
    expect(row).to_contain_text("150.00")
    expect(row).to_contain_text("2016 2015100001")
    row.get_by_role("button", name="结转至 2016 年度").click()
    expect(page.locator(".flash-success")).to_contain_text("已将 1 件申请结转至 2016 年度")
    expect(page.locator(f"#case-{carried}")).to_have_count(0)

    other = page.locator(f"#case-{released}")
    other.get_by_role("button", name="释放占用资金").click()  # no reason: refused, nothing done
    expect(page.locator(".flash-danger")).to_contain_text("请填写释放占用资金的原因")
    other = page.locator(f"#case-{released}")
    other.get_by_label("原因或说明（释放时必填）").fill("已由民政部门救助")
    other.get_by_role("button", name="释放占用资金").click()
    expect(page.locator(".flash-success")).to_contain_text("已释放并结案 1 件申请")
    expect(page.locator(".empty")).to_contain_text("该年度可以结账")

    page.get_by_role("link", name="年终结转表").click()
    expect(page.locator("h1")).to_contain_text("2015 年度年终结转与释放情况")
    expect(page.locator(".carried-total")).to_contain_text("150.00")
    expect(page.locator(".released-total")).to_contain_text("260.00")
    expect(page.locator("#carried-total")).to_contain_text("150.00")
    expect(page.locator("main")).to_contain_text("已由民政部门救助")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 XLSX").click()
    assert download.value.suggested_filename == "year-end-2015.xlsx"
    shot(page, "year-end-report")
