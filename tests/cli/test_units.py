"""``flask units create / list / move / rename``: the union's tree from the console."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit
from tests.conftest import BUDGET_FILE


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["units", *args])


def _parents():
    db.session.expire_all()
    return {u.code: u.parent.code if u.parent else None for u in db.session.execute(select(Unit)).scalars()}


def test_create_list_and_move_units(app):
    assert _run(app, "create", "13", "河北省总工会").exit_code == 0
    made = _run(app, "create", "1307", "张家口市总工会", "--parent", "13")
    assert made.exit_code == 0, made.stderr
    assert "1307" in made.output and "13" in made.output
    assert _run(app, "create", "711002", "张家口市桥西区总工会").exit_code == 0
    assert _run(app, "create", "130701", "桥东区总工会", "--parent", "1307").exit_code == 0

    moved = _run(app, "move", "711002", "--parent", "1307")
    assert moved.exit_code == 0, moved.stderr
    listed = _run(app, "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "13 河北省总工会",
        "  1307 张家口市总工会",
        "    130701 桥东区总工会",
        "    711002 张家口市桥西区总工会",
    ]
    assert _run(app, "move", "130701", "--top").exit_code == 0
    assert _run(app, "rename", "130701", "张家口市桥东区总工会").exit_code == 0
    with app.app_context():
        assert _parents() == {"13": None, "1307": "13", "711002": "1307", "130701": None}
        renamed = db.session.execute(select(Unit).where(Unit.code == "130701")).scalar_one()
        assert renamed.name == "张家口市桥东区总工会"
        logged = db.session.execute(
            select(AuditEntry.action, AuditEntry.object_type).where(AuditEntry.action.like("unit.%"))
        ).all()
        assert [a for a, _t in logged] == ["unit.create"] * 4 + ["unit.move"] * 2 + ["unit.rename"]
        assert {t for _a, t in logged} == {"unit"}
        move = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "unit.move")).scalars().first()
        )
        assert '"old":{"parent":null}' in move.details and '"new":{"parent":"1307"}' in move.details


def test_a_unit_cannot_go_under_itself_or_its_own_descendant(app):
    for args in (("create", "13", "省总"), ("create", "1307", "市总", "--parent", "13")):
        assert _run(app, *args).exit_code == 0
    assert _run(app, "create", "130701", "区总", "--parent", "1307").exit_code == 0
    for parent in ("13", "1307", "130701"):
        refused = _run(app, "move", "13", "--parent", parent)
        assert refused.exit_code == 1
        assert "不能把单位放在它自己或它的下级单位之下" in refused.stderr
    with app.app_context():
        assert _parents() == {"13": None, "1307": "13", "130701": "1307"}
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "unit.move")).first() is None


def test_refusals_exit_non_zero_with_the_chinese_message_on_stderr(app):
    assert _run(app, "create", "711002", "桥西区总工会").exit_code == 0
    for args, message in [
        (("create", "711002", "另一个"), "单位 711002 已存在"),
        (("create", "71-1", "桥西"), "单位代码为 1 至 20 位字母或数字"),
        (("create", "1" * 21, "桥西"), "单位代码为 1 至 20 位字母或数字"),
        (("create", "711003", "  "), "请填写单位名称"),
        (("create", "711003", "桥西", "--parent", "999"), "未找到单位 999"),
        (("move", "999", "--top"), "未找到单位 999"),
        (("move", "711002", "--parent", "999"), "未找到单位 999"),
    ]:
        result = _run(app, *args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
    both = _run(app, "move", "711002")
    assert both.exit_code == 2 and "--parent" in both.stderr
    with app.app_context():
        assert _parents() == {"711002": None}


def test_a_budget_load_makes_no_department_unit_and_leaves_a_placed_unit_where_it_is(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["budget", "load", str(BUDGET_FILE)]).exit_code == 0
    assert _run(app, "list").stdout.splitlines() == ["711002 张家口市桥西区总工会"]  # no 711
    assert _run(app, "create", "1307", "张家口市总工会").exit_code == 0
    assert _run(app, "move", "711002", "--parent", "1307").exit_code == 0
    assert runner.invoke(args=["budget", "load", str(BUDGET_FILE)]).exit_code == 0
    assert _run(app, "list").stdout.splitlines() == ["1307 张家口市总工会", "  711002 张家口市桥西区总工会"]
