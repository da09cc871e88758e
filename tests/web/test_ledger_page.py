"""The fund ledger for finance: rows by voucher date with the payee, a reversal (红冲) in
red as a negative amount with its own date and voucher number, totals of what is shown,
filters, the XLSX export and the A4 print version; another district's entries never in
them."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Payment
from tests.web import lists_world
from tests.web.lists_world import CITY, EAST, WEST

LEDGER = "/funds/2015100001/ledger"


@pytest.fixture
def lists(ctx):
    return lists_world.build()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", row) for row in body.split("<tr")[1:]]


def test_rows_by_voucher_date_with_payee_and_a_red_negative_reversal(client, lists):
    lists_world.login(client, "finance", WEST)
    page = _page(client, f"{LEDGER}?year=2015")
    rows = _rows(page)
    paid = next(r for r in rows if "XI-001" in r)
    assert "2015-04-02" in paid and "王桥西" in paid and "¥1,000.00" in paid
    reversal = next(r for r in rows if "XI-HC-01" in r)
    assert 'class="reversal"' in reversal and "2015-05-09" in reversal and "赵西二" in reversal
    assert "-¥300.00" in reversal and 'class="num negative"' in reversal
    dates = [re.search(r"<td>(\d{4}-\d\d-\d\d)</td>", r).group(1) for r in rows]
    assert dates == sorted(dates)
    assert dates.index("2015-04-02") < dates.index("2015-05-06") < dates.index("2015-05-09")
    # totals of what is shown: paid 1000 + 300 − 300
    assert "¥1,000.00" in page.split("<tfoot>", 1)[1] and "壹仟元整" in page
    assert "李桥东" not in page and "DONG-777" not in page and "8,888" not in page


def test_filters_by_dates_and_kind_and_their_totals(client, lists):
    lists_world.login(client, "finance", WEST)
    page = _page(client, f"{LEDGER}?year=2015&date_from=2015-05-01&date_to=2015-05-31")
    rows = _rows(page)
    assert any("XI-002" in r for r in rows) and any("XI-HC-01" in r for r in rows)
    assert not any("XI-001" in r for r in rows)
    assert "¥0.00" in page.split("<tfoot>", 1)[1]  # 300 paid and 300 reversed in May
    page = _page(client, f"{LEDGER}?year=2015&kind=reversal")
    rows = _rows(page)
    assert len(rows) == 1 and "XI-HC-01" in rows[0]
    bad = client.get(f"{LEDGER}?year=2015&date_from=2015-02-30")
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_the_export_has_signed_numbers_dates_and_words_and_is_audited(client, lists):
    lists_world.login(client, "finance", WEST)
    response = client.get(f"{LEDGER}.xlsx?year=2015&kind=reversal")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("凭证日期", "凭证号", "摘要", "收款人")
    line = rows[1]
    assert line[0].date().isoformat() == "2015-05-09" and line[1] == "XI-HC-01" and line[3] == "赵西二"
    assert Decimal(str(line[5])) == Decimal("-300")
    assert rows[-1][0] == "合计"
    everything = client.get(f"{LEDGER}.xlsx?year=2015").data
    text = " ".join(
        str(c) for r in load_workbook(io.BytesIO(everything)).active.iter_rows(values_only=True) for c in r
    )
    assert "DONG-777" not in text and "李桥东" not in text
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "export.ledger")).first()


def test_the_print_version_has_the_unit_date_and_signature_lines(client, lists):
    lists_world.login(client, "finance", WEST)
    page = _page(client, f"{LEDGER}/print?year=2015")
    assert "张家口市桥西区总工会" in page and "打印日期" in page
    assert "制表人" in page and "审核人" in page and "财务负责人" in page
    assert "XI-HC-01" in page and 'media="print"' in page


def test_the_city_names_the_district_whose_ledger_it_reads(client, lists):
    lists_world.login(client, "auditor", CITY)
    east = _page(client, f"{LEDGER}?year=2015&unit={EAST}")
    assert "DONG-777" in east and "李桥东" in east and "XI-001" not in east
    lists_world.login(client, "finance", WEST)
    assert client.get(f"{LEDGER}?year=2015&unit={EAST}").status_code == 404
    assert client.get(f"{LEDGER}.xlsx?year=2015&unit={EAST}").status_code == 404


def test_a_reversal_keeps_its_own_voucher_and_date(lists):
    payment = db.session.get(Payment, lists.reversed_payment)
    assert payment.reversal.voucher_no == "XI-HC-01"
    assert payment.reversal.reversed_on.isoformat() == "2015-05-09"


def test_a_print_longer_than_the_limit_says_so(client, lists, monkeypatch):
    from app.funds import routes

    monkeypatch.setattr(routes, "PRINT_MAX", 2)
    lists_world.login(client, "finance", WEST)
    page = _page(client, f"{LEDGER}/print?year=2015")
    assert "只打印了" in page and len(_rows(page)) == 2
