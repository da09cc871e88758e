"""A user's real name (姓名): what papers, exports and the audit log show of a person
(``User.display_name``: the real name, else the user name)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.models.users import User
from app.services.audit import Actor, record
from app.services.errors import InvalidInput
from app.services.inputs import clean_text


def clean_full_name(full_name: str | None) -> str:
    """A real name (姓名) as typed, printable, at most 64 characters; empty is allowed (the
    user name is shown instead). :class:`InvalidInput` for a longer one."""
    name = clean_text(full_name, 200)
    if len(name) > 64:
        raise InvalidInput(_("A real name has at most 64 characters."), field="full_name")
    return name


def set_full_name(user: User, full_name: str, *, actor: Actor) -> None:
    """Give the user a new real name (empty: none, the user name is shown); audited as
    ``user.rename`` with the name before and after. Nothing is recorded when it is the same."""
    name = clean_full_name(full_name)
    if name == user.full_name:
        return
    old, user.full_name = user.full_name, name
    db.session.flush()
    record(
        "user.rename",
        actor=actor,
        object_type="user",
        object_id=user.id,
        unit_id=user.unit_id,
        details={"old": {"full_name": old}, "new": {"full_name": name}},
    )
