"""Typed SQLAlchemy models, one module per part of the domain."""

from app.models.audit import AuditEntry, AuditHead, FourEyesException
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.budget import Budget, BudgetLine
from app.models.cases import Campaign, Case, CaseEvent, Payment, PaymentMonth, PaymentReversal
from app.models.decisions import DemocraticReview, HomeInvestigation
from app.models.jobs import Job
from app.models.ledger import Fund, LedgerAccount, Transfer
from app.models.org import FiscalYear, Unit
from app.models.reconciliation import ReconciliationRun
from app.models.registry import Evidence, HouseholdMember, ModelWorker, PolicyValue, Visit, Worker
from app.models.security import PasswordHistory, RateLimitCounter
from app.models.users import ApiToken, RoleChange, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Budget",
    "BudgetLine",
    "Campaign",
    "Case",
    "CaseEvent",
    "DemocraticReview",
    "Evidence",
    "FiscalYear",
    "FourEyesException",
    "Fund",
    "HomeInvestigation",
    "HouseholdMember",
    "Job",
    "LedgerAccount",
    "ModelWorker",
    "PasswordHistory",
    "Payment",
    "PaymentBatch",
    "PaymentBatchLine",
    "PaymentMonth",
    "PaymentReversal",
    "PolicyValue",
    "RateLimitCounter",
    "ReconciliationRun",
    "RoleChange",
    "Transfer",
    "Unit",
    "User",
    "Visit",
    "Worker",
]
