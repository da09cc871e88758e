"""The main journey in a real browser (Debian's Chromium driven by Playwright):
a caseworker registers a household and opens a case, a reviewer approves it (and is
refused on a case of their own), finance pays it and sees the balance drop, the
auditor downloads the audit package; and a form error is shown next to its field.

Screenshots of each main page go to tests/e2e/screenshots/ (ignored by git)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import login as _login
from tests.e2e.conftest import shot as _shot
from tests.registry_helpers import make_id


def test_the_main_journey(live_server: str, browser: Browser):
    base = live_server
    caseworker = _login(browser, base, "caseworker")
    _shot(caseworker, "home")
    caseworker.goto(f"{base}/workers/new")
    caseworker.get_by_label("姓名", exact=True).fill("王小明")
    caseworker.get_by_label("身份证号", exact=True).fill(make_id(501))
    caseworker.get_by_label("手机号", exact=True).fill("13900139000")
    caseworker.get_by_label("工作单位", exact=True).fill("桥西区纺织厂")
    caseworker.get_by_label("家庭人口（人）", exact=True).fill("2")
    caseworker.get_by_label("家庭月收入（元）", exact=True).fill("1000")
    caseworker.get_by_label("困难类别", exact=True).select_option("1")
    caseworker.get_by_label("致困主因", exact=True).select_option("illness_self")
    caseworker.get_by_role("button", name="保存").click()
    expect(caseworker.get_by_role("heading", level=1)).to_contain_text("王小明")
    expect(caseworker.locator("body")).to_contain_text("1101**********")
    _shot(caseworker, "worker")

    caseworker.get_by_role("link", name="新建帮扶申请").click()
    caseworker.get_by_label("帮扶方式", exact=True).select_option("medical")
    caseworker.get_by_label("申请金额（元；不涉及资金的帮扶填 0）", exact=True).fill("2000")
    caseworker.get_by_label("证明材料所列个人自付金额（元；仅医疗救助）", exact=True).fill("2600")
    caseworker.get_by_label("原因", exact=True).fill("住院治疗")
    caseworker.get_by_role("button", name="保存为草稿").click()
    caseworker.get_by_role("button", name="提交").click()
    expect(caseworker.locator("h1")).to_contain_text("已提交")
    case_url = caseworker.url
    _shot(caseworker, "case")

    reviewer = _login(browser, base, "reviewer")
    reviewer.goto(case_url)
    reviewer.get_by_label("批准金额（元）", exact=True).fill("2000.00")
    reviewer.get_by_role("button", name="审批通过").click()
    expect(reviewer.locator("h1")).to_contain_text("已批准")
    # The reviewer's own case: refused under the four-eyes rule.
    reviewer.goto(f"{base}/cases")
    reviewer.get_by_role("row").filter(has_text="审核人经办户").get_by_role("link").first.click()
    reviewer.get_by_role("button", name="审批通过").click()
    expect(reviewer.locator(".flash-danger")).to_contain_text("四眼原则")
    _shot(reviewer, "four-eyes-refused")

    finance = _login(browser, base, "finance")
    finance.goto(case_url)
    finance.get_by_label("金额（元）", exact=True).fill("2000.00")
    finance.get_by_label("凭证号", exact=True).fill("PZ-E2E-1")
    finance.get_by_label("发放日期", exact=True).fill("2015-03-05")
    finance.get_by_role("button", name="发放").click()
    # The money moves only once the confirmation that names it is answered.
    dialog = finance.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("¥2,000.00（贰仟元整）")
    dialog.get_by_role("button", name="确认发放").click()
    expect(finance.locator("h1")).to_contain_text("已支付")
    finance.goto(f"{base}/funds?year=2015")  # the balances (the home page is 工作台)
    expect(finance.locator("td.available").first).to_have_text("¥298,000.00")
    _shot(finance, "balance-after-payment")

    auditor = _login(browser, base, "auditor")
    auditor.goto(f"{base}/audit/")
    _shot(auditor, "audit-log")
    auditor.get_by_role("button", name="生成 2015 年度审计包").click()
    expect(auditor.locator("progress")).to_be_visible()
    _shot(auditor, "audit-package-progress")
    link = auditor.get_by_role("link", name="下载", exact=True)
    expect(link).to_be_visible(timeout=60_000)  # the page refreshes itself until the job is done
    with auditor.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "audit-2015.zip"
    auditor.goto(f"{base}/reconciliation?year=2015")
    expect(auditor.locator("body")).to_contain_text("全部核对通过")
    _shot(auditor, "reconciliation")


def test_a_form_error_is_shown_next_to_its_field(live_server: str, browser: Browser):
    page = _login(browser, live_server, "caseworker")
    page.goto(f"{live_server}/workers/new")
    page.get_by_label("姓名", exact=True).fill("李四")
    page.get_by_label("身份证号", exact=True).fill("110105198001010014")
    page.get_by_role("button", name="保存").click()
    field = page.locator(".field.has-error").filter(has=page.get_by_label("身份证号", exact=True))
    expect(field).to_contain_text("校验码不正确")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("李四")  # what was typed stays
    _shot(page, "form-error")
    assert re.search(r"[\u4e00-\u9fff]", page.content())


def test_an_administrator_gives_a_new_colleague_an_account(live_server: str, browser: Browser):
    """The administrator creates a caseworker in the browser and reads the one-time password
    off the page; the colleague logs in with it, must choose a new one, and is in."""
    base = live_server
    admin = _login(browser, base, "admin")
    admin.get_by_role("link", name="用户管理").click()
    admin.get_by_role("link", name="新建用户").click()
    admin.get_by_label("用户名", exact=True).fill("xiaoli")
    admin.get_by_label("角色", exact=True).select_option("caseworker")
    admin.get_by_label("工会单位", exact=True).select_option("711002")
    admin.get_by_role("button", name="创建").click()
    expect(admin.locator(".flash-success")).to_contain_text("用户 xiaoli 已创建")
    once = admin.locator("code.secret").inner_text().strip()
    _shot(admin, "admin-one-time-password")
    admin.get_by_role("link", name="政策参数").first.click()
    admin.get_by_label("政策参数", exact=True).select_option("notice_days")
    admin.get_by_label("值", exact=True).fill("七")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".field.has-error")).to_be_visible()  # a number of days, in words, is refused
    admin.get_by_label("值", exact=True).fill("5")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".flash-success")).to_contain_text("政策参数已保存")
    _shot(admin, "admin-policy")

    colleague = browser.new_context(locale="zh-CN").new_page()
    colleague.goto(f"{base}/login")
    colleague.get_by_label("用户名", exact=True).fill("xiaoli")
    colleague.get_by_label("密码", exact=True).fill(once)
    colleague.get_by_role("button", name="登录").click()
    expect(colleague).to_have_url(re.compile(r"/password$"))
    colleague.get_by_label("当前密码", exact=True).fill(once)
    colleague.get_by_label("新密码", exact=True).fill("Gonghui-Bangfu-2015")
    colleague.get_by_label("再次输入新密码", exact=True).fill("Gonghui-Bangfu-2015")
    colleague.get_by_role("button", name="保存").click()
    expect(colleague.locator(".flash-success")).to_contain_text("密码已修改")
