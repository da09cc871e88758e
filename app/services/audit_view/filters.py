"""The audit log's filters: a list of actions (by their Chinese names, grouped by the part
of the product), the person, the object (its type and number), and a range of Beijing
dates; and the query they make, always inside the reader's units (app/services/scope.py).

The old free-text parameters (``action=ledger.`` as a prefix, ``actor=`` a user name,
``object=transfer:12``) keep working, so saved links still open."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.labels import AUDIT_ACTION_LABELS, OBJECT_TYPE_LABELS
from app.models.audit import AuditEntry
from app.models.users import User
from app.params import db_int
from app.services.audit import Actor
from app.services.audit_view.fields import AREA_LABELS
from app.xlsx import BEIJING


class Args(Protocol):
    """What the filters are read from: a request's query arguments (a MultiDict)."""

    def get(self, key: str, default: Any = ...) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class AuditFilter:
    """One reading of the log: every part optional; ``errors`` names a field typed wrong."""

    actions: tuple[str, ...] = ()
    action_prefix: str = ""
    person: int | None = None
    actor_name: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None
    before: int | None = None
    typed: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def query_args(self) -> dict[str, object]:
        """The filter as query arguments again (for the next page and the export links)."""
        args: dict[str, object] = {key: value for key, value in self.typed.items() if value}
        if self.actions:
            args["actions"] = list(self.actions)
        return args


def _number(text: object) -> int | None:
    """A number from the URL that a database integer holds, else ``None``."""
    if not isinstance(text, str) or not text.isdigit():
        return None
    try:
        return db_int(text)
    except ValueError:
        return None


def _day(text: str) -> date | None:
    return datetime.strptime(text, "%Y-%m-%d").date()


def parse(args: Args) -> AuditFilter:
    """Read the filter from the query arguments; a date typed wrong is kept as typed, with
    a message for its field, and does not filter."""
    typed = {
        key: (args.get(key, "") or "").strip()[:100]
        for key in ("action", "actor", "person", "object", "object_type", "object_id", "from", "to")
    }
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key in ("from", "to"):
        days[key] = None
        if typed[key]:
            try:
                days[key] = _day(typed[key])
            except ValueError:
                errors[key] = _("Enter a date such as 2015-03-01.")
    if days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = _("The end date is before the start date.")
        days["to"] = None
    object_type, object_id = typed["object_type"], typed["object_id"]
    if typed["object"] and not object_type:
        object_type, _sep, object_id = typed["object"].partition(":")
    if object_id and not object_id.isdigit() and object_type not in ("policy", "export", "import", "backup"):
        errors["object_id"] = _("Enter the object's number, such as 12.")
        object_id = ""
    person = _number(typed["person"])
    if typed["person"] and person is None:
        errors["person"] = _("Choose a person from the list.")
    actions = tuple(dict.fromkeys(code for code in args.getlist("actions") if code in AUDIT_ACTION_LABELS))
    before = args.get("before", None)
    return AuditFilter(
        actions=actions,
        action_prefix=typed["action"],
        person=person,
        actor_name=typed["actor"],
        object_type=object_type.strip(),
        object_id=object_id.strip(),
        start=days["from"],
        end=days["to"],
        before=_number(before),
        typed=typed,
        errors=errors,
    )


#: Names of steps (app/services/steps.run) no entry is recorded under: a refusal names
#: them, so they have labels, but the list of actions to filter by leaves them out.
STEP_NAMES_ONLY = frozenset({"case.change", "user.change"})


def _with_aliases(codes: Sequence[str]) -> list[str]:
    """The chosen actions and every code with the same name (a step's name and the action
    it records, such as ``user.reset_password`` and ``user.password_reset``)."""
    words = {str(AUDIT_ACTION_LABELS[code]) for code in codes}
    return sorted({*codes, *(code for code, label in AUDIT_ACTION_LABELS.items() if str(label) in words)})


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def _query(actor: Actor, chosen: AuditFilter) -> Select[Any]:
    query = select(AuditEntry).where(actor.scope.where(AuditEntry.unit_id))
    if chosen.actions:
        query = query.where(AuditEntry.action.in_(_with_aliases(chosen.actions)))
    if chosen.action_prefix:
        query = query.where(AuditEntry.action.startswith(chosen.action_prefix, autoescape=True))
    if chosen.person is not None:
        query = query.where(AuditEntry.actor_id == chosen.person)
    if chosen.actor_name:
        query = query.where(AuditEntry.actor_name == chosen.actor_name)
    if chosen.object_type:
        query = query.where(AuditEntry.object_type == chosen.object_type)
    if chosen.object_id:
        query = query.where(AuditEntry.object_id == chosen.object_id)
    if chosen.start is not None:
        query = query.where(AuditEntry.occurred_at >= _beijing_midnight(chosen.start))
    if chosen.end is not None:
        query = query.where(AuditEntry.occurred_at < _beijing_midnight(chosen.end + timedelta(days=1)))
    return query


def search(actor: Actor, chosen: AuditFilter, *, limit: int = 100) -> list[AuditEntry]:
    """A page of the entries the filter finds in the actor's units, newest first, older
    than ``chosen.before``. Entries of no unit only for a federation-wide reader."""
    query = _query(actor, chosen)
    if chosen.before:
        query = query.where(AuditEntry.seq < chosen.before)
    return list(db.session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit)).scalars())


def count(actor: Actor, chosen: AuditFilter) -> int:
    """How many entries the filter finds (all pages)."""
    return int(
        db.session.execute(select(func.count()).select_from(_query(actor, chosen).subquery())).scalar_one()
    )


def every_entry(actor: Actor, chosen: AuditFilter, *, batch: int = 1000) -> Iterator[list[AuditEntry]]:
    """Every entry the filter finds (all pages, for an export), newest first, in batches."""
    cursor = replace(chosen, before=None)
    while True:
        rows = search(actor, cursor, limit=batch)
        if not rows:
            return
        yield rows
        cursor = replace(cursor, before=rows[-1].seq)


@dataclass(frozen=True)
class ActionGroup:
    area: str
    actions: list[tuple[str, str]]


def action_groups() -> list[ActionGroup]:
    """The actions a person may choose, by area, each name once (aliases share it)."""
    groups: dict[str, dict[str, str]] = {}
    for code, words in AUDIT_ACTION_LABELS.items():
        if code in STEP_NAMES_ONLY:
            continue
        area = str(AREA_LABELS.get(code.split(".")[0], code.split(".")[0]))
        names = groups.setdefault(area, {})
        if str(words) not in names.values():
            names[code] = str(words)
    return [ActionGroup(area, list(names.items())) for area, names in groups.items()]


def object_types() -> list[tuple[str, str]]:
    return sorted(((code, str(words)) for code, words in OBJECT_TYPE_LABELS.items()), key=lambda c: c[1])


def people(actor: Actor) -> list[User]:
    """The people to filter by: the users of the reader's units and the federation-wide
    ones (who may act in any unit), by name."""
    query = select(User)
    if not actor.scope.is_everywhere:
        query = query.where(or_(User.unit_id.is_(None), actor.scope.where(User.unit_id)))
    return sorted(db.session.execute(query).scalars(), key=lambda u: (u.display_name, u.username))
