"""The tamper-evident audit log.

:func:`record` appends one entry in the caller's transaction, so the entry commits
or rolls back with the change it describes. Appending locks the chain's head row
(``SELECT ... FOR UPDATE``; on SQLite every write transaction is already exclusive),
so concurrent writers queue up behind each other and the chain cannot fork.
:func:`verify_chain` recomputes every hash and reports what it found wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.models.audit import GENESIS_HASH, AuditEntry, AuditHead
from app.models.types import utcnow
from app.models.users import User
from app.privacy import scrub
from app.services.scope import Scope, scope_of

HEAD_ID = 1
_HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class Actor:
    """The request context every service that reads or writes is given: who acts, from
    which address and door (page, api, cli, job), and the units they may touch."""

    user_id: int | None
    name: str
    remote_addr: str | None = None
    scope: Scope = field(kw_only=True)
    door: str = field(default="system", kw_only=True)
    #: The actor's own unit (``None``: federation-wide), where new things go by default.
    home_unit_id: int | None = field(default=None, kw_only=True)

    @classmethod
    def of(cls, user: User, remote_addr: str | None = None, *, door: str = "page") -> Actor:
        return cls(
            user_id=user.id,
            name=user.username,
            remote_addr=remote_addr,
            scope=scope_of(user),
            door=door,
            home_unit_id=user.unit_id,
        )

    @classmethod
    def system(cls, name: str = "system", *, door: str = "cli") -> Actor:
        """The command line or the system itself, acting with no signed-in user: every unit."""
        return cls(user_id=None, name=name, remote_addr=None, scope=Scope.everywhere(), door=door)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def canonical_details(details: Mapping[str, Any] | None) -> str:
    """Sorted, compact JSON with every ID-number-like string masked."""
    text = json.dumps(
        details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default
    )
    return scrub(text)


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's canonical form, which includes the previous hash."""
    form = [
        entry.seq,
        entry.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.actor_name,
        entry.remote_addr,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.unit_id,
        entry.details,
        entry.prev_hash,
    ]
    payload = json.dumps(form, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HEAD_KEY, None)


def _lock_head() -> AuditHead:
    """The chain's head, locked for this transaction (looked up once per transaction)."""
    cached = db.session.info.get(_HEAD_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    head = db.session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    db.session.info[_HEAD_KEY] = head
    return head


def record(
    action: str,
    *,
    actor: Actor,
    object_type: str | None = None,
    object_id: object = None,
    unit_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry for ``action`` (e.g. ``"ledger.payment"``) to the chain."""
    head = _lock_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        occurred_at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.name[:64],
        remote_addr=(actor.remote_addr or None) and actor.remote_addr[:45],
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64],
        unit_id=unit_id,
        details=canonical_details(details),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    head.seq = entry.seq
    head.hash = entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """A place where the chain does not hold: the entry's number and what is wrong."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.problem}"


def _entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last = -1
    while True:
        rows = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
            ).scalars()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        db.session.expunge_all()


def verify_chain() -> list[ChainProblem]:
    """Walk the log in chain order; return every place where the chain breaks.

    Entries are numbered 1, 2, 3, ... in the order they were written; each must
    carry the previous entry's hash and a hash that matches its own content, and
    the head must name the last entry. An empty list means the chain holds.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    previous = GENESIS_HASH
    for entry in _entries():
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(entry.seq, f"out of order or missing: expected entry #{expected_seq} here")
            )
        if entry.prev_hash != previous:
            problems.append(ChainProblem(entry.seq, "does not link to the entry before it"))
        if entry_hash(entry) != entry.hash:
            problems.append(ChainProblem(entry.seq, "content does not match its hash (changed)"))
        previous = entry.hash
        expected_seq = entry.seq + 1
    head = db.session.get(AuditHead, HEAD_ID)
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != previous):
        problems.append(ChainProblem(head.seq, f"the head names #{head.seq}, the log ends at #{last_seq}"))
    return problems


def chain_head() -> tuple[int, str]:
    head = db.session.get(AuditHead, HEAD_ID)
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)
