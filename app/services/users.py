"""Users: creation with a one-time password, password checks, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.types import utcnow
from app.models.users import ROLES, ApiToken, User
from app.services.errors import DomainError, InvalidInput, NotFound

# Argon2id, memory-hard; the library's defaults follow RFC 9106's second choice.
_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class DuplicateUser(DomainError):
    """A user of that name exists already."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's; constant work whether or not the user exists."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A random password meeting the policy: upper, lower, digit and symbol."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return (
        secrets.choice(string.ascii_uppercase)
        + core
        + secrets.choice(string.digits)
        + secrets.choice("!#%+-=?@")
        + secrets.choice(string.ascii_lowercase)
    )


def create_user(username: str, role: str, unit_code: str | None = None) -> tuple[User, str]:
    """Create a user who must change the returned one-time password at first log-in."""
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput(_("A user name of 1 to 64 characters is required."), field="username")
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
        role=role,
        unit_id=unit.id if unit else None,
        must_change_password=True,
    )
    db.session.add(user)
    db.session.flush()
    return user, password


def set_password(user: User, password: str) -> None:
    """Replace the password; every existing session of the user ends."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_version += 1
    db.session.flush()


def reset_password(user: User) -> str:
    """Set a new one-time password, which must be changed at the next log-in."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    db.session.flush()
    return password


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every session cookie issued so far stops working."""
    user.session_version += 1
    db.session.flush()


def find_user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(_("User %(name)s not found.", name=username), field="username")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token for the user; only its hash is stored."""
    token = "bft_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``; records its use."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user
