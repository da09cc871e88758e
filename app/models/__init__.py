"""Typed SQLAlchemy models, one module per part of the domain."""

from app.models.audit import AuditEntry, AuditHead, FourEyesException
from app.models.budget import Budget, BudgetLine
from app.models.ledger import Fund, LedgerAccount, Transfer
from app.models.org import FiscalYear, Unit
from app.models.users import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Budget",
    "BudgetLine",
    "FiscalYear",
    "FourEyesException",
    "Fund",
    "LedgerAccount",
    "Transfer",
    "Unit",
    "User",
]
