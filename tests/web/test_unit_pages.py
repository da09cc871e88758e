"""The administrator's page of union units: the tree they see, a new unit, a unit moved or
renamed; an administrator of a unit works only below it; refusals at their field."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit
from app.services import units
from tests.conftest import ACTOR, PASSWORD


def _tree() -> dict[str, tuple[str, str | None]]:
    db.session.expire_all()
    return {
        u.code: (u.name, u.parent.code if u.parent else None)
        for u in db.session.execute(select(Unit)).scalars()
    }


def _logged() -> list[str]:
    return list(
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.object_type == "unit").order_by(AuditEntry.seq)
        ).scalars()
    )


def _id(code: str) -> int:
    return db.session.execute(select(Unit.id).where(Unit.code == code)).scalar_one()


def _login_in_unit(client, make_user, unit: str) -> None:
    user = make_user("admin", f"admin-{unit}", unit=unit)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_federation_wide_admin_builds_the_tree(client, auth, world):
    auth.login("admin", "root")
    assert "/admin/units" in client.get("/admin/users").get_data(as_text=True)  # linked
    page = client.get("/admin/units").get_data(as_text=True)
    assert "工会单位" in page and "711002" in page
    assert "组织树顶层" in client.get("/admin/units/new").get_data(as_text=True)

    made = client.post("/admin/units/new", data={"code": "1307", "name": "张家口市总工会", "parent": ""})
    assert made.status_code == 302 and made.headers["Location"].endswith("/admin/units")
    assert "单位 1307 张家口市总工会 已创建" in client.get("/admin/units").get_data(as_text=True)
    below = {"code": "130702", "name": "桥东区总工会", "parent": "1307"}
    assert client.post("/admin/units/new", data=below).status_code == 302

    edit = client.get(f"/admin/units/{_id('711002')}/edit").get_data(as_text=True)
    assert 'value="张家口市桥西区总工会"' in edit
    moved = client.post(f"/admin/units/{_id('711002')}/edit", data={"name": "桥西区总工会", "parent": "1307"})
    assert moved.status_code == 302
    assert _tree() == {
        "1307": ("张家口市总工会", None),
        "130702": ("桥东区总工会", "1307"),
        "711002": ("桥西区总工会", "1307"),
    }
    assert _logged()[-4:] == ["unit.create", "unit.create", "unit.rename", "unit.move"]
    page = client.get("/admin/units").get_data(as_text=True)
    assert "单位 711002 已保存" in page
    table = page[page.index("<tbody") :]
    assert table.index("1307") < table.index("　130702") < table.index("　711002")


def test_refusals_stand_next_to_their_field_and_change_nothing(client, auth, world):
    auth.login("admin", "root")
    units.create_unit("1307", "张家口市总工会", None, actor=ACTOR)
    units.move_unit("711002", "1307", actor=ACTOR)
    db.session.commit()
    before, logged = _tree(), _logged()
    for data, message in [
        ({"code": "711002", "name": "重复", "parent": ""}, "单位 711002 已存在"),
        ({"code": "71 1", "name": "桥西", "parent": ""}, "单位代码为 1 至 20 位字母或数字"),
        ({"code": "711009", "name": " ", "parent": ""}, "请填写单位名称"),
        ({"code": "711009", "name": "桥西", "parent": "999"}, "未找到单位 999"),
    ]:
        page = client.post("/admin/units/new", data=data).get_data(as_text=True)
        assert message in page and 'class="error"' in page, (data, page)
        assert f'value="{data["code"]}"' in page  # what was typed is kept
    cycle = client.post(
        f"/admin/units/{_id('1307')}/edit", data={"name": "张家口市总工会", "parent": "711002"}
    )
    page = cycle.get_data(as_text=True)
    assert cycle.status_code == 200 and "不能把单位放在它自己或它的下级单位之下" in page
    assert 'id="parent-error"' in page
    db.session.rollback()
    assert (_tree(), _logged()) == (before, logged)


def test_an_admin_of_a_unit_works_only_below_it(client, make_user, world):
    units.create_unit("1307", "张家口市总工会", None, actor=ACTOR)
    units.move_unit("711002", "1307", actor=ACTOR)
    units.create_unit("130702", "桥东区总工会", "1307", actor=ACTOR)
    units.create_unit("14", "山西省总工会", None, actor=ACTOR)
    db.session.commit()
    _login_in_unit(client, make_user, "1307")

    page = client.get("/admin/units").get_data(as_text=True)
    assert "130702" in page and "711002" in page and "山西省总工会" not in page
    form = client.get("/admin/units/new").get_data(as_text=True)
    assert "组织树顶层" not in form and "山西省总工会" not in form
    before = _tree()
    for parent, message in [("", "请选择上级单位"), ("14", "未找到单位 14")]:
        refused = client.post("/admin/units/new", data={"code": "711003", "name": "新区", "parent": parent})
        assert message in refused.get_data(as_text=True), parent
    assert _tree() == before
    made = client.post("/admin/units/new", data={"code": "711003", "name": "新区", "parent": "1307"})
    assert made.status_code == 302 and _tree()["711003"] == ("新区", "1307")

    assert client.get(f"/admin/units/{_id('1307')}/edit").status_code == 404  # their own unit
    assert client.get(f"/admin/units/{_id('14')}/edit").status_code == 404  # not theirs
    assert (
        client.post(f"/admin/units/{_id('14')}/edit", data={"name": "x", "parent": "1307"}).status_code == 404
    )
    away = client.post(f"/admin/units/{_id('711003')}/edit", data={"name": "新区", "parent": "14"})
    assert "未找到单位 14" in away.get_data(as_text=True)
    under = client.post(f"/admin/units/{_id('711003')}/edit", data={"name": "新区", "parent": "711002"})
    assert under.status_code == 302
    assert _tree()["711003"] == ("新区", "711002") and _tree()["14"] == ("山西省总工会", None)
