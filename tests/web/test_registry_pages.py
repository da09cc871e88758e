"""The registry as a caseworker, a reviewer and an auditor use it in the browser."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Worker
from tests.conftest import wait_for_job
from tests.registry_helpers import make_id

CLEAR_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def _form(**changes):
    data = {
        "name": "王小明",
        "id_number": make_id(301),
        "phone": "13900139000",
        "employer": "桥西区纺织厂",
        "address": "桥西区东风路8号",
        "household_size": "2",
        "household_monthly_income": "1000",
        "category": "1",
        "category_reason": "低于低保线",
        "main_cause": "illness_self",
        "members-0-name": "李红",
        "members-0-relation": "spouse",
        "members-0-id_number": "",
        "unit": "711002",
    }
    data.update(changes)
    return data


def test_a_caseworker_registers_a_household(client, auth, world):
    auth.login("caseworker")
    response = client.post("/workers/new", data=_form())
    assert response.status_code == 302
    worker = db.session.execute(select(Worker).where(Worker.name == "王小明")).scalar_one()
    page = client.get(f"/workers/{worker.id}").get_data(as_text=True)
    assert "王小明" in page and "李红" in page
    assert "1101**********" in page and make_id(301) not in page
    assert "¥500.00" in page  # per-capita income
    assert "低于低保线 ¥580.00" in page  # the category is supported, with the reason
    assert "材料不全" in page or "缺少" in page  # no evidence yet
    listing = client.get("/workers?q=wxm").get_data(as_text=True)
    assert "王小明" in listing and not CLEAR_ID.search(listing)
    # A word from the middle of the employer finds the file too, and says how it was found.
    middle = client.get("/workers?q=纺织").get_data(as_text=True)
    assert "王小明" in middle and "没有姓名或单位以“纺织”开头" in middle


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(client, auth, world):
    auth.login("caseworker")
    response = client.post("/workers/new", data=_form(id_number="110105198001010014", phone="123"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "校验码不正确" in page and "手机号为 11 位数字" in page
    assert 'value="王小明"' in page and 'value="桥西区纺织厂"' in page
    assert db.session.execute(select(Worker).where(Worker.name == "王小明")).first() is None


def test_a_duplicate_is_refused_naming_the_existing_file(client, auth, world):
    auth.login("caseworker")
    page = client.post("/workers/new", data=_form(id_number=make_id(1))).get_data(as_text=True)
    assert "已有在档档案：第 1 号" in page


def test_revealing_an_id_is_logged_and_only_for_roles_that_may(client, auth, world):
    auth.login("reviewer")
    assert client.post("/workers/1/reveal", data={"purpose": "看看"}).status_code == 403
    auth.logout()
    auth.login("caseworker")
    page = client.post("/workers/1/reveal", data={"purpose": "other", "note": "核对银行卡"}).get_data(
        as_text=True
    )
    assert make_id(1) in page
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "worker.reveal_id")).scalar_one()
    assert "核对银行卡" in entry.details


def test_a_reviewer_accepts_a_category_but_not_on_their_own_file(client, auth, app, world, make_user):
    auth.login("caseworker", "cw1")
    client.post("/workers/new", data=_form(household_monthly_income="5000", id_number=make_id(302)))
    worker = db.session.execute(select(Worker).where(Worker.name == "王小明")).scalar_one()
    page = client.get(f"/workers/{worker.id}").get_data(as_text=True)
    assert "资料不支持该类别" in page or "不支持" in page
    auth.logout()
    auth.login("reviewer", "rv1")
    client.post(f"/workers/{worker.id}/accept-category", data={"reason": "大病支出，收入证明不实"})
    db.session.refresh(worker)
    assert worker.category_accepted_reason == "大病支出，收入证明不实"


def test_evidence_visits_and_status_from_the_page(client, auth, world):
    auth.login("caseworker")
    for kind in ("household_register", "dibao_certificate"):
        client.post(
            "/workers/1/evidence", data={"kind": kind, "reference": "X1", "received_on": "2015-03-01"}
        )
    client.post("/workers/1/visits", data={"visited_on": "2015-03-02", "notes": "家中困难，孩子上学"})
    page = client.get("/workers/1").get_data(as_text=True)
    assert "齐全" in page and "家中困难，孩子上学" in page
    refused = client.post(
        "/workers/1/status",
        data={"status": "closed", "on": "2015-03-03", "reason": "", "confirmed": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert '<span class="error" id="reason-error">请填写状态变更的原因' in refused  # at its field
    from datetime import date

    from app.models import Case
    from app.services import cases
    from tests.conftest import ACTOR

    cases.cancel(db.session.get(Case, 1), reason="撤回", actor=ACTOR)  # its case settled first
    db.session.commit()
    client.post(
        "/workers/1/status",
        data={
            "status": "out_of_hardship",
            "on": date.today().isoformat(),
            "reason": "再就业",
            "confirmed": "1",
        },
    )
    assert "已脱困" in client.get("/workers/1").get_data(as_text=True)


def test_import_through_the_pages(client, auth, world):
    auth.login("caseworker")
    header = "姓名,身份证号,手机号,工作单位,家庭人口,家庭月收入,困难类别,致困主因\n"
    good = f"赵一,{make_id(401)},13800138001,甲厂,3,1200,1,本人患大病\n"
    bad = "钱二,123,13800138002,乙厂,3,1200,1,本人患大病\n"
    content = (header + good + bad).encode("gb18030")
    page = client.post(
        "/workers/import",
        data={"file": (io.BytesIO(content), "名单.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 行可以导入" in page or "1 rows" in page
    assert "钱二" in page
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    started = client.post(
        "/workers/import/confirm", data={"token": token, "unit": "711002"}, follow_redirects=True
    )
    assert started.request.path.startswith("/jobs/") and "<progress" in started.get_data(as_text=True)
    finished = wait_for_job(client, started.request.path)
    assert "已建档 1 户" in finished and "flash-success" in finished
    assert "赵一" in client.get("/workers").get_data(as_text=True)
    assert db.session.execute(select(Worker).where(Worker.name == "钱二")).first() is None
    again = client.post("/workers/import/confirm", data={"token": token}, follow_redirects=True)
    assert "已过期" in again.get_data(as_text=True)  # a token is used once


def test_the_template_downloads(client, auth, world):
    auth.login("caseworker")
    response = client.get("/workers/import/template.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")


def test_the_registry_export_masks_ids_neutralises_formulas_and_is_logged(client, auth, world):
    from app.services import registry
    from tests.conftest import ACTOR
    from tests.registry_helpers import worker_input

    registry.register(
        worker_input(501, name="=cmd|' /C calc'!A0", employer="+SUM(A1)", address="@x"),
        unit=world.budget.unit,
        actor=ACTOR,
    )
    db.session.commit()
    auth.login("auditor")
    response = client.get("/workers/export.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff档案号,姓名,身份证号")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3
    assert not CLEAR_ID.search(text)
    assert rows[1][2] == make_id(1)[:4] + "*" * 10 + make_id(1)[-4:]
    assert rows[2][1] == "'=cmd|' /C calc'!A0" and rows[2][5] == "'+SUM(A1)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "export.registry")).scalar_one()
