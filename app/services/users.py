"""Users: creation with a one-time password, the password policy, log-in with
lock-out, sessions that end everywhere at once, and API tokens.

The default policy meets 等保 2.0 level 2 (GB/T 22239-2019, 身份鉴别): at least 8
characters from at least three of upper case, lower case, digits and symbols; not a
commonly used password; changed every ``max_age_days`` days; 5 failed attempts lock
the account for 10 minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.org import Unit
from app.models.security import PasswordHistory
from app.models.types import utcnow
from app.models.users import ROLES, ApiToken, User
from app.services import duties
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.inputs import clean_text
from app.services.passwords import (
    HISTORY,
    LoginPolicy,
    WeakPassword,
    check_password_policy,
    hash_password,
    one_time_password,
    reuses_recent,
    verify_password,
)
from app.services.scope import Scope
from app.services.user_names import clean_full_name


class DuplicateUser(DomainError):
    """A user of that name exists already."""


def create_user(
    username: str, role: str, unit_code: str | None = None, *, actor: Actor, full_name: str = ""
) -> tuple[User, str]:
    """Create a user who must change the returned one-time password at first log-in. A
    reviewer, finance officer or administrator made in the app is held back until a second
    administrator approves (app/services/duties.py); made at the command line, at once."""
    full_name = clean_full_name(full_name)
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() or ord(ch) < 32 for ch in username):
        raise InvalidInput(
            _("A user name of 1 to 64 characters without spaces is required."), field="username"
        )
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)),
            field="role",
        )
    unit = None
    if unit_code is not None:
        unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
        if unit is None:
            raise NotFound(_("Unit %(code)s not found.", code=unit_code), field="unit")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise DuplicateUser(_("User %(name)s exists already.", name=username), field="username")
    password = one_time_password()
    user = User(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role,
        unit_id=unit.id if unit else None,
        must_change_password=True,
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        actor=actor,
        object_type="user",
        object_id=user.id,
        unit_id=user.unit_id,
        details={"new": {"username": username, "full_name": full_name, "role": role, "unit": unit_code}},
    )
    duties.note_created(user, actor=actor)  # a money role or an administrator may wait for a second one
    return user, password


def change_password(user: User, current: str, new: str, *, policy: LoginPolicy, actor: Actor) -> None:
    """Check the current password and the policy, then replace it; every session ends."""
    if not verify_password(user, current):
        raise InvalidInput(_("The current password is wrong."), field="current_password")
    if new == current:
        raise WeakPassword(_("The new password must differ from the current one."), field="new_password")
    check_password_policy(new, user.username, policy, full_name=user.full_name)
    if reuses_recent(user, new, _earlier_hashes(user)):
        raise WeakPassword(
            _("The new password must differ from your last %(n)s.", n=HISTORY), field="new_password"
        )
    set_password(user, new, actor=actor)


def _earlier_hashes(user: User) -> list[str]:
    return list(
        db.session.execute(
            select(PasswordHistory.password_hash)
            .where(PasswordHistory.user_id == user.id)
            .order_by(PasswordHistory.id.desc())
            .limit(HISTORY - 1)
        ).scalars()
    )


def _replace_hash(user: User, new_hash: str) -> None:
    """Put the new hash in place, keeping the old one in the user's password history."""
    if user.password_hash:
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    user.password_hash = new_hash


def set_password(user: User, password: str, *, actor: Actor) -> None:
    """Replace the password (no policy check: callers check); every session ends."""
    _replace_hash(user, hash_password(password))
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_version += 1
    db.session.flush()
    record("user.password_change", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)


def reset_password(user: User, *, actor: Actor) -> str:
    """Set a new one-time password, which must be changed at the next log-in. The
    administrator who resets it has seen it: a reviewer's, finance officer's or
    administrator's account is then held back until a second administrator approves
    (:mod:`app.services.duties`), so the one who knows the password cannot act with it."""
    duties.note_enabled(user, actor=actor, kind="reset")  # refuses first if a change waits
    password = one_time_password()
    _replace_hash(user, hash_password(password))
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    db.session.flush()
    record("user.password_reset", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)
    revoke_tokens(user, actor=actor, reason="user.password_reset")  # made by whoever knew the old one
    return password


def end_sessions(user: User, *, actor: Actor, action: str = "auth.logout") -> None:
    """Log the user out everywhere: every session cookie issued so far stops working."""
    user.session_version += 1
    db.session.flush()
    record(action, actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)


def set_active(user: User, active: bool, *, actor: Actor) -> None:
    """Disable (all sessions end, tokens stop working) or re-enable a user. No one disables
    their own account: the last administrator would lock everyone out. A re-enabled
    reviewer, finance officer or administrator is held back as a new one is."""
    if not active and actor.user_id == user.id:
        raise InvalidInput(_("You cannot disable your own account."), field="user")
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    db.session.flush()
    record(
        "user.enable" if active else "user.disable",
        actor=actor,
        object_type="user",
        object_id=user.id,
        unit_id=user.unit_id,
        details={"old": {"active": not active}, "new": {"active": active}},
    )
    if not active:
        revoke_tokens(user, actor=actor, reason="user.disable")  # re-enabling does not bring them back
    else:
        duties.note_enabled(user, actor=actor)


