"""What the auditor and the administrator are shown on their home page: the audit chain, the
year's reconciliation, the policy values not yet set (the banner's subject), and the changes
of users' roles that wait for a second administrator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.extensions import db
from app.labels import label
from app.models.audit import AuditEntry
from app.models.registry import PolicyValue
from app.models.types import utcnow
from app.models.users import RoleChange, User
from app.services import audit, duties, reconciliation
from app.services.home.sections import Item, Section, listed
from app.services.policy import KEYS
from app.services.scope import Scope
from app.xlsx import beijing

#: Without these the registry cannot place a household in a category: every file says so.
REQUIRED_POLICY_KEYS = ("minimum_living_line", "near_line_margin")
#: Up to this many audit entries the home page verifies the chain on the spot.
CHAIN_CHECK_MAX = 20000


# --- auditor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    length: int
    checked: bool
    problems: int


def chain_status() -> ChainStatus:
    """The audit chain's length and, while it is short enough to walk on a page view, whether it holds."""
    length, _head = audit.chain_head()
    if length > CHAIN_CHECK_MAX:
        return ChainStatus(length=length, checked=False, problems=0)
    return ChainStatus(length=length, checked=True, problems=len(audit.verify_chain()))


@dataclass(frozen=True)
class ReconciliationStatus:
    ok: bool | None  # None: never run (books too long to check on a page view)
    at: datetime | None  # when the stored run finished; None: checked just now
    by: str
    entries: int


def reconciliation_status(
    year: int, unit_ids: list[int] | None, page_max_entries: int
) -> ReconciliationStatus:
    """The year's books checked now while short (as the reconciliation page does), else the
    last stored run."""
    entries = reconciliation.entries_in(year, unit_ids)
    if entries <= page_max_entries:
        return ReconciliationStatus(
            ok=reconciliation.reconcile(year, unit_ids).ok, at=None, by="", entries=entries
        )
    run = reconciliation.latest_run(year, unit_ids)
    if run is None:
        return ReconciliationStatus(ok=None, at=None, by="", entries=entries)
    return ReconciliationStatus(ok=run.ok, at=run.finished_at, by=run.created_by_name, entries=run.entries)


def _missing(year: int, keys: tuple[str, ...]) -> list[str]:
    present = set(
        db.session.execute(
            select(PolicyValue.key).where(PolicyValue.year == year, PolicyValue.key.in_(keys))
        ).scalars()
    )
    return [key for key in keys if key not in present]


def missing_policy_keys(year: int) -> list[str]:
    """The policy keys with no value at all for ``year`` (neither general nor any unit's)."""
    return _missing(year, tuple(KEYS))


def missing_required_policy(year: int) -> list[str]:
    """Of :data:`REQUIRED_POLICY_KEYS`, those with no value for ``year``: the banner's subject."""
    return _missing(year, REQUIRED_POLICY_KEYS)


def policy_section(year: int) -> Section:
    keys = missing_policy_keys(year)
    items = [
        Item(
            title=str(KEYS[key].label),
            detail=_("Required: files cannot be assessed without it.")
            if key in REQUIRED_POLICY_KEYS
            else _("Optional."),
            endpoint="admin.policy_values",
            values={"year": year},
        )
        for key in sorted(keys, key=lambda k: k not in REQUIRED_POLICY_KEYS)
    ]
    return Section(
        "policy",
        _("Policy values not set for %(year)s", year=year),
        items,
        len(items),
        _("Every policy value of %(year)s is set.", year=year),
        more_endpoint="admin.policy_values",
        more_values={"year": year},
    )


def _change_item(change: RoleChange) -> Item:
    role = label("role", change.new_role)
    if change.kind == "change":
        role = f"{label('role', change.old_role)} → {role}"
    return Item(
        title=f"{change.user.username} · {label('role_change_kind', change.kind)}",
        detail=_("%(role)s, asked by %(name)s", role=role, name=change.requested_by_name),
        endpoint="admin.users",
    )


def role_changes_section(user_id: int, unit_ids: list[int] | None) -> Section:
    """The changes of users' roles in the administrator's units that wait for approval (not
    those of their own account, which another administrator decides)."""
    scope = Scope.everywhere() if unit_ids is None else Scope.of_units(unit_ids)
    return listed(
        "role_changes",
        _("Changes of users awaiting a second administrator"),
        duties.pending_query(scope).where(RoleChange.user_id != user_id),
        _change_item,
        _("No change of a user waits for approval."),
        endpoint="admin.users",
    )


#: How far back the auditor's list of reveal limits reached goes.
REVEAL_LIMITS_DAYS = 30


def reveal_limits_section(unit_ids: list[int] | None) -> Section:
    """Who reached the daily limit of whole ID numbers in the last 30 days, with their count."""
    from app.services.registry.reveals import LIMIT_REACHED

    since = utcnow() - timedelta(days=REVEAL_LIMITS_DAYS)
    query = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.action == LIMIT_REACHED, AuditEntry.occurred_at > since)
        .order_by(AuditEntry.seq.desc())
    )
    if unit_ids is not None:
        query = query.where(or_(AuditEntry.unit_id.in_(unit_ids), AuditEntry.unit_id.is_(None)))

    def item(row: Any) -> Item:
        entry, user = row
        seen = json.loads(entry.details or "{}").get("reveals_seen", "")
        return Item(
            title=user.display_name if user is not None else entry.actor_name,
            detail=_(
                "%(n)s whole ID numbers seen in 24 hours, the limit reached at %(time)s",
                n=seen,
                time=beijing(entry.occurred_at).strftime("%Y-%m-%d %H:%M"),
            ),
            endpoint="audit.index",
            values={"actions": LIMIT_REACHED, "person": entry.actor_id},
        )

    return listed(
        "reveal-limits",
        _("Daily limit of whole ID numbers reached (last 30 days)"),
        query,
        item,
        _("Nobody reached the daily limit of whole ID numbers."),
        rows="tuples",
    )
