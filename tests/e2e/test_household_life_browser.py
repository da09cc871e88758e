"""One household's whole life on file, walked in a real browser by the people involved
(issue "A household's whole life on file", Done means): the administrator switches on the
year's home investigation, democratic review and public notice; a caseworker registers the
household, opens a case, records the investigation and the review and submits; on notice an
objection comes in and is recorded, the reviewer dismisses it with a reason and, the notice
over, approves; finance pays; the caseworker closes the file as out of hardship, makes the
first follow-up call, and takes the household back on file (返困) with the earlier period
still shown."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import login as _login
from tests.e2e.conftest import shot as _shot
from tests.registry_helpers import make_id

TODAY = date.today().isoformat()


def _set_policy(page: Page, base: str, key: str, value: str) -> None:
    page.goto(f"{base}/admin/policy?year=2015")
    page.get_by_label("政策参数", exact=True).select_option(key)
    page.get_by_label("值", exact=True).fill(value)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("p.error")).to_have_count(0)


def _confirm(page: Page, button: str) -> None:
    """Answer the confirmation that names what is about to happen."""
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button).click()


def _a_week_passes(database: str, case_id: int) -> None:
    """The seven days of the public notice go by (the case stays on notice until decided)."""
    engine = sa.create_engine(database)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE cases SET notice_start = :start, notice_end = :end WHERE id = :id"),
            {
                "start": date.today() - timedelta(days=8),
                "end": date.today() - timedelta(days=1),
                "id": case_id,
            },
        )
    engine.dispose()


def test_one_household_from_application_to_exit_and_back(live_server: str, browser: Browser, database: str):
    base = live_server
    admin = _login(browser, base, "admin")
    for key, value in (
        ("require_home_investigation", "是"),
        ("require_democratic_review", "是"),
        ("notice_days", "7"),
    ):
        _set_policy(admin, base, key, value)
    expect(admin.locator("body")).to_contain_text("审批前须入户调查")

    # The caseworker: the file, the application, what the decision will rest on.
    caseworker = _login(browser, base, "caseworker")
    caseworker.goto(f"{base}/workers/new")
    caseworker.get_by_label("姓名", exact=True).fill("刘大山")
    caseworker.get_by_label("身份证号", exact=True).fill(make_id(611))
    caseworker.get_by_label("手机号", exact=True).fill("13900139011")
    caseworker.get_by_label("工作单位", exact=True).fill("桥西区机械厂")
    caseworker.get_by_label("家庭人口（人）", exact=True).fill("3")
    caseworker.get_by_label("家庭月收入（元）", exact=True).fill("1200")
    caseworker.get_by_label("困难类别", exact=True).select_option("1")
    caseworker.get_by_label("致困主因", exact=True).select_option("illness_self")
    caseworker.get_by_role("button", name="保存").click()
    expect(caseworker.get_by_role("heading", level=1)).to_contain_text("刘大山")
    worker_url = caseworker.url

    caseworker.get_by_role("link", name="新建帮扶申请").click()
    caseworker.get_by_label("帮扶方式", exact=True).select_option("living")
    caseworker.get_by_label("申请金额（元；不涉及资金的帮扶填 0）", exact=True).fill("1500")
    caseworker.get_by_label("原因", exact=True).fill("本人患病，家庭收入低于低保线")
    caseworker.get_by_role("button", name="保存为草稿").click()
    case_url = caseworker.url
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    panel = caseworker.locator("#decision-basis")
    expect(panel).to_contain_text("尚未登记入户调查。")
    expect(panel).to_contain_text("尚未登记民主评议。")

    caseworker.get_by_label("入户日期", exact=True).fill(TODAY)
    caseworker.get_by_label("调查人（至少两名，每行一名）", exact=True).fill("张三")
    caseworker.get_by_label("调查情况", exact=True).fill("本人长期住院，家中无其他收入")
    caseworker.get_by_label("家庭已签署经济状况核对授权书", exact=True).check()
    caseworker.get_by_role("button", name="登记调查").click()
    # One investigator is refused at the field, with everything typed kept.
    expect(caseworker.locator("#investigators-error")).to_contain_text("至少两名调查人")
    expect(caseworker.get_by_label("调查情况", exact=True)).to_have_value("本人长期住院，家中无其他收入")
    caseworker.get_by_label("调查人（至少两名，每行一名）", exact=True).fill("张三\n李四")
    caseworker.get_by_role("button", name="登记调查").click()
    expect(panel).not_to_contain_text("尚未登记入户调查。")
    expect(panel).to_contain_text("张三、李四")

    caseworker.get_by_label("评议日期", exact=True).fill(TODAY)
    caseworker.get_by_label("参加人数", exact=True).fill("9")
    caseworker.get_by_label("结果", exact=True).select_option("agree")
    caseworker.get_by_role("button", name="登记评议").click()
    expect(panel).not_to_contain_text("尚未登记民主评议。")
    caseworker.get_by_role("button", name="提交").click()
    expect(caseworker.locator("h1")).to_contain_text("公示中")

    # On notice: an anonymous objection comes in and is recorded.
    caseworker.get_by_label("异议内容", exact=True).fill("群众反映其配偶另有经营收入")
    caseworker.get_by_role("button", name="登记异议").click()
    expect(caseworker.locator("#objections")).to_be_visible()
    expect(panel).to_contain_text("匿名")
    expect(panel).to_contain_text("公示期间收到的异议尚未处理")
    _shot(caseworker, "case-objection-open")

    # The reviewer settles it; the decision waits for the notice to end, then approves.
    reviewer = _login(browser, base, "reviewer")
    reviewer.goto(case_url)
    reviewer.get_by_role("button", name="审批通过").click()
    expect(reviewer.locator("body")).to_contain_text("公示期间收到的异议尚未处理")
    expect(reviewer.locator("h1")).to_contain_text("公示中")
    reviewer.get_by_label("异议处理结果", exact=True).select_option("dismissed")
    reviewer.get_by_label("异议成立或不成立的理由", exact=True).fill("经入户核实，其配偶无经营收入")
    reviewer.get_by_role("button", name="处理异议").click()
    expect(reviewer.locator("#decision-basis")).to_contain_text("异议不成立")
    expect(reviewer.locator("#decision-basis")).not_to_contain_text("尚未处理")
    _a_week_passes(database, case_id)
    reviewer.goto(case_url)
    reviewer.get_by_label("批准金额（元）", exact=True).fill("1500.00")
    reviewer.get_by_role("button", name="审批通过").click()
    expect(reviewer.locator("h1")).to_contain_text("已批准")

    finance = _login(browser, base, "finance")
    finance.goto(case_url)
    finance.get_by_label("金额（元）", exact=True).fill("1500.00")
    finance.get_by_label("凭证号", exact=True).fill("PZ-LIFE-1")
    finance.get_by_label("发放日期", exact=True).fill("2015-03-20")
    finance.get_by_role("button", name="发放").click()
    _confirm(finance, "确认发放")
    expect(finance.locator("h1")).to_contain_text("已支付")

    # Out of hardship: the file closes with its reason; the first follow-up call is made.
    caseworker.goto(worker_url)
    caseworker.get_by_role("link", name="办理退出").click()
    caseworker.get_by_label("退出原因", exact=True).select_option("recovered")
    caseworker.get_by_label("说明", exact=True).fill("本人病愈复工，家庭收入稳定")
    caseworker.get_by_role("button", name="退出档案").click()
    _confirm(caseworker, "退出档案")
    life = caseworker.locator("#life")
    expect(life).to_contain_text("脱困")
    expect(life).to_contain_text("本人病愈复工，家庭收入稳定")
    expect(life).to_contain_text("尚未回访")
    caseworker.get_by_role("link", name="登记回访").click()
    caseworker.get_by_label("回访方式", exact=True).select_option("phone")
    caseworker.get_by_label("回访情况", exact=True).fill("电话回访，收入稳定")
    caseworker.get_by_role("button", name="登记回访").click()
    expect(life).to_contain_text("已于")
    _shot(caseworker, "household-after-exit")

    # 返困: back on file, a new period begins and the earlier one stays on the page.
    caseworker.get_by_role("link", name="返困重新建档").click()
    caseworker.get_by_label("返困原因", exact=True).fill("企业停产，再次失业")
    caseworker.get_by_role("button", name="重新建档").click()
    _confirm(caseworker, "重新建档")
    rows = caseworker.locator("#life tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("脱困")
    expect(rows.nth(1)).to_contain_text("企业停产，再次失业")
    expect(caseworker.get_by_role("link", name="办理退出")).to_be_visible()
    _shot(caseworker, "household-back-on-file")
