"""The registry list: category names (not 1/2/3), counts in all and by category, filters by
category, status, unit and search; another district's households never counted or shown."""

from __future__ import annotations

import pytest

from tests.web import lists_world
from tests.web.lists_world import CITY, EAST, WEST


@pytest.fixture
def lists(ctx):
    return lists_world.build()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_categories_are_named_and_counted_within_the_district(client, lists):
    lists_world.login(client, "caseworker", WEST)
    page = _page(client, "/workers")
    assert "王桥西" in page and "赵西二" in page and "李桥东" not in page
    assert "共 2 户" in page
    assert "第一类：家庭人均收入低于最低生活保障线" in page and "第三类" in page
    assert "<td>第三类" in page and "<td>3</td>" not in page
    assert page.count("1 户") >= 2  # one household in category 1, one in category 3


def test_filters_by_category_status_unit_and_search(client, lists):
    lists_world.login(client, "reviewer", CITY)
    assert "共 3 户" in _page(client, "/workers")
    page = _page(client, "/workers?category=3")
    assert "赵西二" in page and "王桥西" not in page and "共 1 户" in page
    page = _page(client, f"/workers?unit={EAST}")
    assert "李桥东" in page and "王桥西" not in page and "共 1 户" in page
    page = _page(client, "/workers?q=王桥")
    assert "王桥西" in page and "赵西二" not in page and "共 1 户" in page
    page = _page(client, "/workers?status=closed")
    assert "共 0 户" in page


def test_a_district_cannot_filter_its_way_into_another(client, lists):
    lists_world.login(client, "reviewer", WEST)
    page = _page(client, f"/workers?unit={EAST}")
    assert "李桥东" not in page and "共 2 户" in page  # an unknown unit is no filter
    page = _page(client, "/workers?q=李桥东")
    assert f'/workers/{lists.east_worker}"' not in page and "共 0 户" in page
