"""A user's real name (姓名) from the command line: given at creation, changed, removed;
each change in the audit log, and the audit log shows the name."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from app.services import audit_view


def _user(name: str) -> User:
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def test_users_create_with_a_name_and_set_name_changes_it_audited(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "li", "--role", "reviewer", "--name", "李明"])
    assert created.exit_code == 0, created.output
    with app.app_context():
        assert _user("li").full_name == "李明" and _user("li").display_name == "李明"
    changed = runner.invoke(args=["users", "set-name", "li", " 李晓明 "])
    assert changed.exit_code == 0, changed.output
    assert "李晓明" in changed.output
    removed = runner.invoke(args=["users", "set-name", "li", ""])
    assert removed.exit_code == 0
    with app.app_context():
        assert _user("li").full_name == "" and _user("li").display_name == "li"
        renames = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "user.rename").order_by(AuditEntry.seq)
            ).scalars()
        )
        assert len(renames) == 2
        shown = audit_view.present(renames)
        assert shown[0].action == "修改姓名"
        assert shown[0].changes == ["姓名：李明 → 李晓明"]
        assert shown[1].changes == ["姓名：李晓明 → （无）"]
        created_entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "user.create")
        ).scalar_one()
        assert "姓名：李明" in audit_view.present([created_entry])[0].changes


def test_the_same_name_again_records_nothing_and_a_bad_one_is_refused(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "wang", "--role", "caseworker", "--name", "王芳"])
    assert runner.invoke(args=["users", "set-name", "wang", "王芳"]).exit_code == 0
    too_long = runner.invoke(args=["users", "set-name", "wang", "长" * 65])
    assert too_long.exit_code == 1 and "姓名最多 64 个字符" in too_long.output
    unknown = runner.invoke(args=["users", "set-name", "nobody", "某人"])
    assert unknown.exit_code == 1
    with app.app_context():
        assert _user("wang").full_name == "王芳"
        actions = list(db.session.execute(select(AuditEntry.action)).scalars())
        assert "user.rename" not in actions
        refusals = list(
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "step.refused")).scalars()
        )
        assert [v.action for v in audit_view.present(refusals)] == ["操作被拒绝"]
        assert any("修改姓名" in line for line in audit_view.present(refusals)[0].changes)
