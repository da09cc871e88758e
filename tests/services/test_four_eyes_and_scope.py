"""Four eyes where money moves, with a logged exception for a one-person office;
and each user sees only the files of their own union unit and the units below."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit, User
from app.services import four_eyes, scope, units
from app.services.audit import Actor
from app.services.errors import InvalidInput
from app.services.four_eyes import FourEyesViolation
from tests.conftest import ACTOR


def _actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


@pytest.fixture
def people(budget_2015, make_user):
    unit = budget_2015.budget.unit
    names = {role: make_user(role, unit=unit.code) for role in ("caseworker", "reviewer", "admin")}
    return unit, {role: db.session.get(User, user.id) for role, user in names.items()}


def _check(actor_user, earlier_user, unit):
    four_eyes.ensure_different(
        "approve_own_case",
        actor=Actor.of(actor_user, "10.0.0.1"),
        earlier_user_id=earlier_user.id,
        unit_id=unit.id,
        object_type="case",
        object_id=1,
    )


def test_the_same_person_cannot_do_both_steps_and_the_refusal_is_logged(people):
    unit, users = people
    _check(users["reviewer"], users["caseworker"], unit)  # two people: fine
    with pytest.raises(FourEyesViolation) as refused:
        _check(users["caseworker"], users["caseworker"], unit)
    assert "四眼原则" in refused.value.message
    db.session.rollback()
    four_eyes.record_refusal(
        refused.value, actor=Actor.of(users["caseworker"]), unit_id=unit.id, object_type="case", object_id=1
    )
    db.session.commit()
    refusal = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "four_eyes.refused")
    ).scalar_one()
    assert refusal.actor_id == users["caseworker"].id
    assert '"rule":"approve_own_case"' in refusal.details


def test_an_admin_exception_for_a_one_person_office_is_time_limited_and_logged(people):
    unit, users = people
    exception = four_eyes.grant_exception(unit, reason="一人办公室", days=30, actor=Actor.of(users["admin"]))
    _check(users["caseworker"], users["caseworker"], unit)  # allowed now, and logged
    assert _actions()[-2:] == ["four_eyes.exception_grant", "four_eyes.exception_used"]

    other = Unit(code="711003", name="另一单位", parent_id=unit.parent_id)
    db.session.add(other)
    db.session.flush()
    with pytest.raises(FourEyesViolation):  # the exception is for that unit only
        _check(users["caseworker"], users["caseworker"], other)

    four_eyes.revoke_exception(exception, actor=Actor.of(users["admin"]))
    with pytest.raises(FourEyesViolation):
        _check(users["caseworker"], users["caseworker"], unit)
    assert "four_eyes.exception_revoke" in _actions()


@pytest.mark.parametrize(("reason", "days"), [("", 30), ("  ", 30), ("一人办公室", 0), ("一人办公室", 400)])
def test_an_exception_needs_a_reason_and_a_sensible_term(people, reason, days):
    unit, users = people
    with pytest.raises(InvalidInput):
        four_eyes.grant_exception(unit, reason=reason, days=days, actor=Actor.of(users["admin"]))


def test_users_see_their_unit_and_the_units_below(budget_2015, make_user, client):
    district = budget_2015.budget.unit  # 711002
    city = units.create_unit("7100", "张家口市总工会", None, actor=ACTOR)
    units.move_unit(district.code, city.code, actor=ACTOR)
    elsewhere = Unit(code="720001", name="其他区总工会")
    db.session.add(elsewhere)
    db.session.commit()

    def visible(code):
        user = db.session.get(User, make_user("auditor", unit=code).id)
        return scope.visible_unit_ids(user)

    assert visible(district.code) == [district.id]
    assert set(visible(city.code)) == {city.id, district.id}
    assert visible(elsewhere.code) == [elsewhere.id]
    assert scope.visible_unit_ids(db.session.get(User, make_user("auditor").id)) is None


def test_a_user_of_another_unit_sees_none_of_these_funds(budget_2015, make_user, client):
    db.session.add(Unit(code="720001", name="其他区总工会"))
    db.session.commit()
    outsider = make_user("finance", unit="720001")
    client.post("/login", data={"username": outsider.username, "password": "Kunnan-Bangfu-2015"})
    page = client.get("/?year=2015").get_data(as_text=True)
    assert "2015100001" not in page and "¥300,000.00" not in page
    assert client.get("/funds/2015100001/ledger?year=2015").status_code == 404
    client.post("/logout")

    insider = make_user("finance", unit="711002")
    client.post("/login", data={"username": insider.username, "password": "Kunnan-Bangfu-2015"})
    assert "¥300,000.00" in client.get("/?year=2015").get_data(as_text=True)
    assert client.get("/funds/2015100001/ledger?year=2015").status_code == 200