def unlock(user: User, *, actor: Actor) -> None:
    """Lift a lock-out after too many failed log-ins (the person called the office)."""
    if user.locked_until is None and user.failed_logins == 0:
        return
    user.locked_until = None
    user.failed_logins = 0
    db.session.flush()
    record("user.unlock", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)


def users_in(unit_ids: list[int] | None) -> list[User]:
    """The users of these units (``None``: everyone, for an administrator of all units)."""
    query = select(User).order_by(User.username)
    if unit_ids is not None:
        query = query.where(User.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def display_names(user_ids: set[int | None]) -> dict[int, str]:
    """{user id: the name a person is shown (real name, else user name)} for those ids."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User).where(User.id.in_(wanted))).scalars()
    return {user.id: user.display_name for user in rows}


def get_user(user_id: int, unit_ids: list[int] | None) -> User:
    user = db.session.get(User, user_id)
    if user is None or (unit_ids is not None and user.unit_id not in unit_ids):
        raise NotFound(_("No such user."))
    return user


def _live(now: datetime) -> Any:
    return (ApiToken.revoked_at.is_(None)) & (ApiToken.expires_at.is_(None) | (ApiToken.expires_at > now))


def live_token_counts() -> dict[int, int]:
    """{user id: number of API tokens that still work (neither revoked nor expired)}."""
    rows = db.session.execute(
        select(ApiToken.user_id, func.count()).where(_live(utcnow())).group_by(ApiToken.user_id)
    )
    return {user_id: count for user_id, count in rows}


@dataclass(frozen=True)
class TokenUse:
    """A user's working tokens: when one was last used, and when the last of them ends."""

    last_used_at: datetime | None
    expires_at: datetime | None


def token_use() -> dict[int, TokenUse]:
    """{user id: :class:`TokenUse`} for every user with a working token."""
    rows = db.session.execute(
        select(ApiToken.user_id, func.max(ApiToken.last_used_at), func.max(ApiToken.expires_at))
        .where(_live(utcnow()))
        .group_by(ApiToken.user_id)
    )
    return {user_id: TokenUse(last_used, expires) for user_id, last_used, expires in rows}


def find_user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(_("User %(name)s not found.", name=username), field="username")
    return user


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a log-in attempt. The caller commits either way: failures count."""

    user: User | None
    error: str | None = None
    must_change_password: bool = False


def authenticate(
    username: str, password: str, *, remote_addr: str | None, policy: LoginPolicy, now: datetime | None = None
) -> LoginOutcome:
    """Check a log-in; count failures, lock after ``policy.max_failures``; audit all of it."""
    now = now or utcnow()
    name = clean_text(username, 64)
    # A name with control characters (NUL, line breaks) is nobody's, and is not looked up:
    # PostgreSQL refuses NUL in text, and the audit log must not carry them either.
    # The account's row is locked until this attempt is counted and committed, so guesses
    # sent at once are checked one after another: the lock falls at exactly the policy's
    # count, however many arrive together and through however many server processes.
    user = (
        db.session.execute(
            select(User)
            .where(User.username == name)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if name == username.strip()
        else None
    )
    actor = Actor(
        user_id=user.id if user else None, name=name, remote_addr=remote_addr, scope=Scope.of_units([])
    )
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record("auth.login_locked", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)
        return LoginOutcome(
            None, _("Too many failed attempts: the account is locked for a while. Try again later.")
        )
    if not verify_password(user, password) or user is None or not user.active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failures:
                user.locked_until = now + timedelta(minutes=policy.lock_minutes)
                user.failed_logins = 0
                record("auth.lock", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)
                revoke_tokens(user, actor=actor, reason="auth.lock")  # a guessed password lives on in none
        record("auth.login_failed", actor=actor, object_type="user", object_id=user.id if user else None)
        return LoginOutcome(None, _("Wrong user name or password."))
    user.failed_logins = 0
    user.locked_until = None
    record("auth.login", actor=actor, object_type="user", object_id=user.id, unit_id=user.unit_id)
    changed = user.password_changed_at
    if policy.max_age_days > 0 and (changed is None or changed + timedelta(days=policy.max_age_days) < now):
        user.must_change_password = True  # expired: every page asks for a new one until changed
    return LoginOutcome(user, must_change_password=user.must_change_password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, *, actor: Actor, days: int = 90) -> str:
    """A new bearer token for the user, working for ``days`` days; only its hash is stored."""
    token = "bft_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record("token.issue", actor=actor, object_type="api_token", object_id=row.id, unit_id=user.unit_id)
    return token


def revoke_tokens(user: User, *, actor: Actor, reason: str | None = None) -> int:
    """Revoke every live API token of the user; returns how many. Asked for (no ``reason``),
    it is recorded even when none was live; as part of a lock-out, disable or password reset
    (``reason`` names it), only when there were some."""
    now = utcnow()
    rows = list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ).scalars()
    )
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    if rows or reason is None:
        record(
            "token.revoke",
            actor=actor,
            object_type="user",
            object_id=user.id,
            unit_id=user.unit_id,
            details={"tokens": len(rows), **({"reason": reason} if reason else {})},
        )
    return len(rows)


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``; records its use."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.user.locked_until is not None and row.user.locked_until > now:
        return None
    row.last_used_at = now
    return row.user
