"""The audit log an auditor reads: Chinese action names, objects by name with a link,
people by their real names, before → after in words, Beijing time, filters by a list of
actions, person, object and dates, paging, and the export of exactly what is filtered."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, User
from app.services import audit as audit_service
from app.services import cases, user_names
from app.services.audit import Actor
from tests.conftest import ACTOR

JSON_ISH = re.compile(r'[{]"|"[:,]|\bnew\b|\bold\b')


def _text(page: str) -> str:
    """What a person reads: the page without its tags (and so without attribute values)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _named(username: str, full_name: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    user_names.set_full_name(user, full_name, actor=ACTOR)
    db.session.commit()
    return user


def _approved_case(world, client, auth):
    """A case opened by a named caseworker, approved by a named reviewer (in the pages)."""
    caseworker = auth.make_user("caseworker", "cw1")
    _named("cw1", "李经办")
    reviewer = auth.make_user("reviewer", "rv1")
    _named("rv1", "王审核")
    fund = next(f for f in world.funds if f.code == "2015100001")
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=Actor.of(caseworker))
    db.session.commit()
    client.post("/login", data={"username": "rv1", "password": "Kunnan-Bangfu-2015"})
    client.post(f"/cases/{case.id}/approve", data={"amount": "800.00", "note": "核减"})
    client.post("/logout")
    return case, fund, reviewer


def test_the_log_speaks_chinese_names_people_and_objects(client, auth, world):
    case, _fund, _reviewer = _approved_case(world, client, auth)
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert "时间（北京时间）" in page
    assert "审批通过" in page and "台账：审批占用" in page and "导入部门预算" in page
    text = _text(page)
    assert "case.approve" not in text and "ledger.commitment" not in text
    worker_name = case.worker.name
    assert f"帮扶申请 #{case.id} · {worker_name}" in page
    assert f'href="/cases/{case.id}"' in page
    assert "王审核" in page  # the person by their real name
    assert "状态：已提交 → 已批准" in page or "状态：公示中 → 已批准" in page
    assert "¥800.00" in page
    assert "困难职工帮扶资金台账第" in page
    assert not JSON_ISH.search(re.sub(r"<[^>]+>", " ", page.split("<tbody>")[1]))
    # Beijing time, to the second, no microseconds
    newest = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    shown = newest.occurred_at.astimezone(UTC).replace(tzinfo=UTC)
    from app.xlsx import beijing

    assert beijing(shown).strftime("%Y-%m-%d %H:%M:%S") in page
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{3,}", page)


