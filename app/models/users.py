"""Users of the system and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.types import UTCDateTime, utcnow

ROLES = ("caseworker", "reviewer", "finance", "auditor", "admin")
ROLE_LABELS = {
    "caseworker": _l("Caseworker"),
    "reviewer": _l("Reviewer"),
    "finance": _l("Finance"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
}


class User(UserMixin, db.Model):
    """用户: a person who signs in, with one role in one union unit."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN (" + ", ".join(repr(r) for r in ROLES) + ")", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # 姓名: the person's real name, shown on papers, exports and the audit log.
    full_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Bumped on log-out everywhere, disable and password change: old sessions end.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def display_name(self) -> str:
        """The real name where one is set, else the user name: what a person is shown."""
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def get_id(self) -> str:
        # The session version is part of the id, so bumping it logs the user out.
        return f"{self.id}:{self.session_version}"


class ApiToken(db.Model):
    """API 令牌: a bearer token of a user, stored only as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # After this moment the token no longer works (API_TOKEN_DAYS after it was issued).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


#: The roles that move money or manage people: giving, changing or taking one away
#: takes a second administrator's approval when asked for in the app.
GUARDED_ROLES = ("reviewer", "finance", "admin")
ROLE_CHANGE_KIND_LABELS = {
    "create": _l("New user"),
    "change": _l("Role or unit changed"),
    "enable": _l("Enabled again"),
    "reset": _l("Password reset by an administrator"),
}
ROLE_CHANGE_STATUS_LABELS = {
    "pending": _l("Awaits a second administrator"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "at_once": _l("In effect at once"),
}
ROLE_CHANGE_KINDS = tuple(ROLE_CHANGE_KIND_LABELS)
ROLE_CHANGE_STATUSES = tuple(ROLE_CHANGE_STATUS_LABELS)


class RoleChange(db.Model):
    """角色变更: a user created, given another role or unit, or enabled again; while
    ``pending`` it waits for a second administrator (三员分立 in spirit)."""

    __tablename__ = "role_changes"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(repr(k) for k in ROLE_CHANGE_KINDS) + ")", name="kind"),
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in ROLE_CHANGE_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    old_role: Mapped[str | None] = mapped_column(String(20))
    new_role: Mapped[str] = mapped_column(String(20))
    old_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Who asked: a signed-in administrator, or (None) the operator at the command line.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by_name: Mapped[str] = mapped_column(String(64))
    door: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the requester approved it alone under a one-person office's exception.
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("four_eyes_exceptions.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    old_unit: Mapped[Unit | None] = relationship(foreign_keys=[old_unit_id])
    new_unit: Mapped[Unit | None] = relationship(foreign_keys=[new_unit_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
