"""The command line of ../shared/API.md: budget load, funds, users create/token."""

from __future__ import annotations

import json

from app.extensions import db
from app.models import Budget, BudgetLine, User
from app.services import users as user_service
from tests.conftest import BUDGET_FILE


def _load(app, path=BUDGET_FILE):
    return app.test_cli_runner().invoke(args=["budget", "load", str(path)])


def test_budget_load_then_funds_json(app):
    result = _load(app)
    assert result.exit_code == 0, result.output
    assert "已载入" in result.output
    assert "2015100001" in result.output

    again = _load(app)
    assert again.exit_code == 0
    assert "未作任何更改" in again.output

    result = app.test_cli_runner().invoke(args=["funds", "--year", "2015", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["year"] == 2015
    by_code = {fund["code"]: fund for fund in data["funds"]}
    assert by_code["2015100001"] == {
        "code": "2015100001",
        "name": "困难职工帮扶资金",
        "year": 2015,
        "unit": "711002",
        "budget": "300000.00",
        "committed": "0.00",
        "paid": "0.00",
        "available": "300000.00",
        "at_bank": "0.00",
    }
    assert by_code["2015100002"]["available"] == "23000.00"


def test_a_tampered_file_is_refused_naming_the_line(app, tmp_path):
    document = json.loads(BUDGET_FILE.read_text(encoding="utf-8"))
    # 退休人员补贴 changed by one yuan: 退休费 no longer adds up.
    retirement = document["tables"][1]["lines"][1]["children"][1]
    retirement["children"][1]["amount"] = "81985.00"
    retirement["children"][1]["sources"] = {"general": "81985.00"}
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    result = _load(app, path)
    assert result.exit_code == 1
    assert "2、退休费" in result.output
    assert "¥229,817.10" in result.output and "¥229,818.10" in result.output
    with app.app_context():
        assert db.session.query(Budget).count() == 0
        assert db.session.query(BudgetLine).count() == 0


def test_users_create_prints_a_one_time_password_that_works_once(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "wang", "--role", "caseworker"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    with app.app_context():
        user = db.session.query(User).filter_by(username="wang").one()
        assert user.must_change_password
        assert user_service.verify_password(user, password)
        assert password not in user.password_hash


def test_users_create_refuses_bad_roles_units_and_duplicates(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "x", "--role", "boss"]).exit_code == 1
    assert runner.invoke(args=["users", "create", "x", "--role", "admin", "--unit", "999"]).exit_code == 1
    assert runner.invoke(args=["users", "create", "x", "--role", "admin"]).exit_code == 0
    duplicate = runner.invoke(args=["users", "create", "x", "--role", "admin"])
    assert duplicate.exit_code == 1
    assert "已存在" in duplicate.output


def test_users_token_prints_the_token_alone_on_the_last_line(app):
    runner = app.test_cli_runner()
    _load(app)
    runner.invoke(args=["users", "create", "zhao", "--role", "finance", "--unit", "711002"])
    result = runner.invoke(args=["users", "token", "zhao"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert " " not in token and len(token) > 30
    with app.app_context():
        user = user_service.user_for_token(token)
        assert user is not None and user.username == "zhao" and user.unit.code == "711002"
        assert user_service.user_for_token(token + "x") is None
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code == 1


def test_ensure_admin_creates_the_administrator_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0 and "一次性密码" in first.output
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.exit_code == 0 and "已存在" in second.output
    with app.app_context():
        assert db.session.query(User).filter_by(role="admin").count() == 1


def test_policy_set_and_show(app):
    _load(app)
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["policy", "set", "--year", "2015", "minimum_living_line", "580"]).exit_code == 0
    )
    assert runner.invoke(args=["policy", "set", "--year", "2015", "notice_days", "7"]).exit_code == 0
    assert (
        runner.invoke(
            args=["policy", "set", "--year", "2015", "--unit", "711002", "minimum_living_line", "600.5"]
        ).exit_code
        == 0
    )
    shown = runner.invoke(args=["policy", "show", "--year", "2015"]).output
    assert "minimum_living_line\t580.00\t*" in shown
    assert "minimum_living_line\t600.50\t711002" in shown
    assert "notice_days\t7\t*" in shown
    for bad in (
        ["minimum_living_line", "-5"],
        ["minimum_living_line", "1e3"],
        ["notice_days", "x"],
        ["no_such_key", "1"],
    ):
        result = runner.invoke(args=["policy", "set", "--year", "2015", "--", *bad])
        assert result.exit_code == 1 and "错误" in result.output
    assert (
        runner.invoke(args=["policy", "set", "--year", "2015", "--unit", "999", "notice_days", "3"]).exit_code
        == 1
    )


def test_an_admin_grants_a_four_eyes_exception_from_the_command_line(app):
    from app.models import AuditEntry, FourEyesException

    _load(app)
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "boss", "--role", "admin"])
    runner.invoke(args=["users", "create", "clerk", "--role", "caseworker"])
    args = ["four-eyes", "grant", "--unit", "711002", "--days", "30", "--reason", "一人办公室"]
    assert runner.invoke(args=[*args, "--by", "clerk"]).exit_code == 1  # not an administrator
    result = runner.invoke(args=[*args, "--by", "boss"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(FourEyesException).count() == 1
        assert (
            db.session.query(AuditEntry).filter_by(action="four_eyes.exception_grant").one().actor_name
            == "boss"
        )
