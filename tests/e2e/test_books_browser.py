"""The browser suite closes a month (issue 19): finance closes March 2015 on the 结账 page;
a payment dated in March is then refused on the case's page with the Chinese message at the
date and the typed values kept; an administrator asks to reopen with a reason, and a second
administrator reopens — after which the same payment goes through."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from app.extensions import db
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD
from tests.e2e.conftest import login, shot
from tests.e2e.test_forms_browser import _approved_case, _fill_payment, _in_app, _payments


def _second_admin(database: str) -> None:
    def make() -> None:
        user, _once = user_service.create_user("admin2", "admin", None, actor=ACTOR)
        user_service.set_password(user, PASSWORD, actor=ACTOR)
        db.session.commit()

    _in_app(database, make)


def _pay_in_march(page, live_server: str, case_id: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/cases/{case_id}")
    _fill_payment(page, "120.00", "PZ-2015-0315", "2015-03-15")
    page.get_by_role("button", name="发放", exact=True).click()
    page.locator("dialog.confirm-dialog").get_by_role("button", name="确认发放").click()


def test_finance_closes_a_month_a_payment_in_it_is_refused_and_two_admins_reopen_it(
    live_server: str, browser: Browser, database: str
):
    case_id = _approved_case(database)
    _second_admin(database)

    finance = login(browser, live_server, "finance")
    finance.get_by_role("link", name="结账", exact=True).click()
    finance.get_by_label("预算年度", exact=True).select_option("2015")
    finance.get_by_label("结账期间", exact=True).select_option(label="3月")
    finance.get_by_role("button", name="结账", exact=True).click()
    expect(finance.locator(".flash-success")).to_contain_text("2015 年 03 月 已结账")
    expect(finance.locator(".close-status")).to_have_text("已结账")
    expect(finance.locator(".digest-check")).to_contain_text("结账后该期间资金未变动")
    detail = finance.url
    shot(finance, "books-month-closed")

    _pay_in_march(finance, live_server, case_id)
    date_field = finance.locator(".field.has-error").filter(has=finance.get_by_label("发放日期", exact=True))
    expect(date_field).to_contain_text("2015 年 03 月 已结账：不能再记入该月")
    expect(finance.get_by_label("金额（元）", exact=True)).to_have_value("120.00")
    expect(finance.get_by_label("凭证号", exact=True)).to_have_value("PZ-2015-0315")
    expect(finance.get_by_label("发放日期", exact=True)).to_have_value("2015-03-15")
    shot(finance, "books-payment-refused-in-closed-month")
    assert _payments(database) == 0

    admin = login(browser, live_server, "admin")
    admin.goto(f"{live_server}/books?year=2015")
    admin.locator("#closes tbody a").first.click()
    admin.get_by_label("重新开账的原因", exact=True).fill("3月漏记一笔困难职工生活救助发放")
    admin.get_by_role("button", name="提交重新开账申请").click()
    expect(admin.locator(".flash-success")).to_contain_text("已申请重新开账")
    expect(admin.locator(".close-status")).to_have_text("已申请重新开账")
    expect(admin.locator(".reopen-reason")).to_have_text("3月漏记一笔困难职工生活救助发放")
    # The one who asked is refused, and the books stay closed.
    admin.get_by_role("button", name="批准重新开账").click()
    expect(admin.locator(".flash-danger")).to_contain_text("申请重新开账的人不能批准该申请")
    expect(admin.locator(".close-status")).to_have_text("已申请重新开账")

    second = login(browser, live_server, "admin2")
    second.goto(detail)
    second.get_by_role("button", name="批准重新开账").click()
    expect(second.locator(".flash-success")).to_contain_text("已重新开账")
    expect(second.locator(".close-status")).to_have_text("已重新开账")
    shot(second, "books-reopened")

    _pay_in_march(finance, live_server, case_id)
    expect(finance.locator(".flash-success")).to_contain_text("发放已登记")
    assert _payments(database) == 1
