"""A whole ID number shown: for a stated purpose, audited, and at most the year's
``reveal_daily_limit`` times per person in any 24 hours. The count is taken under a row
lock (the person's row in ``rate_limit_counters``, ``SELECT ... FOR UPDATE`` through an
upsert on PostgreSQL; SQLite's write transaction is exclusive) in the same transaction as
the reveal's audit entry, so any number of parallel requests yields exactly the limit."""

from __future__ import annotations

import time
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.org import Unit
from app.models.registry import Worker
from app.models.security import RateLimitCounter
from app.models.types import utcnow
from app.privacy import vault
from app.services import policy
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput
from app.services.registry.files import record_on_file
from app.xlsx import beijing

REVEAL = "worker.reveal_id"
LIMIT_REACHED = "registry.reveal_limit_reached"
DEFAULT_DAILY_LIMIT = 30
WINDOW = timedelta(hours=24)

#: Why a whole number is shown (the stored code; the audit log shows the words).
PURPOSES: dict[str, object] = {
    "identity": _l("Checking the person's identity"),
    "bank": _l("Bank payment"),
    "audit": _l("Audit or inspection"),
    "other": _l("Other (say what)"),
    "api_unstated": _l("By the API, no purpose given"),
}
#: The purposes a person chooses on the household's page.
PAGE_PURPOSES = ("identity", "bank", "audit", "other")


class PurposeRequired(InvalidInput):
    """No purpose (or 其他 without a note): nothing is shown."""


class RevealLimitReached(DomainError):
    """The person has had the day's reveals; ``retry_after`` seconds until the next one."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def daily_limit(actor: Actor) -> int:
    """The year's ``reveal_daily_limit`` for the person's unit (its own, a parent's, the general one)."""
    unit = db.session.get(Unit, actor.home_unit_id) if actor.home_unit_id else None
    value = policy.get_value(beijing(utcnow()).year, "reveal_daily_limit", unit)
    return DEFAULT_DAILY_LIMIT if value is None else int(str(value))


def _lock_counter(user_id: int) -> None:
    """Take (creating if need be) the person's reveal row, locked until the transaction ends."""
    key = f"reveal:{user_id}"
    table = RateLimitCounter.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    expires = time.time() + WINDOW.total_seconds()
    statement = insert(table).values(key=key, hits=1, expires_at=expires)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key], set_={"hits": table.c.hits + 1, "expires_at": expires}
    )
    db.session.execute(statement)  # an upsert locks the row (PostgreSQL) or the database (SQLite)
    db.session.execute(select(table.c.hits).where(table.c.key == key).with_for_update())


def _check_limit(actor: Actor) -> None:
    if actor.user_id is None:
        return  # the command line and the system's own jobs: no person to limit
    _lock_counter(actor.user_id)
    since = utcnow() - WINDOW
    mine = (AuditEntry.actor_id == actor.user_id, AuditEntry.occurred_at > since)
    shown, oldest = db.session.execute(
        select(func.count(AuditEntry.id), func.min(AuditEntry.occurred_at)).where(
            AuditEntry.action == REVEAL, *mine
        )
    ).one()
    limit = daily_limit(actor)
    if shown < limit:
        return
    told = db.session.execute(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == LIMIT_REACHED, *mine)
    ).scalar_one()
    if not told:
        record(
            LIMIT_REACHED,
            actor=actor,
            object_type="user",
            object_id=actor.user_id,
            unit_id=actor.home_unit_id,
            details={"reveals_seen": shown, "reveal_limit": limit},
        )
        db.session.flush()
    wait = WINDOW - (utcnow() - oldest.replace(tzinfo=since.tzinfo)) if oldest else WINDOW
    seconds = max(60, int(wait.total_seconds()) + 1)
    raise RevealLimitReached(
        _(
            "You have seen %(limit)s whole ID numbers in the last 24 hours, the most allowed: "
            "the next can be seen in about %(hours)s hours. The auditor has been told.",
            limit=limit,
            hours=max(1, round(seconds / 3600)),
        ),
        retry_after=seconds,
    )


def reveal_id_number(worker: Worker, *, actor: Actor, purpose: str, note: str = "") -> str:
    """The whole ID number for ``purpose`` (a code of :data:`PURPOSES`; ``other`` needs a
    note), counted against the person's daily limit; the reveal is audited."""
    note = note.strip()[:200]
    if purpose not in PURPOSES:
        raise PurposeRequired(_("Choose why the whole number is needed."), field="purpose")
    if purpose == "other" and not note:
        raise PurposeRequired(_("Say why the whole number is needed."), field="note")
    _check_limit(actor)
    details: dict[str, object] = {"reveal_purpose": purpose}
    if note:
        details["note"] = note
    record_on_file(REVEAL, worker, actor=actor, details=details)
    return vault().reveal(worker.id_number_protected)


def api_purpose(text: str | None) -> tuple[str, str]:
    """The purpose an API caller gave (a code, or words recorded as 其他), or none given."""
    text = (text or "").strip()
    if not text:
        return "api_unstated", ""
    if text in PAGE_PURPOSES and text != "other":
        return text, ""
    return "other", text
