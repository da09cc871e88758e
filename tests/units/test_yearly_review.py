"""年审 rounds and the year's life-on-file report, in two districts under a city. District
711002's reviewer starts the year's round: a task for each of its files on record and only
those; a second round of the year is refused. Its caseworkers do the tasks — the category
stands, changes with new figures, or the household leaves (refused while a case is open);
tasks past the deadline show on the caseworker's home page; the other district sees none of
it. The report's figures are the counts the test makes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, FollowUp, Fund, ReviewRound, ReviewTask, User, Worker
from app.services import cases, registry, units
from app.services import users as user_service
from app.services.audit import Actor
from app.services.registry.episodes import add_months
from tests.conftest import ACTOR, PASSWORD
from tests.registry_helpers import worker_input
from tests.units.test_two_districts import city  # noqa: F401  (the two districts' fixture)

TODAY = date.today()
DAY = date(2015, 1, 20)


def _token(make_user, role: str, unit: str) -> dict[str, str]:
    user = make_user(role, f"{role}-{unit}", unit=unit)
    value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def _login(client, make_user, role: str, name: str, unit: str) -> None:
    make_user(role, name, unit=unit)
    client.post("/logout")
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302


def _fund(code: str) -> Fund:
    return db.session.execute(
        select(Fund).join(Fund.unit).where(Fund.code == "2015100001", Fund.unit.has(code=code))
    ).scalar_one()


@pytest.fixture
def district(city):  # noqa: F811
    """In 711002, besides the city fixture's household: one with a draft case (open), one
    that left the file, and one with a paid case (helped)."""
    unit = units.find_unit("711002")
    made = {"first": city["711002"]["worker"], "other_district": city["711003"]["worker"]}
    open_case = registry.register(worker_input(20, name="李四"), unit=unit, actor=ACTOR).worker
    cases.open_case(
        open_case, fund=_fund("711002"), aid_type="living", amount="800", reason="病", actor=ACTOR
    )
    gone = registry.register(worker_input(21, name="王五"), unit=unit, actor=ACTOR).worker
    registry.exit_household(gone, reason="moved", on=TODAY, note="迁往外地", actor=ACTOR)
    helped = registry.register(worker_input(22, name="赵六"), unit=unit, actor=ACTOR).worker
    db.session.commit()
    actors = {
        role: Actor.of(
            db.session.get(User, user_service.create_user(f"{role}-x", role, "711002", actor=ACTOR)[0].id)
        )
        for role in ("caseworker", "reviewer", "finance")
    }
    case = cases.open_case(
        helped,
        fund=_fund("711002"),
        aid_type="living",
        amount="600",
        reason="生活",
        actor=actors["caseworker"],
    )
    cases.submit(case, actor=actors["caseworker"], today=DAY)
    cases.approve(case, actor=actors["reviewer"], today=DAY)
    cases.pay(case, amount="600", voucher_no="V1", paid_on=DAY, method="cash", actor=actors["finance"])
    db.session.commit()
    made.update(open_case=open_case.id, gone=gone.id, helped=helped.id)
    return made


def _round_body(**extra):
    return {"year": TODAY.year, "deadline": (TODAY + timedelta(days=30)).isoformat(), **extra}


def _tasks_by_worker(round_id: int) -> dict[int, ReviewTask]:
    return {
        t.worker_id: t
        for t in db.session.execute(select(ReviewTask).where(ReviewTask.round_id == round_id)).scalars()
    }


def test_a_round_has_a_task_for_every_file_on_record_and_only_those_and_only_once(
    client, district, make_user
):
    reviewer = _token(make_user, "reviewer", "711002")
    started = client.post("/api/v1/review-rounds", json=_round_body(), headers=reviewer)
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    on_record = {district["first"], district["open_case"], district["helped"]}
    assert {t["applicant_id"] for t in body["tasks"]} == on_record
    assert body["total"] == 3 and body["done"] == 0 and body["unit"] == "711002"
    assert district["gone"] not in _tasks_by_worker(body["id"])  # left the file
    assert district["other_district"] not in _tasks_by_worker(body["id"])  # another unit's
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "review_round.start")
    ).scalar_one()
    assert entry.object_id == str(body["id"])
    # A second round of the unit and year is refused and nothing is added.
    again = client.post("/api/v1/review-rounds", json=_round_body(), headers=reviewer)
    assert again.status_code == 409 and again.get_json()["errors"]["year"]
    assert db.session.execute(select(func.count()).select_from(ReviewRound)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(ReviewTask)).scalar_one() == 3
    # A caseworker may not start one; a deadline gone by is refused at its field.
    caseworker = _token(make_user, "caseworker", "711002")
    assert client.post("/api/v1/review-rounds", json=_round_body(), headers=caseworker).status_code == 403
    other = _token(make_user, "reviewer", "711003")
    late = client.post(
        "/api/v1/review-rounds",
        json=_round_body(deadline=(TODAY - timedelta(days=1)).isoformat()),
        headers=other,
    )
    assert late.status_code == 422 and "deadline" in late.get_json()["errors"]
    # The other district's round is its own: its file only, and it cannot see 711002's.
    theirs = client.post("/api/v1/review-rounds", json=_round_body(), headers=other).get_json()
    assert [t["applicant_id"] for t in theirs["tasks"]] == [district["other_district"]]
    assert client.get(f"/api/v1/review-rounds/{body['id']}", headers=other).status_code == 404
    task_id = body["tasks"][0]["id"]
    their_caseworker = _token(make_user, "caseworker", "711003")
    refused = client.post(
        f"/api/v1/review-tasks/{task_id}/complete", json={"outcome": "keep"}, headers=their_caseworker
    )
    assert refused.status_code == 404
    assert db.session.get(ReviewTask, task_id).done_on is None


def test_each_outcome_goes_through_the_registry_and_an_exit_with_an_open_case_changes_nothing(
    client, district, make_user
):
    reviewer = _token(make_user, "reviewer", "711002")
    round_id = client.post("/api/v1/review-rounds", json=_round_body(), headers=reviewer).get_json()["id"]
    tasks = _tasks_by_worker(round_id)
    caseworker = _token(make_user, "caseworker", "711002")

    def complete(worker_key: str, **body):
        return client.post(
            f"/api/v1/review-tasks/{tasks[district[worker_key]].id}/complete", json=body, headers=caseworker
        )

    # keep: the figures are confirmed today.
    first = db.session.get(Worker, district["first"])
    first.data_checked_on = TODAY - timedelta(days=400)
    db.session.commit()
    kept = complete("first", outcome="keep", note="入户核实，情况未变")
    assert kept.status_code == 200 and kept.get_json()["status"] == "done"
    db.session.expire_all()
    assert db.session.get(Worker, district["first"]).data_checked_on == TODAY
    assert complete("first", outcome="keep").status_code == 409  # done already

    # change: the new figures and category are on file, through the registry's correction.
    helped = db.session.get(Worker, district["helped"])
    assert helped.category == 1
    same = complete(
        "helped", outcome="change", household_size=4, household_monthly_income="3000.00", category=1
    )
    assert same.status_code == 422 and "category" in same.get_json()["errors"]
    bad = complete(
        "helped", outcome="change", household_size=40, household_monthly_income="3000.00", category=2
    )
    assert bad.status_code == 422
    changed = complete(
        "helped", outcome="change", household_size=4, household_monthly_income="3000.00", category=2
    )
    assert changed.status_code == 200, changed.get_json()
    out = changed.get_json()
    assert (out["category_before"], out["category_after"]) == (1, 2)
    assert (out["household_size_after"], out["household_monthly_income_after"]) == (4, "3000.00")
    db.session.expire_all()
    helped = db.session.get(Worker, district["helped"])
    assert (helped.category, helped.household_size, helped.household_monthly_income) == (
        2,
        4,
        Decimal("3000.00"),
    )
    update = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "worker.update", AuditEntry.object_id == str(helped.id))
    ).scalar_one()
    details = json.loads(update.details)
    assert details["old"]["category"] == 1 and details["new"]["category"] == 2

    # exit with a case open: refused (409) and nothing changes, the task stays open.
    refused = complete("open_case", outcome="exit", exit_reason="recovered", note="已就业")
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Worker, district["open_case"]).status == "on_file"
    assert db.session.get(ReviewTask, tasks[district["open_case"]].id).done_on is None
    # Once the case is cancelled, the household leaves the file.
    case = db.session.execute(select(Case).where(Case.worker_id == district["open_case"])).scalar_one()
    cases.cancel(case, reason="撤回", actor=ACTOR)
    db.session.commit()
    left = complete("open_case", outcome="exit", exit_reason="recovered", note="已就业")
    assert left.status_code == 200 and left.get_json()["exit_reason"] == "recovered"
    db.session.expire_all()
    assert db.session.get(Worker, district["open_case"]).status == "out_of_hardship"
    done = db.session.execute(
        select(func.count()).where(AuditEntry.action == "review_task.complete")
    ).scalar_one()
    assert done == 3
    whole = client.get(f"/api/v1/review-rounds/{round_id}", headers=caseworker).get_json()
    assert (whole["total"], whole["done"], whole["overdue"]) == (3, 3, 0)


def test_the_pages_start_a_round_filter_its_tasks_and_flag_overdue_ones_on_the_home_page(
    client, district, make_user
):
    _login(client, make_user, "reviewer", "rv-02", "711002")
    started = client.post(
        "/review-rounds",
        data={
            "unit": "711002",
            "year": str(TODAY.year),
            "deadline": (TODAY + timedelta(days=10)).isoformat(),
        },
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    review_round = db.session.execute(select(ReviewRound)).scalar_one()
    again = client.post(
        "/review-rounds", data={"unit": "711002", "year": str(TODAY.year), "deadline": TODAY.isoformat()}
    )
    assert again.status_code == 422 and "已有" in again.get_data(as_text=True)
    tasks = _tasks_by_worker(review_round.id)

    _login(client, make_user, "caseworker", "cw-02", "711002")
    # A change with an income that is not an amount: refused at the field, nothing changed.
    task_id = tasks[district["first"]].id
    bad = client.post(
        f"/review-tasks/{task_id}/complete",
        data={
            "outcome": "change",
            "household_size": "3",
            "household_monthly_income": "很多",
            "category": "2",
        },
    )
    assert bad.status_code == 422 and 'id="household_monthly_income-error"' in bad.get_data(as_text=True)
    kept = client.post(f"/review-tasks/{task_id}/complete", data={"outcome": "keep"})
    assert kept.status_code == 302
    page = client.get(f"/review-rounds/{review_round.id}?show=done").get_data(as_text=True)
    assert (
        f'/review-tasks/{task_id}"' in page and f'/review-tasks/{tasks[district["helped"]].id}"' not in page
    )
    page = client.get(f"/review-rounds/{review_round.id}?show=open").get_data(as_text=True)
    assert (
        f'/review-tasks/{task_id}"' not in page and f'/review-tasks/{tasks[district["helped"]].id}"' in page
    )
    home = client.get("/").get_data(as_text=True)
    assert f'/review-tasks/{tasks[district["helped"]].id}"' not in home  # not overdue yet

    # The deadline passes: the open tasks are overdue, on the round's page and the home page.
    review_round = db.session.get(ReviewRound, review_round.id)
    review_round.starts_on = review_round.deadline = TODAY - timedelta(days=1)
    db.session.commit()
    overdue = client.get(f"/review-rounds/{review_round.id}?show=overdue").get_data(as_text=True)
    assert (
        f'/review-tasks/{tasks[district["helped"]].id}"' in overdue
        and f'/review-tasks/{task_id}"' not in overdue
    )
    home = client.get("/").get_data(as_text=True)
    assert "年审任务逾期" in home
    assert (
        f'/review-tasks/{tasks[district["helped"]].id}"' in home and f'/review-tasks/{task_id}"' not in home
    )

    # Leaving the file from a task is confirmed first; unconfirmed, nothing changes.
    helped_task = tasks[district["helped"]].id
    form = {"outcome": "exit", "exit_reason": "retired"}
    asked = client.post(f"/review-tasks/{helped_task}/complete", data=form)
    assert asked.status_code == 200 and "退休" in asked.get_data(as_text=True)
    assert db.session.get(ReviewTask, helped_task).done_on is None
    assert (
        client.post(f"/review-tasks/{helped_task}/complete", data={**form, "confirmed": "1"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Worker, district["helped"]).status == "closed"
    assert f'/review-tasks/{helped_task}"' not in client.get("/").get_data(as_text=True)

    # Another district's caseworker sees neither the round nor its tasks.
    _login(client, make_user, "caseworker", "cw-03", "711003")
    assert client.get(f"/review-rounds/{review_round.id}").status_code == 404
    assert client.get(f"/review-tasks/{task_id}").status_code == 404
    assert (
        client.post(
            f"/review-tasks/{tasks[district['helped']].id}/complete", data={"outcome": "keep"}
        ).status_code
        == 404
    )
    assert f'/review-tasks/{tasks[district["helped"]].id}"' not in client.get("/").get_data(as_text=True)


def test_the_lists_of_files_unchanged_for_a_year_and_never_helped(client, district, make_user):
    first = db.session.get(Worker, district["first"])
    first.data_checked_on = add_months(TODAY, -12)
    db.session.commit()
    _login(client, make_user, "caseworker", "cw-02", "711002")
    unchanged = client.get("/review/files?list=unchanged").get_data(as_text=True)
    assert (
        f'/workers/{district["first"]}"' in unchanged and f'/workers/{district["helped"]}"' not in unchanged
    )
    never = client.get("/review/files?list=never_helped").get_data(as_text=True)
    assert f'/workers/{district["first"]}"' in never and f'/workers/{district["open_case"]}"' in never
    assert f'/workers/{district["helped"]}"' not in never  # paid
    assert f'/workers/{district["gone"]}"' not in never  # left the file
    assert f'/workers/{district["other_district"]}"' not in never  # another unit's
    sheet = client.get("/review/files.xlsx?list=never_helped")
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    numbers = {row[0] for row in rows}
    assert {str(district["first"]), str(district["open_case"])} <= numbers and str(
        district["helped"]
    ) not in numbers
    assert (
        db.session.execute(select(func.count()).where(AuditEntry.action == "export.review_list")).scalar_one()
        == 1
    )


def test_the_life_on_file_report_counts_what_happened_in_the_year(client, district, make_user):
    reviewer = _token(make_user, "reviewer", "711002")
    round_id = client.post("/api/v1/review-rounds", json=_round_body(), headers=reviewer).get_json()["id"]
    tasks = _tasks_by_worker(round_id)
    caseworker = _token(make_user, "caseworker", "711002")
    client.post(
        f"/api/v1/review-tasks/{tasks[district['first']].id}/complete",
        json={"outcome": "keep"},
        headers=caseworker,
    )
    # 711002's year: four files opened (one since left: moved), none back yet; one left by
    # the review (recovered, after its case was cancelled).
    case = db.session.execute(select(Case).where(Case.worker_id == district["open_case"])).scalar_one()
    cases.cancel(case, reason="撤回", actor=ACTOR)
    db.session.commit()
    client.post(
        f"/api/v1/review-tasks/{tasks[district['open_case']].id}/complete",
        json={"outcome": "exit", "exit_reason": "recovered"},
        headers=caseworker,
    )
    gone = db.session.get(Worker, district["gone"])
    registry.reenter_household(gone, reason="再次失业", on=TODAY, actor=ACTOR)
    # Follow-up calls fallen due this year: one done by its date, one after, one not done.
    episode_id = (
        db.session.execute(select(FollowUp.episode_id).where(FollowUp.worker_id == gone.id)).scalars().first()
    )
    start = date(TODAY.year, 1, 10)
    for due, done in ((start, start), (start + timedelta(days=5), start + timedelta(days=40)), (start, None)):
        db.session.add(
            FollowUp(episode_id=episode_id, worker_id=gone.id, months_after=3, due_on=due, done_on=done)
        )
    db.session.commit()

    _login(client, make_user, "caseworker", "cw-02", "711002")
    from app.services import yearly_review

    report = yearly_review.file_life(TODAY.year, [units.find_unit("711002").id])
    assert (report.new_files, report.returning, report.entering) == (4, 1, 5)
    assert report.exits["moved"] == 1 and report.exits["recovered"] == 1 and report.exiting == 2
    assert (report.follow_ups_due, report.follow_ups_by_date, report.follow_ups_later) == (3, 1, 1)
    (unit_row,) = report.reviews
    assert (unit_row.total, unit_row.done, unit_row.on_time, unit_row.rate) == (3, 2, 2, 66.7)
    page = client.get(f"/reports/file-life?year={TODAY.year}").get_data(as_text=True)
    assert "其中：迁出" in page and "66.7%" in page
    sheet = client.get(f"/reports/file-life.xlsx?year={TODAY.year}")
    book = load_workbook(io.BytesIO(sheet.data))
    figures = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert figures["进入在档的户数"] == 5 and figures["其中：迁出"] == 1
    reviews = [
        row
        for row in book.worksheets[1].iter_rows(values_only=True)
        if row and row[0] == "张家口市桥西区总工会"
    ]
    assert reviews[0][1:4] == (3, 2, 2)


def test_the_new_income_is_read_as_people_type_it_and_an_ambiguous_one_is_refused(
    client, district, make_user
):
    reviewer = _token(make_user, "reviewer", "711002")
    round_id = client.post("/api/v1/review-rounds", json=_round_body(), headers=reviewer).get_json()["id"]
    task_id = _tasks_by_worker(round_id)[district["first"]].id
    _login(client, make_user, "caseworker", "cw-02", "711002")
    form = {"outcome": "change", "household_size": "3", "category": "2"}
    unclear = client.post(
        f"/review-tasks/{task_id}/complete", data={**form, "household_monthly_income": "2100,50"}
    )
    assert unclear.status_code == 422 and "逗号只能用作千位分隔" in unclear.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Worker, district["first"]).category == 1
    typed = client.post(
        f"/review-tasks/{task_id}/complete", data={**form, "household_monthly_income": "２，１００．５０"}
    )
    assert typed.status_code == 302
    db.session.expire_all()
    worker = db.session.get(Worker, district["first"])
    assert (worker.category, worker.household_monthly_income) == (2, Decimal("2100.50"))
