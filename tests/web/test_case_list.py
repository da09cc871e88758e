"""The case list (帮扶申请): 新建 through choosing the household, search, filters, dates,
totals, pages and the XLSX export of what is filtered; another district's cases never
appear in the list, its totals or its export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from tests.web import lists_world
from tests.web.lists_world import CITY, EAST, WEST


@pytest.fixture
def lists(ctx):
    return lists_world.build()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_list_shows_dates_totals_and_words_of_its_own_district_only(client, lists):
    lists_world.login(client, "caseworker", WEST)
    page = _page(client, "/cases")
    assert "王桥西" in page and "赵西二" in page
    assert "李桥东" not in page and "8,888" not in page
    # 1000 + 700 + 300 requested; 1000 + 300 approved; 1000 paid (the 300 was reversed)
    assert "共 3 项申请" in page
    assert "¥2,000.00" in page and "¥1,300.00" in page and "¥1,000.00" in page
    assert "2015年4月2日" in page  # the last payment's date
    assert "生活救助" in page and "草稿" in page  # words, not codes
    assert ">living<" not in page and ">draft<" not in page


def test_search_by_name_and_by_case_number(client, lists):
    lists_world.login(client, "reviewer", WEST)
    page = _page(client, "/cases?q=赵西")
    assert "赵西二" in page and "王桥西" not in page
    page = _page(client, f"/cases?q={lists.west_cases['paid']}")
    assert "王桥西" in page and "赵西二" not in page
    # another district's case number finds nothing
    page = _page(client, f"/cases?q={lists.east_case}")
    assert "李桥东" not in page and "共 0 项申请" in page


def test_filters_narrow_the_rows_and_the_totals(client, lists):
    lists_world.login(client, "reviewer", CITY)
    page = _page(client, "/cases?status=draft")
    assert "赵西二" in page and "王桥西" not in page and "¥700.00" in page
    page = _page(client, "/cases?aid_type=education")
    assert "¥300.00" in page and "王桥西" not in page
    page = _page(client, f"/cases?unit={EAST}")
    assert "李桥东" in page and "王桥西" not in page and "¥8,888.00" in page
    page = _page(client, "/cases?year=2015&fund=2015100001")
    assert "李桥东" in page and "王桥西" in page
    page = _page(client, "/cases?opened_from=2099-01-01")
    assert "王桥西" not in page and "李桥东" not in page


def test_a_bad_date_gets_a_message_at_its_field_and_never_a_500(client, lists):
    lists_world.login(client, "reviewer", WEST)
    response = client.get("/cases?opened_from=2015-13-45&status=nonsense&year=x&page=-3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and 'value="2015-13-45"' in page
    assert "王桥西" in page  # the rest of the filter still applies


def test_pages_of_fifty(client, lists, monkeypatch):
    from app.cases import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    lists_world.login(client, "reviewer", WEST)
    first = _page(client, "/cases")
    assert "第 1 页，共 3 页" in first
    third = _page(client, "/cases?page=3")
    assert "第 3 页，共 3 页" in third and "¥2,000.00" in third  # the totals are of every row


def test_the_export_is_what_is_filtered_with_numbers_and_is_audited(client, lists):
    lists_world.login(client, "finance", WEST)
    response = client.get("/cases.xlsx?status=approved")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:2] == ("申请编号", "困难户") and "批准日期" in header and "最近发放" in header
    names = [r[1] for r in body if isinstance(r[0], int)]
    assert names == ["赵西二"]  # the reversed one is approved again; the paid one is not listed
    total = rows[-1]
    assert total[0] == "合计" and float(total[9]) == 300.0
    everything = client.get("/cases.xlsx").data
    cells = load_workbook(io.BytesIO(everything)).active.iter_rows(values_only=True)
    text = " ".join(str(c) for r in cells for c in r)
    assert "李桥东" not in text and "8888" not in text
    assert "生活救助" in text and "living" not in text.split("Status")[0]
    entry = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "export.cases").order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry is not None


def test_new_application_starts_by_choosing_the_household_of_ones_units(client, lists):
    lists_world.login(client, "caseworker", WEST)
    assert "/cases/new" in _page(client, "/cases")
    page = _page(client, "/cases/new?q=王桥")
    assert "王桥西" in page and f"/workers/{lists.west_workers[0]}/cases/new" in page
    assert f"/workers/{lists.east_worker}/" not in _page(client, "/cases/new?q=李桥东")
    assert "赵西二" in _page(client, "/cases/new?q=2222")  # mobile number
    # the chosen household's form opens
    assert client.get(f"/workers/{lists.west_workers[0]}/cases/new").status_code == 200


def test_the_city_sees_both_districts_in_the_list_and_its_totals(client, lists):
    lists_world.login(client, "auditor", CITY)
    page = _page(client, "/cases")
    assert "王桥西" in page and "李桥东" in page
    assert "¥9,888.00" in page  # paid: 1000 in the west, 8888 in the east
