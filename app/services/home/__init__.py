"""The home page (工作台): what waits for the signed-in person, by role, within their units.

:mod:`.work` holds the lists of each role (four eyes hold here too: a reviewer is not shown
what they opened or registered themselves, finance not what they approved), :mod:`.status`
the auditor's and the administrator's state of things, :mod:`.sections` the lists' shape.
Everything is read-only."""

from app.services.home.sections import LIMIT, Item, Section
from app.services.home.status import (
    CHAIN_CHECK_MAX,
    REQUIRED_POLICY_KEYS,
    ChainStatus,
    ReconciliationStatus,
    chain_status,
    missing_policy_keys,
    missing_required_policy,
    policy_section,
    reconciliation_status,
)
from app.services.home.work import sections_for

__all__ = [
    "CHAIN_CHECK_MAX",
    "LIMIT",
    "REQUIRED_POLICY_KEYS",
    "ChainStatus",
    "Item",
    "ReconciliationStatus",
    "Section",
    "chain_status",
    "missing_policy_keys",
    "missing_required_policy",
    "policy_section",
    "reconciliation_status",
    "sections_for",
]
