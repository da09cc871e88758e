"""An audit entry as an auditor reads it: the action's Chinese name, the object by its name
with the page it is on, the person by their real name, the time in Beijing, and what
changed as before → after in words. Names are looked up once per page of entries."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.permissions import Permission
from app.extensions import db
from app.labels import label
from app.models.audit import AuditEntry
from app.models.budget import Budget
from app.models.cases import Campaign, Case, Payment
from app.models.ledger import Fund, Transfer
from app.models.org import Unit
from app.models.reconciliation import ReconciliationRun
from app.models.registry import ModelWorker, Worker
from app.models.users import ApiToken, User
from app.services.audit_view.fields import field_label, is_shown, value_words
from app.xlsx import beijing


@dataclass(frozen=True)
class Link:
    """The page an object is on, and the permission that page needs (no link without it)."""

    endpoint: str
    params: dict[str, object]
    permission: Permission


@dataclass(frozen=True)
class EntryView:
    seq: int
    occurred_at: datetime
    time: str
    person: str
    username: str
    address: str
    action: str
    action_code: str
    object_name: str
    link: Link | None
    changes: list[str]
    refused: bool


def _ids(entries: Iterable[AuditEntry], object_type: str) -> set[int]:
    return {
        int(e.object_id)
        for e in entries
        if e.object_type == object_type and e.object_id and e.object_id.isdigit()
    }


def _by_id(model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(sorted(ids)))
    return {row.id: row for row in db.session.execute(query).scalars()}


class Names:
    """Names of the objects and people a batch of entries mentions, looked up together."""

    def __init__(self, entries: list[AuditEntry]) -> None:
        self.users = _by_id(User, {e.actor_id for e in entries if e.actor_id} | _ids(entries, "user"))
        self.cases = _by_id(Case, _ids(entries, "case"))
        self.payments = _by_id(Payment, _ids(entries, "payment"))
        self.cases.update({p.case.id: p.case for p in self.payments.values() if p.case is not None})
        self.transfers = _by_id(Transfer, _ids(entries, "transfer"))
        self.funds = _by_id(Fund, _ids(entries, "fund") | {t.fund_id for t in self.transfers.values()})
        self.workers = _by_id(Worker, _ids(entries, "worker"))
        self.model_workers = _by_id(ModelWorker, _ids(entries, "model_worker"))
        self.campaigns = _by_id(Campaign, _ids(entries, "campaign"))
        self.units = _by_id(Unit, _ids(entries, "unit"))
        self.budgets = _by_id(Budget, _ids(entries, "budget"))
        self.tokens = _by_id(ApiToken, _ids(entries, "api_token"))
        self.runs = _by_id(ReconciliationRun, _ids(entries, "reconciliation_run"))
        self._codes: dict[str, str] = {}

    def person(self, entry: AuditEntry) -> str:
        user = self.users.get(entry.actor_id) if entry.actor_id else None
        if user is not None:
            return user.display_name
        name = entry.actor_name or ""
        if name == "system":
            return _("System")
        if name.startswith("cli:"):
            return _("Server command line (%(name)s)", name=name[4:])
        return name

    def referenced(self, kind: str, value: object) -> str:
        """A household, model worker or unit a details field names by id or code."""
        if kind == "worker":
            found = self.workers.get(value) if isinstance(value, int) else None
            found = found or (db.session.get(Worker, value) if isinstance(value, int) else None)
            return f"{found.name}（#{value}）" if found else f"#{value}"
        if kind == "model_worker":
            found_mw = db.session.get(ModelWorker, value) if isinstance(value, int) else None
            return f"{found_mw.name}（#{value}）" if found_mw else f"#{value}"
        if kind == "unit_code":
            code = str(value)
            if code not in self._codes:
                unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
                self._codes[code] = f"{code} {unit.name}" if unit else code
            return self._codes[code]
        if kind == "unit_ids":
            ids = [int(i) for i in str(value).split(",") if i.isdigit()]
            units = _by_id(Unit, set(ids))
            return "、".join(units[i].name if i in units else f"#{i}" for i in ids)
        return str(value)


def _object(entry: AuditEntry, names: Names) -> tuple[str, Link | None]:
    kind, raw = entry.object_type, entry.object_id or ""
    if not kind:
        return "", None
    number = int(raw) if raw.isdigit() else None
    type_words = label("object_type", kind)
    if kind == "case" and number in names.cases:
        case = names.cases[number]
        link = Link("cases.detail", {"case_id": case.id}, Permission.REGISTRY_VIEW)
        return f"{type_words} #{case.id} · {case.worker.name}", link
    if kind == "payment" and number in names.payments:
        payment = names.payments[number]
        if payment.case is not None:
            link = Link("cases.detail", {"case_id": payment.case.id}, Permission.REGISTRY_VIEW)
            case_words = label("object_type", "case")
            return (
                f"{type_words} #{number} · {case_words} #{payment.case.id} · {payment.case.worker.name}",
                link,
            )
        holder = payment.model_worker.name if payment.model_worker else ""
        return f"{type_words} #{number} · {holder}", Link("cases.checkups", {}, Permission.REGISTRY_VIEW)
    if kind == "transfer" and number in names.transfers:
        transfer = names.transfers[number]
        fund = names.funds[transfer.fund_id]
        link = Link(
            "funds.ledger_page",
            {"code": fund.code, "year": fund.year, "unit": fund.unit.code},
            Permission.FUNDS_VIEW,
        )
        return _("%(fund)s ledger, entry %(seq)s", fund=fund.name, seq=transfer.seq), link
    if kind == "fund" and number in names.funds:
        fund = names.funds[number]
        link = Link(
            "funds.ledger_page",
            {"code": fund.code, "year": fund.year, "unit": fund.unit.code},
            Permission.FUNDS_VIEW,
        )
        return f"{fund.name}（{fund.year}）", link
    if kind == "worker" and number in names.workers:
        worker = names.workers[number]
        return worker.name, Link("registry.detail", {"worker_id": worker.id}, Permission.REGISTRY_VIEW)
    if kind == "model_worker" and number in names.model_workers:
        return names.model_workers[number].name, Link("registry.model_workers", {}, Permission.REGISTRY_VIEW)
    if kind == "campaign" and number in names.campaigns:
        campaign = names.campaigns[number]
        return campaign.name, Link("cases.campaign", {"campaign_id": campaign.id}, Permission.REGISTRY_VIEW)
    if kind == "user" and number in names.users:
        return names.users[number].display_name, Link("admin.users", {}, Permission.USERS_MANAGE)
    if kind == "unit" and number in names.units:
        unit = names.units[number]
        return f"{unit.code} {unit.name}", Link(
            "admin.edit_unit", {"unit_id": unit.id}, Permission.UNITS_MANAGE
        )
    if kind == "budget" and number in names.budgets:
        budget = names.budgets[number]
        return budget.title, Link("funds.index", {"year": budget.year}, Permission.FUNDS_VIEW)
    if kind == "api_token" and number in names.tokens:
        owner = names.tokens[number].user.display_name
        return f"{type_words} #{number} · {owner}", Link("admin.users", {}, Permission.USERS_MANAGE)
    if kind == "reconciliation_run" and number in names.runs:
        run = names.runs[number]
        link = Link("reports.reconciliation_page", {"year": run.year}, Permission.REPORTS_VIEW)
        return _("Reconciliation of %(year)s", year=run.year), link
    if kind == "policy":
        year, _sep, key = raw.partition(":")
        link = (
            Link("admin.policy_values", {"year": year}, Permission.POLICY_MANAGE) if year.isdigit() else None
        )
        return f"{year} · {label('policy_key', key)}", link
    if kind == "export":
        if raw.startswith("audit:"):
            return _("Audit package of %(year)s", year=raw[6:]), None
        return label("audit_action", f"export.{raw}"), None
    if kind in ("import", "backup"):
        return f"{type_words} · {raw}", None
    return f"{type_words} #{raw}" if raw else type_words, None


def _details(entry: AuditEntry) -> dict[str, Any]:
    try:
        loaded = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {"details": loaded}


def changes(entry: AuditEntry, names: Names) -> list[str]:
    """What changed, one line a field: ``field: before → after`` (or the value once)."""
    details = _details(entry)
    old, new = details.pop("old", None) or {}, details.pop("new", None) or {}

    def words(name: str, value: object) -> str:
        return value_words(name, value, object_type=entry.object_type, names=names.referenced)

    def field(name: str) -> str:
        return field_label(name, entry.object_type)

    lines: list[str] = []
    for name in list(dict.fromkeys([*old, *new])):
        if name in old and name in new:
            lines.append(f"{field(name)}：{words(name, old[name])} → {words(name, new[name])}")
        elif name in new:
            lines.append(f"{field(name)}：{words(name, new[name])}")
        else:
            lines.append(f"{field(name)}：{words(name, old[name])} → {_('(none)')}")
    for name, value in details.items():
        if is_shown(name, value) and value not in ("", None, [], {}):
            lines.append(f"{field(name)}：{words(name, value)}")
    return lines


def present(entries: list[AuditEntry], names: Names | None = None) -> list[EntryView]:
    """The entries as rows to show or export."""
    names = names or Names(entries)
    views = []
    for entry in entries:
        object_name, link = _object(entry, names)
        views.append(
            EntryView(
                seq=entry.seq,
                occurred_at=entry.occurred_at,
                time=beijing(entry.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                person=names.person(entry),
                username=entry.actor_name or "",
                address=entry.remote_addr or "",
                action=label("audit_action", entry.action),
                action_code=entry.action,
                object_name=object_name,
                link=link,
                changes=changes(entry, names),
                refused=entry.action.endswith(".refused"),
            )
        )
    return views


def unlabelled(entries: Iterable[AuditEntry]) -> set[str]:
    """The action codes, object types and details fields of ``entries`` with no words
    (for the tests: every one recorded must have a label)."""
    from app.labels import AUDIT_ACTION_LABELS, OBJECT_TYPE_LABELS
    from app.services.audit_view.fields import FIELD_LABELS

    missing: set[str] = set()
    by_kind: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        by_kind["action"].add(entry.action)
        if entry.object_type:
            by_kind["object_type"].add(entry.object_type)
        details = _details(entry)
        for part in ("old", "new"):
            by_kind["field"].update((details.get(part) or {}).keys())
        by_kind["field"].update(k for k in details if k not in ("old", "new"))
        if isinstance(details.get("step"), str):
            by_kind["action"].add(details["step"])
    missing |= {f"action {a}" for a in by_kind["action"] if a not in AUDIT_ACTION_LABELS}
    missing |= {f"object type {t}" for t in by_kind["object_type"] if t not in OBJECT_TYPE_LABELS}
    missing |= {f"field {f}" for f in by_kind["field"] if f not in FIELD_LABELS and field_label(f) == f}
    return missing
