"""Leaving the file, follow-up calls and coming back (返困) as a caseworker does them on the
household's pages: refusals at the field with what was typed, the history kept."""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.models import Case, Worker
from app.services import cases
from tests.conftest import ACTOR

TODAY = date.today().isoformat()


def _settle() -> None:
    cases.cancel(db.session.get(Case, 1), reason="撤回", actor=ACTOR)
    db.session.commit()


def test_the_exit_page_refuses_while_a_case_is_open_and_keeps_what_was_typed(client, auth, world):
    auth.login("caseworker")
    page = client.get("/workers/1/exit").get_data(as_text=True)
    assert "尚未办结的救助申请" in page and "脱困" in page
    refused = client.post(
        "/workers/1/exit", data={"reason": "recovered", "date": TODAY, "note": "子女就业", "confirmed": "1"}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert '<p class="error" id="reason-error">该户仍有未办结的救助申请' in text
    assert "子女就业" in text  # nothing typed is lost
    db.session.expire_all()
    assert db.session.get(Worker, 1).status == "on_file"


def test_a_bad_date_is_shown_at_its_field(client, auth, world):
    _settle()
    auth.login("caseworker")
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = client.post(
        "/workers/1/exit", data={"reason": "moved", "date": future, "note": "迁往外省", "confirmed": "1"}
    )
    assert refused.status_code == 422
    assert '<p class="error" id="date-error">日期不能晚于今天' in refused.get_data(as_text=True) or (
        'id="date-error"' in refused.get_data(as_text=True)
    )
    no_reason = client.post("/workers/1/exit", data={"reason": "", "date": TODAY, "confirmed": "1"})
    assert 'id="reason-error">请选择退出原因' in no_reason.get_data(as_text=True)


def test_exit_asks_for_confirmation_then_the_file_is_read_only_until_the_return(client, auth, world):
    _settle()
    auth.login("caseworker")
    form = {"reason": "recovered", "date": TODAY, "note": "子女就业"}
    asked = client.post("/workers/1/exit", data=form).get_data(as_text=True)
    assert "确认该户退出档案" in asked
    db.session.expire_all()
    assert db.session.get(Worker, 1).status == "on_file"
    done = client.post("/workers/1/exit", data={**form, "confirmed": "1"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "该户已退出档案" in text and "在档经历" in text and "尚未回访" in text
    assert "新建救助申请" not in text or "/workers/1/cases/new" not in text

    refused = client.post(
        "/workers/1/evidence",
        data={"kind": "household_register", "reference": "户口簿", "received_on": TODAY},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "档案已退出" in refused

    call = client.post(
        "/workers/1/follow-ups",
        data={"kind": "phone", "date": TODAY, "note": "电话回访，生活稳定"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "电话回访，生活稳定" in call and "已于" in call

    empty = client.post("/workers/1/reentry", data={"reason": "", "date": TODAY, "confirmed": "1"})
    assert empty.status_code == 422
    assert 'id="reason-error">请填写返困原因' in empty.get_data(as_text=True)
    back = client.post(
        "/workers/1/reentry",
        data={"reason": "再次失业", "date": TODAY, "confirmed": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "该户已重新建档" in back and "再次失业" in back and "子女就业" in back  # both periods shown
    db.session.expire_all()
    assert db.session.get(Worker, 1).status == "on_file"


def test_the_caseworkers_home_lists_follow_up_calls_due(client, auth, world):
    from app.models import FollowUp

    _settle()
    auth.login("caseworker")
    client.post("/workers/1/exit", data={"reason": "recovered", "date": TODAY, "note": "", "confirmed": "1"})
    home = client.get("/").get_data(as_text=True)
    assert "退出后回访" in home and "暂无到期的回访" in home
    first = db.session.query(FollowUp).order_by(FollowUp.due_on).first()
    first.due_on = date.today() - timedelta(days=1)  # the first call is now overdue
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "逾期" in home and "/workers/1/follow-ups" in home
    client.post("/workers/1/follow-ups", data={"kind": "home", "date": TODAY, "note": "入户回访"})
    assert "暂无到期的回访" in client.get("/").get_data(as_text=True)


def test_the_yearly_report_counts_entries_exits_returns_and_calls_on_time(client, auth, world):
    import io

    from openpyxl import load_workbook

    from app.models import FollowUp
    from app.services import household_report

    _settle()
    auth.login("caseworker")
    client.post("/workers/1/exit", data={"reason": "moved", "date": TODAY, "note": "", "confirmed": "1"})
    client.post("/workers/1/follow-ups", data={"kind": "phone", "date": TODAY, "note": "电话回访"})
    client.post("/workers/1/reentry", data={"reason": "再次失业", "date": TODAY, "confirmed": "1"})
    for follow_up in db.session.query(FollowUp):  # as if the calls had been due in the past
        follow_up.due_on = follow_up.due_on.replace(year=date.today().year - 1)
    db.session.commit()
    year = date.today().year
    rows = {r.year: r for r in household_report.yearly_rows(None)}
    this = rows[year]
    assert (this.entering, this.returning, this.exiting, this.exits["moved"]) == (1, 1, 1, 1)
    assert rows[year - 1].follow_ups_due == 3 and rows[year - 1].follow_ups_on_time == 0  # done too late
    assert household_report.yearly_rows([9999]) == []

    auth.login("reviewer")
    page = client.get("/reports/households").get_data(as_text=True)
    assert "年度建档变动" in page and "迁出" in page and "返困重新建档" in page
    download = client.get("/reports/households.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert any(row[:4] == [year, 1, 1, 1] for row in cells if row and row[0] == year)
