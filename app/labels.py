"""The one place a code becomes words: every code a person may see, by kind.

Each table is defined beside the values it names (the model or service that owns the
code); this module gathers them, so pages (the ``label`` filter), exports and the audit
log look a code up in one way and no code word reaches a person. A code with no label
is shown as itself and reported by the tests that walk every page and export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

#: 与户主关系: a household member's relation to its head.
RELATION_LABELS = {
    "spouse": _l("Spouse"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "sibling": _l("Brother or sister"),
    "grandchild": _l("Grandchild"),
    "other": _l("Other"),
}

#: An audit entry's object type, as the audit log names it.
OBJECT_TYPE_LABELS: dict[str, Any] = {}

#: An audit entry's action, as the audit log names it (filled in by the audit log's work).
AUDIT_ACTION_LABELS: dict[str, Any] = {}


def tables() -> dict[str, Mapping[Any, Any]]:
    """Every label table by kind (imported on use: the owners import this module too)."""
    from app.models.cases import AID_TYPES, CAMPAIGN_STATUSES, CASE_STATUSES, PAYMENT_METHODS
    from app.models.jobs import JOB_STATUS_LABELS
    from app.models.ledger import ACCOUNT_LABELS, TRANSFER_KIND_LABELS
    from app.models.registry import LEVEL_LABELS, STATUS_LABELS
    from app.models.users import ROLE_LABELS
    from app.services.eligibility import CATEGORIES, CAUSES, EVIDENCE_KINDS
    from app.services.jobs import KIND_LABELS
    from app.services.policy import KEYS
    from app.services.reconciliation.checks import CHECK_LABELS

    return {
        "account": ACCOUNT_LABELS,
        "aid_type": AID_TYPES,
        "audit_action": AUDIT_ACTION_LABELS,
        "campaign_status": CAMPAIGN_STATUSES,
        "case_status": CASE_STATUSES,
        "category": CATEGORIES,
        "cause": CAUSES,
        "check": CHECK_LABELS,
        "evidence_kind": EVIDENCE_KINDS,
        "job_kind": KIND_LABELS,
        "job_status": JOB_STATUS_LABELS,
        "model_worker_level": LEVEL_LABELS,
        "object_type": OBJECT_TYPE_LABELS,
        "payment_method": PAYMENT_METHODS,
        "policy_key": {key: spec.label for key, spec in KEYS.items()},
        "relation": RELATION_LABELS,
        "role": ROLE_LABELS,
        "transfer_kind": TRANSFER_KIND_LABELS,
        "worker_status": STATUS_LABELS,
    }


def label(kind: str, code: object) -> str:
    """The words for ``code`` of ``kind`` (``label("aid_type", "medical")`` → 医疗救助);
    an empty code is empty, an unknown one is shown as it is."""
    if code is None or code == "":
        return ""
    table = tables()[kind]
    found = table.get(code)
    if found is None and isinstance(code, str) and code.isdigit():
        found = table.get(int(code))
    return str(found) if found is not None else str(code)
