"""Separation of duties for people (三员分立 in spirit): no administrator alone makes someone
who can move money or manage people.

Creating a reviewer, a finance officer or an administrator, changing a user's role to or
from one of those, moving such a user to another unit, or enabling such an account again,
when an administrator asks for it in the app, is a pending :class:`RoleChange`: a new or
re-enabled account exists but cannot act on money or manage users (:func:`awaits_approval`),
a changed one keeps its old role and unit, until a second administrator whose units cover
the change approves it (:func:`approve`) or refuses it (:func:`refuse`). Nobody approves
their own request, except in a one-person office under a four-eyes exception (audited);
nobody decides a change of their own account; an administrator cannot change their own
role or unit. Roles are single, so an administrator never also holds a money role.

The command line is the installation operator's door (shell access to the server): what
the operator asks for (an actor with no in-app user, door ``cli``) takes effect at once,
is audited and listed for the auditor like every other change. :func:`at_once` is the one
place that says so.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from app.extensions import db
from app.models.org import Unit
from app.models.types import utcnow
from app.models.users import GUARDED_ROLES, ROLES, RoleChange, User
from app.services import four_eyes
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.scope import Scope
from app.services.steps import note_subject

#: What a held-back account is told, on pages and through the API.
AWAITING = _l(
    "This account awaits a second administrator's approval: until then it cannot approve, "
    "pay, reverse or manage users."
)
#: What the administrator is told after resetting a guarded account's password.
AWAITING_RESET = _l(
    "You have seen the new password: until a second administrator approves, the account "
    "cannot approve, pay, reverse or manage users."
)
#: The kinds of change that leave the account itself held back until approved.
HOLDING_KINDS = ("create", "enable", "reset")

four_eyes.RULES["approve_own_role_change"] = _l(
    "Who asked for a change of a user's role cannot approve it: a second administrator must."
)


class ChangePending(DomainError):
    """A change of this user waits for approval already; it is decided first."""


class ChangeDecided(DomainError):
    """The change was approved or refused already."""


class OwnAccount(DomainError):
    """An administrator changing, approving or refusing a change of their own account."""


def guarded(role: str | None) -> bool:
    return role in GUARDED_ROLES


def at_once(actor: Actor) -> bool:
    """Whether what ``actor`` asks for takes effect without a second administrator: only the
    operator at the command line (no in-app user)."""
    return actor.user_id is None and actor.door == "cli"


def awaits_approval(user_id: int) -> bool:
    """Whether the account is held back: created or enabled again, not yet approved."""
    return bool(
        db.session.execute(
            select(
                exists().where(
                    RoleChange.user_id == user_id,
                    RoleChange.status == "pending",
                    RoleChange.kind.in_(HOLDING_KINDS),
                )
            )
        ).scalar()
    )


def pending_of(user_id: int) -> RoleChange | None:
    return db.session.execute(
        select(RoleChange).where(RoleChange.user_id == user_id, RoleChange.status == "pending")
    ).scalar_one_or_none()


def _code(unit_id: int | None) -> str | None:
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    return unit.code if unit else None


def _entry(change: RoleChange) -> dict[str, object]:
    old = {"role": change.old_role, "unit": _code(change.old_unit_id)} if change.kind != "create" else {}
    return {
        "change_id": change.id,
        "change_kind": change.kind,
        "username": change.user.username,
        **({"old": old} if old else {}),
        "new": {"role": change.new_role, "unit": _code(change.new_unit_id)},
    }


def _open(
    user: User,
    kind: str,
    *,
    old_role: str | None,
    new_role: str,
    old_unit_id: int | None,
    new_unit_id: int | None,
    actor: Actor,
) -> RoleChange:
    """Record a change: pending when it touches a guarded role and comes through the app,
    otherwise in effect at once (the caller has applied it)."""
    sensitive = guarded(old_role) or guarded(new_role)
    status = "pending" if sensitive and not at_once(actor) else "at_once"
    change = RoleChange(
        user_id=user.id,
        kind=kind,
        status=status,
        old_role=old_role,
        new_role=new_role,
        old_unit_id=old_unit_id,
        new_unit_id=new_unit_id,
        requested_by_id=actor.user_id,
        requested_by_name=actor.name[:64],
        door=actor.door[:10],
        requested_at=utcnow(),
    )
    db.session.add(change)
    db.session.flush()
    record(
        "role_change.request" if status == "pending" else "role_change.at_once",
        actor=actor,
        object_type="user",
        object_id=user.id,
        unit_id=new_unit_id,
        details=_entry(change),
    )
    return change


def note_created(user: User, *, actor: Actor) -> RoleChange:
    """A new user's role: pending for a guarded role asked for in the app (the account is
    held back until approved), else in effect."""
    return _open(
        user,
        "create",
        old_role=None,
        new_role=user.role,
        old_unit_id=None,
        new_unit_id=user.unit_id,
        actor=actor,
    )


def note_enabled(user: User, *, actor: Actor, kind: str = "enable") -> RoleChange | None:
    """An account of a guarded role enabled again (or, ``kind="reset"``, given a one-time
    password the administrator has seen): held back until a second administrator approves
    (app), or recorded as in effect (command line). Other roles need no record."""
    if not guarded(user.role):
        return None
    waiting = pending_of(user.id)
    if waiting is not None:
        if waiting.kind in HOLDING_KINDS:
            return waiting  # still held back by the change that waits
        if not at_once(actor):
            raise ChangePending(
                _("A change of %(name)s awaits a second administrator already.", name=user.username)
            )
    return _open(
        user,
        kind,
        old_role=user.role,
        new_role=user.role,
        old_unit_id=user.unit_id,
        new_unit_id=user.unit_id,
        actor=actor,
    )


def change_role(user: User, role: str, unit_code: str | None, *, actor: Actor) -> RoleChange:
    """Give ``user`` another role and/or unit (``unit_code`` ``None``: all units). A guarded
    role asked for in the app waits for a second administrator (the user keeps the old role
    and unit meanwhile); anything else is applied now. Raises :class:`OwnAccount`,
    :class:`ChangePending`, :class:`InvalidInput`, :class:`NotFound` (unit)."""
    if actor.user_id is not None and actor.user_id == user.id:
        raise OwnAccount(_("You cannot change your own role or unit."), field="role")
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)),
            field="role",
        )
    unit = None
    if unit_code:
        unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
        if unit is None or not actor.scope.allows(unit.id):
            raise NotFound(_("Unit %(code)s not found.", code=unit_code), field="unit")
    elif not actor.scope.is_everywhere:
        raise InvalidInput(_("Choose the union unit."), field="unit")
    new_unit_id = unit.id if unit else None
    if role == user.role and new_unit_id == user.unit_id:
        raise InvalidInput(_("The user has this role and unit already."), field="role")
    if pending_of(user.id) is not None:
        raise ChangePending(
            _("A change of %(name)s awaits a second administrator already.", name=user.username)
        )
    change = _open(
        user,
        "change",
        old_role=user.role,
        new_role=role,
        old_unit_id=user.unit_id,
        new_unit_id=new_unit_id,
        actor=actor,
    )
    if change.status == "at_once":
        _apply(change, actor=actor)
    return change


def _apply(change: RoleChange, *, actor: Actor) -> None:
    user = change.user
    user.role = change.new_role
    user.unit_id = change.new_unit_id
    user.session_version += 1  # pages open under the old role end
    db.session.flush()
    record(
        "user.role_change",
        actor=actor,
        object_type="user",
        object_id=user.id,
        unit_id=user.unit_id,
        details=_entry(change),
    )


def _covers(scope: Scope, change: RoleChange) -> bool:
    return scope.allows(change.new_unit_id) and (change.kind != "change" or scope.allows(change.old_unit_id))


def load(change_id: object, actor: Actor, *, lock: bool = False) -> RoleChange:
    """A change the actor's units cover (old and new unit); another unit's is :class:`NotFound`."""
    message = _("No such change of a user.")
    if not isinstance(change_id, int) or isinstance(change_id, bool):
        raise NotFound(message)
    query = select(RoleChange).where(RoleChange.id == change_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    change = db.session.execute(query).scalar_one_or_none()
    if change is None or not _covers(actor.scope, change):
        raise NotFound(message)
    note_subject("role_change", change.id, change.new_unit_id)
    return change


def _decidable(change: RoleChange, actor: Actor) -> None:
    if change.status != "pending":
        raise ChangeDecided(_("This change was decided already."))
    if actor.user_id == change.user_id:
        raise OwnAccount(_("Nobody decides a change of their own account."))


def approve(change_id: int, *, actor: Actor) -> RoleChange:
    """A second administrator approves: the change takes effect (a held-back account may
    act). Its requester may approve it only under the unit's four-eyes exception, and
    that use is audited. Raises :class:`FourEyesViolation`, :class:`OwnAccount`,
    :class:`ChangeDecided`, :class:`NotFound`."""
    change = load(change_id, actor, lock=True)
    _decidable(change, actor)
    four_eyes.ensure_different(
        "approve_own_role_change",
        actor=actor,
        earlier_user_id=change.requested_by_id,
        unit_id=change.new_unit_id,
        object_type="role_change",
        object_id=change.id,
    )
    if change.requested_by_id is not None and change.requested_by_id == actor.user_id:
        exception = four_eyes.active_exception(change.new_unit_id)
        change.exception_id = exception.id if exception else None
    change.status = "approved"
    change.decided_by_id = actor.user_id
    change.decided_at = utcnow()
    db.session.flush()
    record(
        "role_change.approve",
        actor=actor,
        object_type="user",
        object_id=change.user_id,
        unit_id=change.new_unit_id,
        details={**_entry(change), "exception_id": change.exception_id},
    )
    if change.kind == "change":
        _apply(change, actor=actor)
    return change


def refuse(change_id: int, *, actor: Actor) -> RoleChange:
    """Refuse a pending change (its requester may withdraw it too): a changed user keeps
    the old role and unit; a new or re-enabled account is disabled."""
    change = load(change_id, actor, lock=True)
    _decidable(change, actor)
    change.status = "refused"
    change.decided_by_id = actor.user_id
    change.decided_at = utcnow()
    db.session.flush()
    record(
        "role_change.refuse",
        actor=actor,
        object_type="user",
        object_id=change.user_id,
        unit_id=change.new_unit_id,
        details=_entry(change),
    )
    if change.kind in HOLDING_KINDS and change.user.active:
        from app.services.users import set_active  # users.py calls this module when it creates

        set_active(change.user, False, actor=actor)
    return change


def _in_scope(query, scope: Scope):  # type: ignore[no-untyped-def]
    if scope.is_everywhere:
        return query
    ids = sorted(scope.unit_ids)
    return query.where(
        RoleChange.new_unit_id.in_(ids),
        or_(RoleChange.kind != "change", RoleChange.old_unit_id.in_(ids)),
    )


def pending_query(scope: Scope):  # type: ignore[no-untyped-def]
    """The pending changes the scope covers, oldest first."""
    return _in_scope(select(RoleChange).where(RoleChange.status == "pending").order_by(RoleChange.id), scope)


def pending(scope: Scope) -> list[RoleChange]:
    return list(db.session.execute(pending_query(scope)).scalars())


def history(scope: Scope) -> list[RoleChange]:
    """Every change of a role the scope covers, newest first (the auditor's list)."""
    return list(
        db.session.execute(_in_scope(select(RoleChange).order_by(RoleChange.id.desc()), scope)).scalars()
    )
