"""``GET /units`` and the unit a new file goes to (``unit`` on POST /applicants and
POST /model-workers), as ../shared/API.md states them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ModelWorker, User, Worker
from app.services import units
from app.services import users as user_service
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

API = "/api/v1"


@pytest.fixture
def token_of(make_user):
    """Factory: a bearer token for a new user of ``role`` in ``unit`` (None: no unit)."""

    def _token(role: str, unit: str | None) -> dict[str, str]:
        user = make_user(role, None, unit=unit)
        value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
        db.session.commit()
        return {"Authorization": f"Bearer {value}"}

    return _token


@pytest.fixture
def tree(world):
    """711002 under the city 1307, a grassroots union under 711002, a sibling district,
    and a province federation of its own elsewhere."""
    units.create_unit("1307", "张家口市总工会", None, actor=ACTOR)
    units.move_unit("711002", "1307", actor=ACTOR)
    units.create_unit("711002001", "桥西区电厂工会", "711002", actor=ACTOR)
    units.create_unit("130702", "桥东区总工会", "1307", actor=ACTOR)
    units.create_unit("14", "山西省总工会", None, actor=ACTOR)
    db.session.commit()


def _units(client, headers) -> dict[str, str | None]:
    response = client.get(f"{API}/units", headers=headers)
    assert response.status_code == 200
    listed = response.get_json()["units"]
    assert all(set(item) == {"code", "name", "parent"} for item in listed)
    return {item["code"]: item["parent"] for item in listed}


def test_a_district_user_sees_its_unit_and_the_units_below(client, tree, token_of):
    assert _units(client, token_of("reviewer", "711002")) == {"711002": "1307", "711002001": "711002"}


def test_a_city_user_sees_its_districts_and_their_unions(client, tree, token_of):
    assert _units(client, token_of("auditor", "1307")) == {
        "1307": None,
        "711002": "1307",
        "711002001": "711002",
        "130702": "1307",
    }


def test_a_user_of_no_unit_sees_every_unit(client, tree, token_of):
    listed = client.get(f"{API}/units", headers=token_of("finance", None)).get_json()["units"]
    assert [u["code"] for u in listed] == ["1307", "130702", "14", "711002", "711002001"]
    assert {"code": "14", "name": "山西省总工会", "parent": None} in listed


def _applicant(n: int, **changes: object) -> dict[str, object]:
    return {
        "name": "张三",
        "id_number": make_id(n),
        "phone": "13800138000",
        "employer": "桥西区电厂",
        "household_size": 3,
        "household_monthly_income": "1500.00",
        "category": 1,
        "category_reason": "低于低保线",
        **changes,
    }


def _model_worker(n: int, **changes: object) -> dict[str, object]:
    return {
        "name": "劳模",
        "id_number": make_id(n),
        "level": "city",
        "employer": "电厂",
        "title_year": 2001,
    } | (changes)


def _files() -> tuple[int, int]:
    db.session.expire_all()
    return tuple(
        db.session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Worker, ModelWorker)
    )


def _unit_of(model, file_id: int) -> str:
    db.session.expire_all()
    return db.session.get(model, file_id).unit.code


def test_without_a_unit_a_caller_of_no_unit_gets_the_only_unit(client, world, token_of):
    headers = token_of("caseworker", None)
    made = client.post(f"{API}/applicants", json=_applicant(501), headers=headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["unit"] == "711002"
    worker = client.post(f"{API}/model-workers", json=_model_worker(502), headers=headers)
    assert worker.status_code == 201, worker.get_json()
    assert _unit_of(ModelWorker, worker.get_json()["id"]) == "711002"


def test_without_a_unit_a_caller_of_no_unit_must_name_one_when_there_are_two(client, world, token_of):
    units.create_unit("720001", "其他区总工会", None, actor=ACTOR)
    db.session.commit()
    headers = token_of("caseworker", None)
    before = _files()
    for path, payload in (("/applicants", _applicant(503)), ("/model-workers", _model_worker(504))):
        refused = client.post(API + path, json=payload, headers=headers)
        assert refused.status_code == 422, path
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["errors"]["unit"] == ["请选择建档工会。"]
    assert _files() == before
    named = client.post(f"{API}/applicants", json=_applicant(503, unit="720001"), headers=headers)
    assert named.status_code == 201 and named.get_json()["unit"] == "720001"
    worker = client.post(f"{API}/model-workers", json=_model_worker(504, unit="720001"), headers=headers)
    assert worker.status_code == 201 and _unit_of(ModelWorker, worker.get_json()["id"]) == "720001"


def test_a_caller_files_in_its_own_unit_or_a_unit_below_it_it_names(client, tree, token_of):
    district = token_of("caseworker", "711002")
    own = client.post(f"{API}/applicants", json=_applicant(505), headers=district)
    assert own.status_code == 201 and own.get_json()["unit"] == "711002"
    below = client.post(f"{API}/applicants", json=_applicant(506, unit="711002001"), headers=district)
    assert below.status_code == 201 and below.get_json()["unit"] == "711002001"
    city = token_of("caseworker", "1307")
    named = client.post(f"{API}/model-workers", json=_model_worker(507, unit="711002"), headers=city)
    assert named.status_code == 201 and _unit_of(ModelWorker, named.get_json()["id"]) == "711002"


@pytest.mark.parametrize("outside", ["1307", "130702", "14", "9999"])
def test_a_unit_outside_the_callers_scope_is_422_on_unit(client, tree, token_of, outside):
    district = token_of("caseworker", "711002")
    before = _files()
    for path, payload in (("/applicants", _applicant(508)), ("/model-workers", _model_worker(509))):
        refused = client.post(API + path, json={**payload, "unit": outside}, headers=district)
        assert refused.status_code == 422, (path, refused.get_json())
        assert refused.get_json()["errors"]["unit"] == [f"单位 {outside} 不在您的管辖范围内。"]
    assert _files() == before


def test_the_unit_field_is_a_short_string(client, world, token_of):
    headers = token_of("caseworker", None)
    for bad in (711002, "7" * 201, ["711002"]):
        refused = client.post(f"{API}/applicants", json=_applicant(510, unit=bad), headers=headers)
        assert refused.status_code == 422 and "unit" in refused.get_json()["errors"], bad
