"""What an audit entry's details say, in words: the Chinese name of every field the log
records, and how each field's value is written (status codes through their labels, amounts
as ¥1,234.00, units by name). The code words stay in the stored entry (its hash covers
them); only what a person reads is translated here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.labels import label
from app.money import format_yuan
from app.services import four_eyes
from app.xlsx import beijing

#: The parts of the product an action belongs to (the part of its code before the dot),
#: for the grouped list of actions on the audit-log page.
AREA_LABELS: dict[str, Any] = {
    "case": _l("Aid applications"),
    "payment": _l("Payments"),
    "checkup": _l("Model workers' check-ups"),
    "campaign": _l("Send-warmth campaigns"),
    "ledger": _l("Fund ledgers"),
    "batch": _l("Bank batches"),
    "books": _l("Closing the books"),
    "year_end": _l("Year end"),
    "report": _l("Reports sent up"),
    "review_round": _l("Yearly review rounds"),
    "review_task": _l("Yearly review rounds"),
    "budget": _l("Budgets"),
    "worker": _l("Hardship files"),
    "model_worker": _l("Model workers"),
    "registry": _l("Hardship files"),
    "file_transfer": _l("Hardship files"),
    "reconciliation": _l("Reconciliation"),
    "export": _l("Exports"),
    "policy": _l("Policy values"),
    "unit": _l("Union units"),
    "user": _l("Users"),
    "token": _l("Users"),
    "auth": _l("Log-in"),
    "four_eyes": _l("Four-eyes rule"),
    "role_change": _l("Users"),
    "step": _l("Refusals"),
    "keys": _l("System"),
    "jobs": _l("System"),
    "backup": _l("System"),
}

#: The fields an entry's details may carry (``old``/``new`` and the others), by name.
FIELD_LABELS: dict[str, Any] = {
    "status": _l("Status"),
    "note": _l("Note"),
    "starts_on": _l("Round started on"),
    "deadline": _l("Deadline of the review"),
    "tasks": _l("Review tasks"),
    "worker_id": _l("File No."),
    "outcome": _l("Outcome of the review"),
    "review_list": _l("Which files"),
    "reason": _l("Reason"),
    "next_case": _l("Case of the next year"),
    "from_case": _l("Carried over from the case"),
    "purpose": _l("Purpose"),
    "reveal_purpose": _l("Purpose"),
    "reveals_seen": _l("Whole ID numbers seen in 24 hours"),
    "reveal_limit": _l("Limit per 24 hours"),
    "revised_on": _l("Date of the revision"),
    "worker": _l("Household"),
    "model_worker": _l("Model worker"),
    "fund": _l("Fund"),
    "funds": _l("Funds"),
    "aid_type": _l("Form of aid"),
    "requested": _l("Amount requested"),
    "amount": _l("Amount"),
    "amount_each": _l("Amount per household"),
    "total": _l("Total"),
    "households": _l("Households"),
    "voucher": _l("Voucher No."),
    "name": _l("Name"),
    "full_name": _l("Real name"),
    "username": _l("User name"),
    "role": _l("Role"),
    "unit": _l("Union unit"),
    "parent": _l("Parent unit"),
    "code": _l("Unit code"),
    "active": _l("Account state"),
    "tokens": _l("API tokens"),
    "title": _l("Title"),
    "year": _l("Year"),
    "income": _l("Income"),
    "expenditure": _l("Expenditure"),
    "lines": _l("Budget lines"),
    "digest": _l("Fingerprint"),
    "month": _l("Month closed (0: the whole year)"),
    "from_year": _l("Copied from the year"),
    "to_year": _l("Copied into the year"),
    "policy_keys": _l("Policy values copied"),
    "copied": _l("Number of values copied"),
    "replace": _l("Values already set replaced"),
    "seq": _l("Ledger entry No."),
    "pending_id": _l("Commitment entry"),
    "reverses_id": _l("Reverses entry"),
    "memo": _l("Memo"),
    "available_after": _l("Available after"),
    "committed_after": _l("Committed after"),
    "paid_after": _l("Paid after"),
    "ok": _l("Result"),
    "scope": _l("Units checked"),
    "entries": _l("Ledger entries"),
    "rows": _l("Rows"),
    "created": _l("Files opened"),
    "errors": _l("Rows with errors"),
    "skipped": _l("Rows skipped"),
    "id_number": _l("ID number"),
    "phone": _l("Mobile phone"),
    "employer": _l("Employer"),
    "household_size": _l("Household size"),
    "household_monthly_income": _l("Household monthly income"),
    "category": _l("Category"),
    "main_cause": _l("Main cause"),
    "secondary_cause": _l("Secondary cause"),
    "members": _l("Household members"),
    "kind": _l("Evidence"),
    "reference": _l("Reference"),
    "received_on": _l("Received on"),
    "visited_on": _l("Visited on"),
    "on": _l("Effective on"),
    "exit_reason": _l("Reason for leaving"),
    "visit_kind": _l("Kind of contact"),
    "follow_ups": _l("Follow-up calls (months after leaving)"),
    "level": _l("Level"),
    "title_year": _l("Year of the title"),
    "valid_until": _l("Valid until"),
    "exception_id": _l("Exception No."),
    "change_id": _l("Change No."),
    "change_kind": _l("Change"),
    "rule": _l("Rule"),
    "step": _l("Refused action"),
    "door": _l("Through"),
    "message": _l("Why"),
    "fields": _l("Fields"),
    "files": _l("Files deleted"),
    "values": _l("Values re-sealed"),
    "sha256": _l("Fingerprint"),
    "revision": _l("Database revision"),
    "format": _l("Format"),
    "filters": _l("Filters"),
    "investigators": _l("Investigators"),
    "authorisation_signed": _l("Authorisation to check finances signed"),
    "held_on": _l("Held on"),
    "review_result": _l("Result of the review"),
    "out_of_pocket": _l("Out-of-pocket amount"),
    "from_unit": _l("From the unit"),
    "to_unit": _l("To the unit"),
    "pair": _l("Files of the pair"),
    "finding": _l("Finding of the check"),
    "objection": _l("Objection No."),
    "objection_outcome": _l("How the objection was settled"),
}

#: The door a step came through.
DOOR_LABELS: dict[str, Any] = {
    "page": _l("Web page"),
    "api": _l("API"),
    "cli": _l("Command line"),
    "job": _l("Background job"),
    "system": _l("System"),
}

_MONEY_FIELDS = frozenset(
    {
        "amount",
        "amount_each",
        "total",
        "requested",
        "out_of_pocket",
        "income",
        "expenditure",
        "household_monthly_income",
        "available_after",
        "committed_after",
        "paid_after",
    }
)
#: A field whose value is a code of a label table.
_CODE_FIELDS = {
    "aid_type": "aid_type",
    "role": "role",
    "category": "category",
    "main_cause": "cause",
    "secondary_cause": "cause",
    "kind": "evidence_kind",
    "level": "model_worker_level",
    "change_kind": "role_change_kind",
    "door": None,
    "reveal_purpose": None,
    "exit_reason": None,
    "visit_kind": None,
    "review_result": "review_result",
    "finding": "duplicate_status",
    "objection_outcome": "objection_outcome",
    "outcome": "review_outcome",
    "review_list": "review_list",
}
#: The label table of ``status``, by the object type of the entry.
_STATUS_KINDS = {
    "case": "case_status",
    "worker": "worker_status",
    "campaign": "campaign_status",
    "file_transfer": "transfer_status",
    "duplicate_flag": "duplicate_status",
}
_DATE_FIELDS = frozenset({"received_on", "visited_on", "held_on", "on", "revised_on"})
_SKIPPED_FIELDS = frozenset({"fields"})  # form field names: the message already says which


def is_shown(name: str, value: object) -> bool:
    """Whether a field is worth a line: not the form's field names, and a refusal's rule
    only when it is a four-eyes rule (any other rule is the class the message explains)."""
    if name in _SKIPPED_FIELDS:
        return False
    return name != "rule" or str(value) in four_eyes.RULES


#: ``name`` of what is not a person.
_NAME_OF = {"unit": _l("Unit name"), "campaign": _l("Campaign name")}


def field_label(name: str, object_type: str | None = None) -> str:
    """The words for a details field; a policy value's key is named by its label."""
    if name == "name" and object_type in _NAME_OF:
        return str(_NAME_OF[object_type])
    found = FIELD_LABELS.get(name)
    if found is not None:
        return str(found)
    return label("policy_key", name)


