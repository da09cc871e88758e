"""A district's auditor reads only their units' audit entries: on the page, in the list
of people to filter by, by object number, and in the export; the city's sees both."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.extensions import db
from app.models import Worker
from tests.conftest import PASSWORD
from tests.units.test_two_districts import city  # noqa: F401 (the fixture)


def _login(client, make_user, role: str, username: str, unit: str) -> None:
    make_user(role, username, unit=unit)
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302


def _export(client, query: str) -> list[list[object]]:
    with client.get(f"/audit/log.xlsx?{query}") as answer:
        assert answer.status_code == 200
        sheet = load_workbook(io.BytesIO(answer.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def test_a_districts_auditor_filters_and_exports_only_its_own_entries(client, make_user, city):  # noqa: F811
    ours = db.session.get(Worker, city["711003"]["worker"])
    theirs = db.session.get(Worker, city["711002"]["worker"])
    theirs.name = "桥西户"  # both households are called 张三: tell them apart
    db.session.commit()
    make_user("caseworker", "cw-qiaoxi", unit="711002")
    _login(client, make_user, "auditor", "au-qiaodong", "711003")

    page = client.get("/audit/?actions=worker.create").get_data(as_text=True)
    assert f'href="/workers/{ours.id}"' in page and f'href="/workers/{theirs.id}"' not in page
    assert "桥西户" not in page
    assert "cw-qiaoxi" not in page  # another district's people are not offered as a filter
    by_object = client.get(f"/audit/?object_type=worker&object_id={theirs.id}").get_data(as_text=True)
    assert "共找到 0 条记录" in by_object
    old_style = client.get(f"/audit/?object=worker:{theirs.id}").get_data(as_text=True)
    assert "共找到 0 条记录" in old_style

    rows = _export(client, "actions=worker.create&actions=model_worker.create")
    assert len(rows) == 2
    assert all("711002" not in " ".join(str(v) for v in row) for row in rows)
    assert {row[4] for row in rows} == {"建立困难职工档案", "登记劳模"}
    assert any(ours.name in row[5] for row in rows)
    assert not any("桥西户" in " ".join(str(v) for v in row) for row in rows)
    assert _export(client, f"object_type=worker&object_id={theirs.id}") == []


def test_the_citys_auditor_sees_both_districts(client, make_user, city):  # noqa: F811
    db.session.get(Worker, city["711002"]["worker"]).name = "桥西户"
    db.session.commit()
    _login(client, make_user, "auditor", "au-city", "7110")
    rows = _export(client, "actions=worker.create")
    assert sorted(row[5] for row in rows) == ["张三", "桥西户"]
