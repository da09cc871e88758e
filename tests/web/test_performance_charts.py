"""绩效 on the page: every category, form of aid and month listed (nothing paid as 0), a
total row under each table, and server-drawn charts with their values; the budget-execution
table scrolls rather than squeezing its item names."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Case
from app.services import cases, performance
from app.services.audit import Actor
from tests.conftest import ACTOR


def _pay(world) -> None:
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR)
    cases.approve(case, amount="1000", actor=Actor.system("another reviewer"))
    cases.pay(
        case,
        amount="1000",
        voucher_no="PZ-P1",
        paid_on=date(2015, 3, 5),
        method="cash",
        actor=Actor.system("fin"),
    )
    db.session.commit()


def test_the_report_lists_categories_forms_and_months_with_nothing_paid(ctx, world):
    _pay(world)
    report = performance.performance(2015)
    assert list(report.by_category) == [1, 2, 3, 4]
    assert report.by_category[4].count == 0 and report.by_category[4].paid == 0
    assert list(report.by_aid_type) == ["living", "medical", "education", "legal", "training", "employment"]
    assert list(report.by_month) == list(range(1, 13)) and report.by_month[3].paid == 1000


def test_the_page_has_totals_zero_rows_and_charts(client, auth, world):
    _pay(world)
    auth.login("reviewer", "rv")
    page = client.get("/reports/performance?year=2015").get_data(as_text=True)
    assert page.count("<tfoot>") == 4  # a total under every table
    assert "第四类" in page  # a category with nothing paid is listed
    assert "¥0.00" in page and "¥1,000.00" in page
    assert "12月" in page
    assert page.count("<svg") == 4 and "每月发放金额（元）" in page and "各帮扶方式发放金额（元）" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "1,000" in svg and "3月" in svg  # the value on its bar, the month below
    assert not re.search(r"<[^>]+\sstyle=", page)  # the CSP allows no style attribute


def test_the_budget_execution_table_sits_in_a_scrolling_box(client, auth, world):
    auth.login("finance", "fn")
    page = client.get("/reports/budget-execution?year=2015").get_data(as_text=True)
    assert '<div class="table-wrap">' in page and "budget-table" in page
