"""Finance pays a case in Chromium: a refused payment keeps the typed amount and voucher
number with the message at the date field; the confirmation dialog names the amount in
figures and 大写 and the payee, and cancelling it sends nothing; with JavaScript off the
server's confirmation page asks instead, and confirming pays once."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Case, Payment
from app.services import cases
from app.services.audit import Actor
from tests.conftest import PASSWORD
from tests.e2e.conftest import login, shot

PAYEE = "审核人经办户"  # the household of the case the live server opens


def _in_app(database: str, work):  # type: ignore[no-untyped-def]
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()
            db.engine.dispose()


def _approved_case(database: str) -> int:
    def approve() -> int:
        case = db.session.execute(select(Case).order_by(Case.id)).scalars().first()
        cases.approve(case, actor=Actor.system("区总工会审核"))
        db.session.commit()
        return case.id

    return _in_app(database, approve)


def _payments(database: str) -> int:
    return _in_app(
        database, lambda: db.session.execute(select(func.count()).select_from(Payment)).scalar_one()
    )


def _fill_payment(page: Page, amount: str, voucher: str, day: str) -> None:
    page.get_by_label("金额（元）", exact=True).fill(amount)
    page.get_by_label("凭证号", exact=True).fill(voucher)
    page.get_by_label("发放日期", exact=True).fill(day)


def test_a_refused_payment_keeps_the_amount_and_voucher_with_the_message_at_the_date(
    live_server: str, browser: Browser, database: str
):
    case_id = _approved_case(database)
    page = login(browser, live_server, "finance")
    page.goto(f"{live_server}/cases/{case_id}")
    _fill_payment(page, "300.00", "PZ-2015-077", "2016-01-05")
    page.get_by_role("button", name="发放", exact=True).click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="确认发放").click()
    date_field = page.locator(".field.has-error").filter(has=page.get_by_label("发放日期", exact=True))
    expect(date_field).to_contain_text("发放日期须在 2015 预算年度内。")
    expect(page.get_by_label("金额（元）", exact=True)).to_have_value("300.00")
    expect(page.get_by_label("凭证号", exact=True)).to_have_value("PZ-2015-077")
    shot(page, "payment-refused-at-date")
    assert _payments(database) == 0


def test_the_dialog_names_amount_and_payee_and_cancelling_sends_nothing(
    live_server: str, browser: Browser, database: str
):
    case_id = _approved_case(database)
    page = login(browser, live_server, "finance")
    page.goto(f"{live_server}/cases/{case_id}")
    _fill_payment(page, "300", "PZ-2015-078", "2015-03-05")
    page.get_by_role("button", name="发放", exact=True).click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确认发放")
    expect(dialog).to_contain_text("¥300.00（叁佰元整）")
    expect(dialog).to_contain_text(PAYEE)
    expect(dialog).to_contain_text("2015100001")
    shot(page, "payment-confirmation-dialog")
    dialog.get_by_role("button", name="返回").click()
    expect(dialog).to_have_count(0)
    assert _payments(database) == 0
    expect(page.get_by_label("凭证号", exact=True)).to_have_value("PZ-2015-078")  # nothing lost

    page.get_by_role("button", name="发放", exact=True).click()
    page.locator("dialog.confirm-dialog").get_by_role("button", name="确认发放").click()
    expect(page.locator(".flash-success")).to_contain_text("发放已登记")
    assert _payments(database) == 1


def test_without_javascript_the_confirmation_page_asks_and_confirming_pays_once(
    live_server: str, browser: Browser, database: str
):
    case_id = _approved_case(database)
    page = browser.new_context(locale="zh-CN", java_script_enabled=False).new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名", exact=True).fill("finance")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server}/cases/{case_id}")
    _fill_payment(page, "300", "PZ-2015-079", "2015-03-06")
    page.get_by_role("button", name="发放", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认发放")
    facts = page.locator(".confirm-page .facts")
    expect(facts).to_contain_text("¥300.00（叁佰元整）")
    expect(facts).to_contain_text(PAYEE)
    expect(facts).to_contain_text("PZ-2015-079")
    expect(page.get_by_role("link", name="返回")).to_have_attribute("href", f"/cases/{case_id}")
    shot(page, "payment-confirmation-page")
    assert _payments(database) == 0
    page.get_by_role("button", name="确认发放").click()
    expect(page.locator(".flash-success")).to_contain_text("发放已登记")
    assert _payments(database) == 1