def _money(value: object) -> str:
    try:
        return format_yuan(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _moment(value: object) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return beijing(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain(value: object) -> str:
    """Any value in words: yes/no, none, lists joined, nested fields named."""
    if value is None or value == "":
        return _("(none)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return "、".join(plain(item) for item in value) if value else _("(none)")
    if isinstance(value, dict):
        return "；".join(f"{field_label(str(k))}：{plain(v)}" for k, v in value.items())
    return str(value)


def value_words(
    name: str, value: object, *, object_type: str | None, names: Callable[[str, object], str]
) -> str:
    """The value of field ``name`` as a person reads it. ``names(kind, id)`` names a
    referenced object (a household, a model worker, a unit by its code)."""
    if value is None or value == "":
        return _("(none)")
    if name in _MONEY_FIELDS:
        return _money(value)
    if name == "status":
        kind = _STATUS_KINDS.get(object_type or "")
        return label(kind, value) if kind else str(value)
    if name == "door":
        return str(DOOR_LABELS.get(str(value), value))
    if name == "step":
        return label("audit_action", value)
    if name == "rule":
        return str(four_eyes.RULES.get(str(value), value))
    if name in _CODE_FIELDS:
        return label(_CODE_FIELDS[name] or name, value)
    if name == "policy_keys" and isinstance(value, list):
        return "、".join(label("policy_key", key) for key in value) if value else _("(none)")
    if name == "active":
        return _("Enabled") if value else _("Disabled")
    if name == "ok":
        return _("Reconciled") if value else _("Differences found")
    if name in ("worker", "model_worker"):
        return names(name, value)
    if name in ("unit", "parent"):
        return names("unit_code", value)
    if name == "scope":
        return _("All units") if value == "all" else names("unit_ids", value)
    if name in ("pending_id", "reverses_id", "exception_id"):
        return f"#{value}"
    if name == "valid_until":
        return _moment(value)
    if name in _DATE_FIELDS:
        return str(value)[:10]
    if name in ("digest", "sha256"):
        return str(value)[:16] + "…"
    return plain(value)
