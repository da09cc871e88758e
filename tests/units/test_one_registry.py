"""One registry across the tree (issue 20 point 4), tried from outside: two districts under a
city. A person on file in one district cannot be registered in the other, and the refusal
names only the unit that holds the file; the file moves (调转) when the holding district asks
and the other accepts, with its history; a household sharing a person with another
district's file is queued for the city's duplicate review, which a district never sees."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, DuplicateFlag, FileTransfer, Fund, Worker
from app.services import cases, registry, units
from tests.conftest import ACTOR, PASSWORD
from tests.registry_helpers import make_id, worker_input
from tests.units.test_two_districts import city  # noqa: F401  (the two districts' fixture)

WEST, EAST = "张家口市桥西区总工会", "张家口市桥东区总工会"


def _login(client, make_user, role: str, name: str, unit: str | None) -> None:
    make_user(role, name, unit=unit)
    client.post("/logout")
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302


def _form(id_number: str, **more: str) -> dict[str, str]:
    return {
        "name": "赵六",
        "id_number": id_number,
        "phone": "13900139001",
        "employer": "桥东区纺织厂",
        "address": "桥东区胜利路2号",
        "household_size": "2",
        "household_monthly_income": "900",
        "category": "1",
        "category_reason": "低于低保线",
        "main_cause": "illness_self",
        **more,
    }


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_person_on_file_in_one_district_is_refused_in_the_other_naming_only_the_unit(
    client,
    city,  # noqa: F811
    make_user,
):
    west_file = db.session.get(Worker, city["711002"]["worker"])
    before = _count(Worker)
    _login(client, make_user, "caseworker", "cw-east", "711003")
    answer = client.post("/workers/new", data=_form(make_id(10), unit="711003"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200  # the form again, at the field (no redirect)
    assert f"已在{WEST}建有在档档案" in page and "调转" in page
    # Nothing else about the person: not the name, not the file's number.
    assert west_file.name not in page and f"No. {west_file.id}" not in page
    assert "赵六" in page  # what was typed is kept
    assert _count(Worker) == before

    # The city's caseworker, who may open both districts' files, is told which file.
    _login(client, make_user, "caseworker", "cw-city", "7110")
    page = client.post("/workers/new", data=_form(make_id(10), unit="711003")).get_data(as_text=True)
    assert west_file.name in page and str(west_file.id) in page


def test_a_file_moves_when_the_holding_district_asks_and_the_other_accepts(client, city, make_user):  # noqa: F811
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "caseworker", "cw-west", "711002")
    form = client.get(f"/workers/{worker_id}/transfer").get_data(as_text=True)
    assert "接收单位代码" in form and EAST not in form  # the tree beyond its units is not listed
    unknown = client.post(f"/workers/{worker_id}/transfer", data={"to_unit": "999999", "reason": "迁居"})
    assert unknown.status_code == 422 and "没有代码为999999的工会单位" in unknown.get_data(as_text=True)
    no_reason = client.post(f"/workers/{worker_id}/transfer", data={"to_unit": "711003", "reason": ""})
    assert no_reason.status_code == 422 and "请填写调转原因" in no_reason.get_data(as_text=True)
    assert _count(FileTransfer) == 0
    asked = client.post(
        f"/workers/{worker_id}/transfer", data={"to_unit": "711003", "reason": "户籍迁至桥东区"}
    )
    assert asked.status_code == 302
    (transfer,) = db.session.execute(select(FileTransfer)).scalars()
    again = client.post(f"/workers/{worker_id}/transfer", data={"to_unit": "711003", "reason": "再次申请"})
    assert again.status_code == 422 and "正在办理中" in again.get_data(as_text=True)
    # The sending district cannot accept its own request.
    own = client.post(f"/registry/transfers/{transfer.id}/accept")
    assert own.status_code == 422 and "只有接收单位" in own.get_data(as_text=True)

    _login(client, make_user, "caseworker", "cw-east", "711003")
    assert client.get(f"/workers/{worker_id}").status_code == 404  # not yet theirs
    listing = client.get("/registry/transfers").get_data(as_text=True)
    assert "户籍迁至桥东区" in listing and WEST in listing
    assert client.post(f"/registry/transfers/{transfer.id}/accept").status_code == 302
    db.session.expire_all()
    worker = db.session.get(Worker, worker_id)
    assert worker.unit.code == "711003" and db.session.get(FileTransfer, transfer.id).status == "accepted"
    page = client.get(f"/workers/{worker_id}").get_data(as_text=True)
    assert "调转记录" in page and WEST in page and "户籍迁至桥东区" in page and "处理时间" in page
    assert client.post(f"/registry/transfers/{transfer.id}/accept").status_code == 422  # decided

    _login(client, make_user, "caseworker", "cw-west2", "711002")
    assert client.get(f"/workers/{worker_id}").status_code == 404  # no longer theirs
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {"file_transfer.request", "file_transfer.accept", "worker.transfer"} <= actions


def test_a_transfer_waits_for_open_cases_and_a_decline_needs_its_reason(client, city, make_user):  # noqa: F811
    worker_id = city["711002"]["worker"]
    # A second household of the west district with an approved case: its money is held.
    held = registry.register(
        worker_input(700, name="钱七"), unit=units.find_unit("711002"), actor=ACTOR
    ).worker
    fund = db.session.execute(
        select(Fund).where(Fund.code == "2015100001", Fund.year == 2015, Fund.unit_id == held.unit_id)
    ).scalar_one()
    open_case = cases.open_case(held, fund=fund, aid_type="living", amount="100", reason="困难", actor=ACTOR)
    cases.submit(open_case, actor=ACTOR)
    cases.approve(open_case, actor=ACTOR)
    db.session.commit()
    _login(client, make_user, "caseworker", "cw-west", "711002")
    refused = client.post(f"/workers/{held.id}/transfer", data={"to_unit": "711003", "reason": "迁居"})
    assert refused.status_code == 422 and "须先办结" in refused.get_data(as_text=True)
    assert _count(FileTransfer) == 0

    assert (
        client.post(
            f"/workers/{worker_id}/transfer", data={"to_unit": "711003", "reason": "迁居"}
        ).status_code
        == 302
    )
    transfer = db.session.execute(select(FileTransfer)).scalar_one()
    _login(client, make_user, "caseworker", "cw-east", "711003")
    blank = client.post(f"/registry/transfers/{transfer.id}/decline", data={"note": ""})
    assert blank.status_code == 422 and "请填写拒绝接收的原因" in blank.get_data(as_text=True)
    assert (
        client.post(f"/registry/transfers/{transfer.id}/decline", data={"note": "查无此户"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Worker, worker_id).unit.code == "711002"
    assert db.session.get(FileTransfer, transfer.id).status == "declined"
    # A third district, neither sending nor receiving, does not see the transfer at all.
    units.create_unit("711004", "张家口市宣化区总工会", "7110", actor=ACTOR)
    db.session.commit()
    _login(client, make_user, "caseworker", "cw-third", "711004")
    assert client.post(f"/registry/transfers/{transfer.id}/accept").status_code == 404
    assert "查无此户" not in client.get("/registry/transfers").get_data(as_text=True)
    assert db.session.get(Case, open_case.id).status == "approved"  # the open case untouched


def test_a_household_sharing_a_person_across_districts_waits_for_the_city(client, city, make_user):  # noqa: F811
    west_file = db.session.get(Worker, city["711002"]["worker"])
    _login(client, make_user, "caseworker", "cw-east", "711003")
    form = _form(make_id(501), unit="711003")
    form.update(
        {"members-0-name": "张三", "members-0-relation": "spouse", "members-0-id_number": make_id(10)}
    )
    made = client.post("/workers/new", data=form, follow_redirects=True)
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and f"也在{WEST}的在档档案中" in page
    assert f"No. {west_file.id}" not in page
    (flag,) = db.session.execute(select(DuplicateFlag)).scalars()
    assert flag.parent_unit_id == units.find_unit("7110").id and flag.status == "open"

    # Neither district sees the pair; the city's reviewer does, with both files.
    for unit in ("711002", "711003"):
        _login(client, make_user, "reviewer", f"rv-{unit}", unit)
        assert f"pair-{flag.id}" not in client.get("/registry/duplicates").get_data(as_text=True)
        assert (
            client.post(
                f"/registry/duplicates/{flag.id}", data={"outcome": "distinct", "note": "x"}
            ).status_code
            == 404
        )
    _login(client, make_user, "reviewer", "rv-city", "7110")
    queue = client.get("/registry/duplicates").get_data(as_text=True)
    assert f"pair-{flag.id}" in queue and WEST in queue and EAST in queue
    assert "张三（档案一：户主；档案二：配偶）" in queue  # who the two files share, and as what
    blank = client.post(f"/registry/duplicates/{flag.id}", data={"outcome": "distinct", "note": ""})
    assert blank.status_code == 422 and "请填写核查情况" in blank.get_data(as_text=True)
    assert db.session.get(DuplicateFlag, flag.id).status == "open"
    done = client.post(f"/registry/duplicates/{flag.id}", data={"outcome": "distinct", "note": "同名不同人"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(DuplicateFlag, flag.id).status == "distinct"
    settled = client.get("/registry/duplicates?status=distinct").get_data(as_text=True)
    assert "非重复建档" in settled and "同名不同人" in settled
    # Saving the east file again does not queue the same pair twice.
    east = db.session.execute(select(Worker).where(Worker.name == "赵六")).scalar_one()
    registry.update(
        east,
        worker_input(501, members=[{"name": "张三", "relation": "spouse", "id_number": make_id(10)}]),
        actor=ACTOR,
    )
    assert _count(DuplicateFlag) == 1