def _rows(page: str) -> list[list[str]]:
    """The entries shown: for each row its cells' text (No., time, person, action, object,
    what changed, address)."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [_text(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in body.split("<tr")[1:]
        if 'class="empty"' not in row
    ]


def test_filters_by_a_list_of_actions_person_object_and_beijing_dates(client, auth, world, monkeypatch):
    case, _fund, reviewer = _approved_case(world, client, auth)
    auth.login("auditor")
    chosen = client.get("/audit/?actions=case.approve&actions=ledger.commitment").get_data(as_text=True)
    actions = [row[3] for row in _rows(chosen)]
    assert sorted(actions) == ["台账：审批占用", "审批通过"]
    assert 'value="case.approve" checked' in chosen  # the choice is kept
    # the person: the reviewer's entries only (log-in, the approval, its ledger entry, log-out)
    by_person = _rows(client.get(f"/audit/?person={reviewer.id}").get_data(as_text=True))
    assert by_person and all(row[2] == "王审核" for row in by_person)
    assert f'<option value="{reviewer.id}" selected>王审核（rv1）</option>' in client.get(
        f"/audit/?person={reviewer.id}"
    ).get_data(as_text=True)
    # the object: type and number
    of_case = _rows(client.get(f"/audit/?object_type=case&object_id={case.id}").get_data(as_text=True))
    assert len(of_case) == 3  # opened, submitted, approved
    assert all(row[4] == f"帮扶申请 #{case.id} · {case.worker.name}" for row in of_case)
    # dates are Beijing dates: an entry at 23:30 UTC on 31 March is on 1 April in Beijing
    monkeypatch.setattr(audit_service, "utcnow", lambda: datetime(2015, 3, 31, 23, 30, 5, 123456, tzinfo=UTC))
    late = audit_service.record(
        "unit.rename",
        actor=ACTOR,
        object_type="unit",
        object_id=1,
        details={"old": {"name": "甲"}, "new": {"name": "乙"}},
    )
    db.session.commit()
    april = _rows(client.get("/audit/?from=2015-04-01&to=2015-04-01").get_data(as_text=True))
    assert [row[0] for row in april] == [str(late.seq)]
    assert april[0][1] == "2015-04-01 07:30:05"  # to the second, no microseconds
    assert april[0][5] == "单位名称：甲 → 乙"
    assert _rows(client.get("/audit/?from=2015-03-31&to=2015-03-31").get_data(as_text=True)) == []


def test_old_links_still_work_and_a_bad_date_is_said_at_its_field(client, auth, world):
    auth.login("auditor")
    prefix = _rows(client.get("/audit/?action=ledger.").get_data(as_text=True))
    assert [row[3] for row in prefix] == ["台账：预算拨入", "台账：预算拨入"]
    assert len(_rows(client.get("/audit/?object=budget:1").get_data(as_text=True))) == 1
    page = client.get("/audit/?from=2015-13-01&to=2015-01-01&object_type=case&object_id=abc").get_data(
        as_text=True
    )
    assert 'value="2015-13-01"' in page  # what was typed stays
    assert "请填写日期，例如 2015-03-01。" in page
    assert "请填写对象编号（数字），例如 12。" in page
    ended = client.get("/audit/?from=2015-02-01&to=2015-01-01").get_data(as_text=True)
    assert "截止日期早于起始日期。" in ended


def test_paging_goes_to_older_entries_and_back(client, auth, world, monkeypatch):
    from app.audit import routes

    monkeypatch.setattr(routes, "PAGE_SIZE", 5)
    auth.login("auditor")
    first = client.get("/audit/").get_data(as_text=True)
    seqs = [int(row[0]) for row in _rows(first)]
    assert len(seqs) == 5 and seqs == sorted(seqs, reverse=True)
    older = re.search(r'href="(/audit/\?before=\d+[^"]*)">更早的记录', first)
    assert older, "a link to older entries"
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert max(int(row[0]) for row in _rows(second)) == seqs[-1] - 1
    assert "最新记录" in second


def test_the_export_is_exactly_what_is_filtered_and_is_itself_recorded(client, auth, world):
    _approved_case(world, client, auth)
    auth.login("auditor")
    with client.get("/audit/log.xlsx?actions=ledger.allocation&actions=ledger.commitment") as answer:
        assert answer.status_code == 200
        sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:7] == ["序号", "时间（北京时间）", "操作人", "用户名", "操作", "对象", "变更内容"]
    assert sorted(row[4] for row in rows[1:]) == ["台账：审批占用", "台账：预算拨入", "台账：预算拨入"]
    assert all(isinstance(row[1], datetime) and row[1].microsecond == 0 for row in rows[1:])
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss" and sheet.freeze_panes == "A2"
    assert {row[8] for row in rows[1:]} == {
        "ledger.allocation",
        "ledger.commitment",
    }  # the code, for machines
    assert any("金额：¥800.00" in row[6] for row in rows[1:])
    recorded = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "export.audit_log")
    ).scalar_one()
    assert "台账：预算拨入" in recorded.details and '"format":"xlsx"' in recorded.details
    page = client.get("/audit/?actions=export.audit_log").get_data(as_text=True)
    assert "导出审计日志" in _text(page) and "格式：xlsx" in _text(page)
    with client.get("/audit/log.csv?actions=ledger.allocation") as answer:
        text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff序号,时间（北京时间）") and text.count("台账：预算拨入") == 2
    assert (
        db.session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export.audit_log")
        ).scalar_one()
        == 2
    )


def test_the_administrator_names_a_user_and_the_list_shows_it(client, auth, world):
    person = auth.make_user("caseworker", "zhang")
    auth.login("admin")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "姓名" in listing and f"/admin/users/{person.id}/edit" in listing
    refused = client.post(f"/admin/users/{person.id}/edit", data={"full_name": "长" * 70})
    assert refused.status_code == 200 and "姓名最多 64 个字符。" in refused.get_data(as_text=True)
    assert "长" * 70 in refused.get_data(as_text=True)  # what was typed stays
    saved = client.post(f"/admin/users/{person.id}/edit", data={"full_name": "张晓"}, follow_redirects=True)
    assert "zhang 的姓名已保存" in saved.get_data(as_text=True)
    assert "<td>张晓</td>" in saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).display_name == "张晓"
    created = client.post(
        "/admin/users/new", data={"username": "li2", "full_name": "李四", "role": "finance", "unit": ""}
    )
    assert created.status_code == 200
    assert db.session.execute(select(User).where(User.username == "li2")).scalar_one().full_name == "李四"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.rename")).scalar_one()
    assert entry.details == '{"new":{"full_name":"张晓"},"old":{"full_name":""}}'
