"""上报: two districts under a city. A district's finance sends its report for a period up;
the city's reviewer sees who has reported, returns a report with a reason, the district sends
it again as a new version, the city accepts it. The figures are frozen and hashed when sent;
nobody in the district decides on its own report, a sibling district never sees it."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, UnitReport
from app.services import registry, reporting_up, units
from app.services.errors import InvalidInput
from tests.conftest import ACTOR, PASSWORD
from tests.registry_helpers import worker_input
from tests.units.test_two_districts import city  # noqa: F401  (the two districts' fixture)


def _login(client, make_user, role: str, name: str, unit: str | None):
    make_user(role, name, unit=unit)
    client.post("/logout")
    answer = client.post("/login", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 302


def _reports() -> list[UnitReport]:
    return list(db.session.execute(select(UnitReport).order_by(UnitReport.id)).scalars())


def _send(client, year="2015", month="0", note=""):
    return client.post("/reports/up", data={"year": year, "month": month, "note": note})


def test_a_district_sends_its_year_up_and_the_figures_are_frozen_and_hashed(client, city, make_user):  # noqa: F811
    _login(client, make_user, "finance", "cashier-02", "711002")
    sent = _send(client, note="2015年度报表")
    assert sent.status_code == 302
    (report,) = _reports()
    assert report.status == "submitted" and report.version == 1
    assert hashlib.sha256(report.snapshot.encode()).hexdigest() == report.digest
    figures = json.loads(report.snapshot)
    assert figures["unit"]["code"] == "711002"
    # One household of the district on file, in the category the rules gave it.
    assert figures["households"] == 1 and sum(v["households"] for v in figures["categories"].values()) == 1
    assert [u["code"] for u in figures["units"]] == ["711002"]
    # The funds add up, as everywhere: budget = paid + committed + at the bank + available.
    assert figures["funds"]
    for fund in figures["funds"]:
        assert Decimal(fund["budget"]) == sum(
            Decimal(fund[k]) for k in ("paid", "committed", "at_bank", "available")
        )
    assert "300,000.00" in client.get(sent.headers["Location"]).get_data(as_text=True)
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "已上报，待上级审核" in page and "数据与上报时一致" in page and report.digest in page
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "report.submit")).scalar_one()
    assert entry.object_id == str(report.id)
    # The same period again: refused, nothing new.
    again = _send(client)
    assert again.status_code == 422 and "已上报" in again.get_data(as_text=True)
    assert len(_reports()) == 1


def test_the_city_sees_who_has_reported_returns_one_and_accepts_the_next_version(client, city, make_user):  # noqa: F811
    _login(client, make_user, "finance", "cashier-02", "711002")
    assert _send(client).status_code == 302
    first = _reports()[0]

    _login(client, make_user, "reviewer", "city-reviewer", "7110")
    listing = client.get("/reports/up?year=2015&month=0").get_data(as_text=True)
    assert "张家口市桥西区总工会" in listing and "张家口市桥东区总工会" in listing
    assert "已上报，待上级审核" in listing and "未上报" in listing
    # A return needs its reason, at the field; nothing changes without one.
    bare = client.post(f"/reports/up/{first.id}/return", data={"reason": "  "})
    assert bare.status_code == 422 and "请填写退回原因" in bare.get_data(as_text=True)
    db.session.refresh(first)
    assert first.status == "submitted"
    returned = client.post(f"/reports/up/{first.id}/return", data={"reason": "困难职工户数与台账不符"})
    assert returned.status_code == 302
    db.session.refresh(first)
    assert first.status == "returned" and first.return_reason == "困难职工户数与台账不符"
    assert first.reviewed_by_name == "city-reviewer"

    # The district corrects its registry and sends the period again: version 2, new figures,
    # version 1 kept as it was sent.
    registry.register(worker_input(31), unit=units.find_unit("711002"), actor=ACTOR)
    db.session.commit()
    _login(client, make_user, "finance", "cashier-02b", "711002")
    page = client.get("/reports/up?year=2015").get_data(as_text=True)
    assert "困难职工户数与台账不符" in page
    assert _send(client).status_code == 302
    first_again, second = _reports()
    assert second.version == 2 and second.status == "submitted"
    assert json.loads(second.snapshot)["households"] == 2
    assert json.loads(first_again.snapshot)["households"] == 1 and first_again.digest == first.digest

    _login(client, make_user, "reviewer", "city-reviewer-2", "7110")
    assert client.post(f"/reports/up/{second.id}/accept").status_code == 302
    db.session.refresh(second)
    assert second.status == "accepted"
    listing = client.get("/reports/up?year=2015&month=0").get_data(as_text=True)
    assert "上级已接收" in listing
    actions = db.session.execute(
        select(AuditEntry.action).where(AuditEntry.action.like("report.%")).order_by(AuditEntry.seq)
    ).scalars().all()
    assert actions == ["report.submit", "report.return", "report.submit", "report.accept"]
    # Accepted stands: sending the period once more is refused.
    _login(client, make_user, "finance", "cashier-02c", "711002")
    assert _send(client).status_code == 422


def test_nobody_in_the_district_decides_its_own_report_and_a_sibling_never_sees_it(client, city, make_user):  # noqa: F811
    _login(client, make_user, "finance", "cashier-02", "711002")
    assert _send(client).status_code == 302
    report = _reports()[0]
    _login(client, make_user, "reviewer", "district-reviewer", "711002")
    own = client.post(f"/reports/up/{report.id}/accept")
    assert own.status_code == 422 and "报送单位本身不能处理" in own.get_data(as_text=True)
    _login(client, make_user, "reviewer", "sibling-reviewer", "711003")
    assert client.get(f"/reports/up/{report.id}").status_code == 404
    assert client.get(f"/reports/up/{report.id}.xlsx").status_code == 404
    assert client.post(f"/reports/up/{report.id}/accept").status_code == 404
    assert client.post(f"/reports/up/{report.id}/return", data={"reason": "x"}).status_code == 404
    assert "张家口市桥西区总工会" not in client.get("/reports/up?year=2015").get_data(as_text=True)
    db.session.refresh(report)
    assert report.status == "submitted"
    # The city's caseworker reads it but may not decide (no permission to send or decide).
    _login(client, make_user, "caseworker", "city-caseworker", "7110")
    assert client.get(f"/reports/up/{report.id}").status_code == 200
    assert client.post(f"/reports/up/{report.id}/accept").status_code == 403
    db.session.refresh(report)
    assert report.status == "submitted"


def test_the_top_of_the_tree_has_nobody_to_report_to(client, city, make_user):  # noqa: F811
    _login(client, make_user, "finance", "city-cashier", "7110")
    page = client.get("/reports/up?year=2015").get_data(as_text=True)
    assert "最上级单位" in page
    refused = _send(client)
    assert refused.status_code == 422 and "没有可上报的上级" in refused.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(UnitReport)).scalar_one() == 0


def test_a_period_not_over_and_a_year_not_loaded_are_refused_at_the_field(client, city, make_user):  # noqa: F811
    with pytest.raises(InvalidInput) as early:
        reporting_up.submit(units.find_unit("711002"), 2015, 6, actor=ACTOR, today=date(2015, 6, 30))
    assert early.value.field == "month"
    _login(client, make_user, "finance", "cashier-02", "711002")
    wrong = _send(client, year="2031", month="3", note="保留的说明")
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "请选择已载入预算的年度" in body
    assert "保留的说明" in body  # what was typed is kept
    month = _send(client, month="13")
    assert month.status_code == 422 and "月份应为 1 至 12" in month.get_data(as_text=True)
    assert not _reports()


def test_the_workbook_has_the_frozen_figures_and_a_tampered_report_is_shown_so(client, city, make_user):  # noqa: F811
    _login(client, make_user, "finance", "cashier-02", "711002")
    assert _send(client, month="3").status_code == 302
    report = _reports()[0]
    download = client.get(f"/reports/up/{report.id}.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["资金执行", "建档类别", "致困原因", "各单位"]
    cells = [str(c.value) for row in book["资金执行"].iter_rows() for c in row if c.value is not None]
    assert report.digest in cells and "2015100001" in cells
    header = next(r for r in book["资金执行"].iter_rows(values_only=True) if r[0] == "单位代码")
    assert header[-1] == "截至期末已执行"
    total = next(r for r in book["建档类别"].iter_rows(values_only=True) if r[0] == "合计")
    assert total[1] == 1
    assert db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export.unit_report")
    ).scalar_one() == 1
    # Someone edits the stored figures behind the product's back: the page says so.
    tampered = json.loads(report.snapshot)
    tampered["households"] = 99
    report.snapshot = json.dumps(tampered)
    db.session.commit()
    assert "存储的数据与上报时不一致" in client.get(f"/reports/up/{report.id}").get_data(as_text=True)
