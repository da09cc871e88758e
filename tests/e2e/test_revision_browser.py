"""预算调整 in the browser: finance opens the fund list, goes to the hardship fund's revisions,
records a revision with its document number and sees the new budget on the page and on
the fund list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.slow


def test_finance_records_a_budget_revision_and_sees_the_new_budget(live_server, browser):
    page = login(browser, live_server, "finance")
    page.goto(f"{live_server}/funds?year=2015")
    page.get_by_role("row", name="2015100001").get_by_role("link", name="调整预算").click()
    expect(page.locator("h1")).to_contain_text("预算调整")
    expect(page.locator(".current-budget")).to_contain_text("300,000.00")
    page.get_by_label("调整方式").select_option("increase")
    page.get_by_label("金额（元）").fill("50,000")
    page.get_by_label("调整文号").fill("桥财预〔2015〕12号")
    page.get_by_label("调整日期").fill("2015-06-30")
    page.get_by_label("调整原因").fill("追加困难职工帮扶资金")
    page.get_by_role("button", name="调整预算").click()
    expect(page.locator(".flash-success, .flash")).to_contain_text("预算已调整")
    expect(page.locator(".current-budget")).to_contain_text("350,000.00")
    expect(page.locator("table.revisions")).to_contain_text("桥财预〔2015〕12号")
    shot(page, "budget-revision")
    # A decrease below zero is refused at the amount, nothing changed.
    page.get_by_label("调整方式").select_option("decrease")
    page.get_by_label("金额（元）").fill("400,000")
    page.get_by_label("调整文号").fill("桥财预〔2015〕13号")
    page.get_by_label("调整日期").fill("2015-07-01")
    page.get_by_label("调整原因").fill("压减")
    page.get_by_role("button", name="调整预算").click()
    expect(page.locator("p.error")).to_be_visible()
    expect(page.locator(".current-budget")).to_contain_text("350,000.00")
    page.goto(f"{live_server}/funds?year=2015")
    expect(page.get_by_role("row", name="2015100001")).to_contain_text("350,000.00")
