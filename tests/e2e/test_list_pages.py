"""The list pages in Chromium: 新建 from the case list to the chosen household's form with
scripts off, the case list's filter and export, and the fund ledger with its print
version (as the printer would lay it out); screenshots at 1366 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login, shot


def test_new_application_from_the_list_without_scripts(live_server, browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名", exact=True).fill("caseworker")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server}/cases")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "case-list-1366")
    page.get_by_role("link", name="新建帮扶申请").click()
    page.get_by_label("困难户").fill("审核人")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="为审核人经办户新建申请").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("审核人经办户")
    context.close()


def test_the_ledger_page_and_its_print_version(live_server, browser):
    page = login(browser, live_server, "finance")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/funds/2015100001/ledger?year=2015")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2015100001")
    shot(page, "fund-ledger-1366")
    page.goto(f"{live_server}/funds/2015100001/ledger/print?year=2015")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_text("财务负责人")).to_be_visible()
    shot(page, "fund-ledger-print")
    page.context.close()
