"""Password rules beyond the 等保 character classes: the user's real name (also as pinyin)
is refused, and so is any of the user's last five passwords; the sixth back is allowed."""

from __future__ import annotations

import itertools

from app.extensions import db
from app.models import PasswordHistory, User
from tests.conftest import PASSWORD


def _change(client, current: str, new: str):
    return client.post("/password", data={"current_password": current, "new_password": new, "confirm": new})


def _login(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password})


def test_a_password_made_of_the_users_real_name_is_refused(app, client, make_user):
    user = make_user("caseworker", "clerk-7")
    with app.app_context():
        db.session.get(User, user.id).full_name = "王小明"
        db.session.commit()
    _login(client, "clerk-7", PASSWORD)
    for attempt in ("Wangxiaoming-88!", "Wxm-7319-hq!"):
        page = _change(client, PASSWORD, attempt).get_data(as_text=True)
        assert "不能包含您的用户名、姓名" in page
    client.post("/logout")
    assert _login(client, "clerk-7", PASSWORD).status_code == 302  # unchanged


def test_the_last_five_passwords_are_refused_and_the_sixth_back_is_allowed(app, client, make_user):
    make_user("finance", "cashier-2")
    _login(client, "cashier-2", PASSWORD)
    passwords = [PASSWORD] + [f"Mengniu-Hetao-{n}#Qz" for n in range(1, 6)]
    for current, new in itertools.pairwise(passwords):
        response = _change(client, current, new)
        assert response.status_code == 302, response.get_data(as_text=True)
        _login(client, "cashier-2", new)
    current = passwords[-1]
    # The four before the current one are refused (the current one has its own message).
    for earlier in passwords[1:-1]:
        page = _change(client, current, earlier).get_data(as_text=True)
        assert "不能与您最近 5 次使用的密码相同" in page
    with app.app_context():
        kept = db.session.query(PasswordHistory).count()
        assert kept >= 5  # the history holds hashes only
        assert all(row.password_hash.startswith("$argon2") for row in db.session.query(PasswordHistory))
    # The sixth back (the first one here) is allowed again.
    response = _change(client, current, passwords[0])
    assert response.status_code == 302
