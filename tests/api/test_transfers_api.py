"""调转 and 查重 through the API, as a city's systems would call them: the district that holds a
file asks to move it, the other accepts; a pair of files sharing a person is settled by the
city's reviewer; neither district decides what is not its own, and a third unit sees nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import DuplicateFlag, FileTransfer, User, Worker
from app.services import registry, units
from app.services import users as user_service
from tests.conftest import ACTOR
from tests.registry_helpers import make_id, worker_input
from tests.units.test_two_districts import city  # noqa: F401  (the two districts' fixture)

API = "/api/v1"


def _bearer(make_user, role: str, name: str, unit: str | None) -> dict[str, str]:
    user = make_user(role, name, unit=unit)
    value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_file_moves_through_the_api_and_only_the_receiving_unit_decides(client, city, make_user):  # noqa: F811
    west = _bearer(make_user, "caseworker", "cw-west", "711002")
    east = _bearer(make_user, "caseworker", "cw-east", "711003")
    worker_id = city["711002"]["worker"]

    for wrong, status in (
        ({"to_unit": "711002", "reason": "迁居"}, 409),
        ({"to_unit": "999999", "reason": "迁居"}, 422),
    ):
        answer = client.post(f"{API}/applicants/{worker_id}/transfer", json=wrong, headers=west)
        assert answer.status_code == status, answer.get_json()
    assert (
        client.post(
            f"{API}/applicants/{worker_id}/transfer",
            json={"to_unit": "711003", "reason": "迁居"},
            headers=east,
        ).status_code
        == 404
    )
    assert _count(FileTransfer) == 0

    asked = client.post(
        f"{API}/applicants/{worker_id}/transfer",
        json={"to_unit": "711003", "reason": "户籍迁至桥东区"},
        headers=west,
    )
    assert asked.status_code == 201
    made = asked.get_json()
    assert (made["from_unit"], made["to_unit"], made["status"]) == ("711002", "711003", "requested")
    assert client.post(f"{API}/file-transfers/{made['id']}/accept", headers=west).status_code == 409
    listed = client.get(f"{API}/file-transfers?status=requested", headers=east).get_json()["items"]
    assert [t["id"] for t in listed] == [made["id"]]

    accepted = client.post(f"{API}/file-transfers/{made['id']}/accept", headers=east)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    db.session.expire_all()
    assert db.session.get(Worker, worker_id).unit.code == "711003"
    assert client.get(f"{API}/applicants/{worker_id}", headers=east).status_code == 200
    assert client.get(f"{API}/applicants/{worker_id}", headers=west).status_code == 404
    assert client.post(f"{API}/file-transfers/{made['id']}/withdraw", headers=west).status_code == 409

    # A third district neither sends nor receives: it does not find the transfer.
    units.create_unit("711004", "张家口市宣化区总工会", "7110", actor=ACTOR)
    db.session.commit()
    third = _bearer(make_user, "caseworker", "cw-third", "711004")
    assert (
        client.post(
            f"{API}/file-transfers/{made['id']}/decline", json={"note": "x"}, headers=third
        ).status_code
        == 404
    )
    assert client.get(f"{API}/file-transfers", headers=third).get_json()["items"] == []


def test_a_pair_sharing_a_person_is_settled_by_the_city_through_the_api(client, city, make_user):  # noqa: F811
    east_unit = units.find_unit("711003")
    shared = worker_input(
        501, name="赵六", members=[{"name": "张三", "relation": "spouse", "id_number": make_id(10)}]
    )
    registry.register(shared, unit=east_unit, actor=ACTOR)
    db.session.commit()
    flag = db.session.execute(select(DuplicateFlag)).scalar_one()

    district = _bearer(make_user, "reviewer", "rv-east", "711003")
    city_reviewer = _bearer(make_user, "reviewer", "rv-city", "7110")
    assert client.get(f"{API}/duplicate-flags", headers=district).get_json()["items"] == []
    assert (
        client.post(
            f"{API}/duplicate-flags/{flag.id}/decide",
            json={"finding": "distinct", "note": "x"},
            headers=district,
        ).status_code
        == 404
    )

    (item,) = client.get(f"{API}/duplicate-flags?status=open", headers=city_reviewer).get_json()["items"]
    assert item["unit"] == "7110" and item["shared"] == [
        {"name": "张三", "on_first": "head", "on_second": "spouse"}
    ]
    assert (
        client.post(
            f"{API}/duplicate-flags/{flag.id}/decide",
            json={"finding": "maybe", "note": "x"},
            headers=city_reviewer,
        ).status_code
        == 422
    )
    done = client.post(
        f"{API}/duplicate-flags/{flag.id}/decide",
        json={"finding": "distinct", "note": "同名不同人"},
        headers=city_reviewer,
    )
    assert done.status_code == 200 and done.get_json()["status"] == "distinct"
    again = client.post(
        f"{API}/duplicate-flags/{flag.id}/decide",
        json={"finding": "double", "note": "再查"},
        headers=city_reviewer,
    )
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(DuplicateFlag, flag.id).decision_note == "同名不同人"
