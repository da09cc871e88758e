"""Separation of duties for people (三员分立 in spirit): an administrator alone cannot make an
account that moves money. The probe's reproduction — one administrator creates a reviewer
and a finance officer, logs in as both, approves and pays — is refused until a second
administrator approves the accounts; the command line (the operator's door) acts at once;
the auditor's home page lists every change of a role."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, RoleChange, User
from app.services import cases, four_eyes, units
from app.services import users as user_service
from app.services.audit import Actor
from app.xlsx import beijing
from tests.conftest import ACTOR, PASSWORD

WAITS = "该账号正在等待另一名管理员批准"
HOME_WAITS = "您的账号正在等待另一名管理员批准"


def _logged(action: str) -> list[dict]:
    db.session.rollback()
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(row.details) | {"by": row.actor_name} for row in rows]


def _user(name: str) -> User:
    db.session.rollback()
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _ready(name: str) -> User:
    """The person logs in once and sets their own password (as at first log-in)."""
    user = _user(name)
    user_service.set_password(user, PASSWORD, actor=ACTOR)
    db.session.commit()
    return user


def _login(client, name: str) -> None:
    client.post("/logout")
    answer = client.post("/login", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def _create(client, name: str, role: str, unit: str = "711002") -> None:
    made = client.post("/admin/users/new", data={"username": name, "role": role, "unit": unit})
    assert made.status_code == 200 and f"用户 {name} 已创建" in made.get_data(as_text=True)


def _change_of(name: str) -> RoleChange:
    db.session.rollback()
    return (
        db.session.execute(
            select(RoleChange)
            .join(RoleChange.user)
            .where(User.username == name)
            .order_by(RoleChange.id.desc())
        )
        .scalars()
        .first()
    )


def _decide(client, change_id: int, verb: str = "approve"):
    return client.post(f"/admin/role-changes/{change_id}/{verb}", data={"confirmed": "1"})


def _submitted_case() -> Case:
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR)
    db.session.commit()
    return case


def _status(case_id: int) -> str:
    db.session.rollback()
    return db.session.get(Case, case_id).status


def _payment(case_id: int, token: str) -> dict[str, str]:
    return {
        "amount": "1000.00",
        "voucher_no": f"PZ-{token}",
        "paid_on": "2015-03-05",
        "method": "cash",
        "token": token,
        "confirmed": "1",
    }


def test_one_administrator_alone_cannot_approve_and_pay_through_accounts_they_made(
    client, auth, world, make_user
):
    case = _submitted_case()
    auth.login("admin", "root")
    _create(client, "rv-new", "reviewer")
    _create(client, "fin-new", "finance")
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert "待另一名管理员批准的变更" in users_page and users_page.count("须由另一名管理员批准") == 2
    _ready("rv-new"), _ready("fin-new")

    _login(client, "rv-new")
    assert HOME_WAITS in client.get("/").get_data(as_text=True)
    refused = client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""})
    assert refused.status_code == 403 and WAITS in refused.get_data(as_text=True)
    assert _status(case.id) == "submitted"
    _login(client, "fin-new")
    assert client.post(f"/cases/{case.id}/payments", data=_payment(case.id, "t1")).status_code == 403

    # Through the API the same refusal, as problem+json with the reason.
    token = user_service.issue_token(_user("fin-new"), actor=ACTOR)
    db.session.commit()
    answer = client.post(
        f"/api/v1/cases/{case.id}/payments",
        json={"amount": "1000.00", "voucher_no": "PZ-API", "paid_on": "2015-03-05", "method": "cash"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"
    assert WAITS in answer.get_json()["detail"]

    # A second administrator sees what waits, on the users page and at home, and approves.
    make_user("admin", "second")
    _login(client, "second")
    assert "待另一名管理员批准的用户变更" in client.get("/").get_data(as_text=True)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "确认批准变更" in page and "data-confirm-title" in page
    for name in ("rv-new", "fin-new"):
        change = _change_of(name)
        asked = client.post(f"/admin/role-changes/{change.id}/approve", data={})
        assert asked.status_code == 200 and "确认批准变更" in asked.get_data(as_text=True)  # no script
        assert _change_of(name).status == "pending"
        assert _decide(client, change.id).status_code == 302
        assert _change_of(name).status == "approved"

    _login(client, "rv-new")
    assert HOME_WAITS not in client.get("/").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""}).status_code == 302
    assert _status(case.id) == "approved"
    _login(client, "fin-new")
    assert client.post(f"/cases/{case.id}/payments", data=_payment(case.id, "t2")).status_code == 302
    assert _status(case.id) == "paid"

    requests = _logged("role_change.request")
    assert [(r["username"], r["new"]["role"], r["by"]) for r in requests] == [
        ("rv-new", "reviewer", "root"),
        ("fin-new", "finance", "root"),
    ]
    assert [(r["username"], r["by"]) for r in _logged("role_change.approve")] == [
        ("rv-new", "second"),
        ("fin-new", "second"),
    ]


def test_nobody_approves_their_own_request_and_refusals_disable_the_new_account(
    client, auth, world, make_user
):
    auth.login("admin", "root")
    _create(client, "fin-own", "finance")
    change = _change_of("fin-own")
    answer = _decide(client, change.id)
    assert answer.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "申请变更用户角色的人不能自己批准" in page
    assert _change_of("fin-own").status == "pending"
    assert [r["rule"] for r in _logged("four_eyes.refused")] == ["approve_own_role_change"]

    # An administrator cannot change their own role.
    root = _user("root")
    own = client.post(f"/admin/users/{root.id}/role", data={"role": "finance", "unit": ""})
    assert "您不能变更自己的角色或单位" in own.get_data(as_text=True)
    assert _user("root").role == "admin"

    # The second administrator refuses: the account is disabled and the change recorded.
    make_user("admin", "second")
    _login(client, "second")
    assert _decide(client, change.id, "refuse").status_code == 302
    assert _change_of("fin-own").status == "refused" and not _user("fin-own").active
    assert [(r["username"], r["by"]) for r in _logged("role_change.refuse")] == [("fin-own", "second")]
    assert _decide(client, change.id).status_code == 302  # decided already: nothing changes
    assert _change_of("fin-own").status == "refused"


def test_a_lone_administrator_needs_the_offices_exception_and_its_use_is_audited(client, auth, world):
    auth.make_user("admin", "solo", unit="711002")  # the one administrator of the district office
    _login(client, "solo")
    _create(client, "fin-solo", "finance")
    change = _change_of("fin-solo")
    _decide(client, change.id)
    assert _change_of("fin-solo").status == "pending"  # no exception: it cannot take effect

    four_eyes.grant_exception(world.budget.unit, reason="一人办公室", days=30, actor=Actor.of(_user("solo")))
    db.session.commit()
    assert _decide(client, change.id).status_code == 302
    decided = _change_of("fin-solo")
    assert decided.status == "approved" and decided.exception_id is not None
    used = _logged("four_eyes.exception_used")
    assert [(u["rule"], u["by"]) for u in used] == [("approve_own_role_change", "solo")]

    auth.make_user("auditor", "aud")
    _login(client, "aud")
    home = client.get("/").get_data(as_text=True)
    assert "角色变更记录" in home and "fin-solo" in home and "依四眼原则例外" in home


def test_a_change_to_finance_waits_and_the_user_keeps_the_old_role_until_approved(
    client, auth, world, make_user
):
    worker = make_user("caseworker", "cw-move", unit="711002")
    auth.login("admin", "root")
    form = client.get(f"/admin/users/{worker.id}/role").get_data(as_text=True)
    assert "须经另一名管理员批准后才生效" in form
    asked = client.post(f"/admin/users/{worker.id}/role", data={"role": "finance", "unit": "711002"})
    assert asked.status_code == 302
    assert _user("cw-move").role == "caseworker"
    change = _change_of("cw-move")
    assert (change.kind, change.old_role, change.new_role, change.status) == (
        "change",
        "caseworker",
        "finance",
        "pending",
    )
    _login(client, "cw-move")
    assert "您的角色或单位变更正在等待另一名管理员批准" in client.get("/").get_data(as_text=True)

    make_user("admin", "second")
    _login(client, "second")
    _decide(client, change.id)
    assert _user("cw-move").role == "finance"
    changed = _logged("user.role_change")
    assert [(c["old"]["role"], c["new"]["role"], c["by"]) for c in changed] == [
        ("caseworker", "finance", "second")
    ]


def test_re_enabling_a_finance_account_in_the_app_waits_for_a_second_administrator(
    client, auth, world, make_user
):
    case = _submitted_case()
    make_user("reviewer", "rv-ok", unit="711002")
    fin = make_user("finance", "fin-back", unit="711002")
    _login(client, "rv-ok")
    client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""})
    user_service.set_active(_user("fin-back"), False, actor=ACTOR)
    db.session.commit()
    auth.make_user("admin", "root")
    _login(client, "root")
    assert client.post(f"/admin/users/{fin.id}/enable", data={}).status_code == 302
    assert _change_of("fin-back").kind == "enable" and _change_of("fin-back").status == "pending"
    _login(client, "fin-back")
    assert client.post(f"/cases/{case.id}/payments", data=_payment(case.id, "t3")).status_code == 403


def test_a_finance_user_made_at_the_command_line_acts_at_once_and_the_auditor_sees_it(
    app, client, auth, world
):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "fin-cli", "--role", "finance", "--unit", "711002"]
    )
    assert result.exit_code == 0, result.output
    change = _change_of("fin-cli")
    assert (change.status, change.door, change.requested_by_id) == ("at_once", "cli", None)
    moved = app.test_cli_runner().invoke(
        args=["users", "set-role", "fin-cli", "--role", "reviewer", "--unit", "711002"]
    )
    assert moved.exit_code == 0, moved.output
    assert _user("fin-cli").role == "reviewer"

    case = _submitted_case()
    _ready("fin-cli")
    _login(client, "fin-cli")
    assert HOME_WAITS not in client.get("/").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""}).status_code == 302
    assert _status(case.id) == "approved"

    auth.make_user("auditor", "aud")
    _login(client, "aud")
    home = client.get("/").get_data(as_text=True)
    section = home.split('id="role-changes"')[1].split("</section>")[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in section.split("<tr>")[2:]]
    assert any("fin-cli" in row and "财务 → 审核" in row and "即时生效（命令行）" in row for row in rows), (
        rows
    )
    assert any("fin-cli" in row and "新建用户" in row and "即时生效（命令行）" in row for row in rows), rows
    # Beijing time, as the rest of the product shows it
    made_at = _change_of("fin-cli").requested_at
    assert beijing(made_at).strftime("%H:%M") in section


def test_another_units_pending_change_is_not_found_for_a_sibling_units_administrator(client, auth, world):
    units.create_unit("71100201", "东区工会", "711002", actor=ACTOR)
    units.create_unit("71100202", "西区工会", "711002", actor=ACTOR)
    db.session.commit()
    auth.make_user("admin", "east-admin", unit="71100201")
    auth.make_user("admin", "west-admin", unit="71100202")
    _login(client, "east-admin")
    _create(client, "fin-east", "finance", unit="71100201")
    change = _change_of("fin-east")
    _login(client, "west-admin")
    assert _decide(client, change.id).status_code == 404
    assert _decide(client, change.id, "refuse").status_code == 404
    assert client.post(f"/admin/role-changes/{change.id}/approve", data={}).status_code == 404
    assert "fin-east" not in client.get("/admin/users").get_data(as_text=True)
    assert _change_of("fin-east").status == "pending"
    count = db.session.execute(select(func.count()).select_from(RoleChange)).scalar_one()
    assert count == 3  # the two administrators (made by the operator) and fin-east


def test_a_password_reset_by_an_administrator_holds_the_account_until_a_second_one_approves(
    client, auth, world, make_user
):
    """The administrator who resets a reviewer's password has seen the new one: logging in
    with it must not let them decide a case."""
    case = _submitted_case()
    make_user("reviewer", "rv-old", unit="711002")  # an account in effect, made by the operator
    auth.login("admin", "root")
    reset = client.post(f"/admin/users/{_user('rv-old').id}/reset-password", data={})
    page = reset.get_data(as_text=True)
    assert reset.status_code == 200 and "新密码您已看到" in page
    assert _change_of("rv-old").kind == "reset" and _change_of("rv-old").status == "pending"
    _ready("rv-old")  # whoever knew the one-time password set a password of their own
    _login(client, "rv-old")
    refused = client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""})
    assert refused.status_code == 403 and WAITS in refused.get_data(as_text=True)
    assert _status(case.id) == "submitted"
    # The one who reset it cannot approve the hold away; a second administrator can.
    _login(client, "root")
    _decide(client, _change_of("rv-old").id)
    assert _change_of("rv-old").status == "pending"
    make_user("admin", "second")
    _login(client, "second")
    assert _decide(client, _change_of("rv-old").id).status_code == 302
    assert _change_of("rv-old").status == "approved"
    _login(client, "rv-old")
    assert client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""}).status_code == 302
    assert _status(case.id) == "approved"
