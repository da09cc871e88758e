"""The accounting voucher (记账凭证) in Chromium as the finance officer prints it: the list,
the voucher, its print layout on one A4 page, the amount in capitals; screenshots."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from app import create_app
from app.extensions import db
from app.models import Fund, User
from app.services import cases, registry
from app.services import users as user_service
from app.services.audit import Actor
from tests.conftest import ACTOR
from tests.e2e.conftest import login, shot
from tests.registry_helpers import worker_input


def _a_payment(database: str) -> None:
    """A case approved and paid in cash (1,234.50) by a cashier (not the browser's user)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        users = {u.username: Actor.of(u) for u in db.session.query(User)}
        fund = db.session.query(Fund).filter_by(code="2015100001").one()
        worker = registry.register(
            worker_input(950, name="凭证户"), unit=fund.unit, actor=users["caseworker"]
        ).worker
        case = cases.open_case(
            worker, fund=fund, aid_type="medical", amount="1234.50", reason="住院", actor=users["caseworker"]
        )
        cases.submit(case, actor=users["caseworker"])
        cases.approve(case, actor=users["reviewer"])
        cashier, _once = user_service.create_user("cashier", "finance", "711002", actor=ACTOR)
        cashier.full_name = "孙出纳"
        finance = Actor.of(cashier)
        cases.pay(
            case,
            amount="1234.50",
            voucher_no="LK-001",
            paid_on=date(2015, 4, 1),
            method="cash",
            actor=finance,
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_the_voucher_prints_on_one_a4_page(live_server, browser, database):
    _a_payment(database)
    page = login(browser, live_server, "finance")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="本年度记账凭证").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("记账凭证")
    shot(page, "vouchers-1366")
    page.get_by_role("link", name="记字第 1 号").click()
    for words in (
        "记字第 1 号",
        "凭证户",
        "功能分类 2012902",
        "经济分类 30399",
        "壹仟贰佰叁拾肆元伍角",
        "附件 2 张",
    ):
        expect(page.locator("article")).to_contain_text(words)
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    for box in ("主管", "记账", "审核", "制单"):
        expect(page.locator(".voucher-signatures")).to_contain_text(box)
    shot(page, "voucher-print")
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the voucher on one A4 sheet
    size = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert size and (round(float(size.group(1))), round(float(size.group(2)))) == (595, 842)  # A4 in points
    page.context.close()
