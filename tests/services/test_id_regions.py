"""The region code of a resident ID number: known when it has existed at any time.

python-stdnum checks a code against the birth year; a number keeps the code of the place
it was first issued in, so that check warned about nearly every worker born before 1983.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.idnumbers import InvalidIdNumber, parse_resident_id, region_name
from tests.registry_helpers import make_id


def test_qiaoxi_district_born_1970_is_known_without_a_warning(app):
    # 130703 桥西区 of 张家口市 was created in 1983; its people born before keep the code.
    with app.test_request_context():
        resident = parse_resident_id(make_id(7, region="130703", birth="19700512"))
    assert resident.birth_date == date(1970, 5, 12)
    assert resident.region == "河北省 桥西区"
    assert resident.warnings == []


def test_a_code_renamed_since_is_known_by_its_latest_name(app):
    # 120110: 东郊区 until 1991, 东丽区 from 1992.
    with app.test_request_context():
        resident = parse_resident_id(make_id(8, region="120110", birth="19650101"))
    assert resident.region == "天津市 东丽区" and resident.warnings == []


def test_a_code_abolished_before_1999_is_still_known(app):
    # 440524 潮阳县 (1983–1993): the standard's own example number.
    with app.test_request_context():
        resident = parse_resident_id("440524188001010014")
    assert resident.region == "广东省 潮阳县" and resident.warnings == []


@pytest.mark.parametrize("code", ["990000", "130799"])  # no province at all; a province, no such county
def test_a_code_that_never_existed_is_a_warning_not_a_refusal(app, code):
    with app.test_request_context():
        resident = parse_resident_id(make_id(9, region=code, birth="19700101"))
        warnings = resident.warnings
    assert resident.region is None
    assert len(warnings) == 1 and code in warnings[0] and "地区码" in warnings[0]


def test_the_check_digit_is_still_checked(app):
    good = make_id(7, region="130703", birth="19700512")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with app.test_request_context(), pytest.raises(InvalidIdNumber) as refused:
        parse_resident_id(wrong)
    assert "校验码" in refused.value.message


def test_region_names_come_from_python_stdnums_table():
    assert region_name("110105") == "北京市 朝阳区"
    assert region_name("130700") == "河北省 张家口市"
    assert region_name("000000") is None


def _household(id_number: str) -> dict[str, str]:
    return {
        "name": "王建华",
        "id_number": id_number,
        "phone": "13900139000",
        "employer": "桥西区纺织厂",
        "household_size": "1",
        "household_monthly_income": "500",
        "category": "1",
        "category_reason": "低于低保线",
        "main_cause": "illness_self",
        "unit": "711002",
    }


def test_registering_a_worker_born_in_1970_in_qiaoxi_warns_of_nothing(client, auth, world):
    auth.login("caseworker")
    page = client.post(
        "/workers/new",
        data=_household(make_id(501, region="130703", birth="19700101")),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "王建华" in page and "地区码" not in page


def test_registering_with_a_region_that_never_existed_says_so(client, auth, world):
    auth.login("caseworker")
    page = client.post(
        "/workers/new",
        data=_household(make_id(502, region="990000", birth="19700101")),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "王建华" in page and "地区码 990000" in page
