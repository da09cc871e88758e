"""Typed SQLAlchemy models, one module per part of the domain."""

from app.models.audit import AuditEntry, AuditHead, FourEyesException
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.budget import Budget, BudgetLine, BudgetRevision, BudgetRevisionLine
from app.models.cases import Campaign, Case, CaseEvent, Payment, PaymentMonth, PaymentReversal
from app.models.decisions import CaseObjection, DemocraticReview, HomeInvestigation
from app.models.episodes import FollowUp, HouseholdEpisode
from app.models.file_transfers import DuplicateFlag, FileTransfer
from app.models.jobs import Job
from app.models.ledger import Fund, LedgerAccount, Transfer
from app.models.org import FiscalYear, Unit
from app.models.periods import PeriodClose
from app.models.reconciliation import ReconciliationRun
from app.models.registry import Attachment, Evidence, HouseholdMember, ModelWorker, PolicyValue, Visit, Worker
from app.models.reviews import ReviewRound, ReviewTask
from app.models.security import PasswordHistory, RateLimitCounter
from app.models.unit_reports import UnitReport
from app.models.users import ApiToken, RoleChange, User
from app.models.vouchers import AccountingVoucher, AccountingVoucherLine, VoucherCounter
from app.models.year_end import YearEndChoice

__all__ = [
    "AccountingVoucher",
    "AccountingVoucherLine",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "Budget",
    "BudgetLine",
    "BudgetRevision",
    "BudgetRevisionLine",
    "Campaign",
    "Case",
    "CaseEvent",
    "CaseObjection",
    "DemocraticReview",
    "DuplicateFlag",
    "Evidence",
    "FileTransfer",
    "FiscalYear",
    "FollowUp",
    "FourEyesException",
    "Fund",
    "HomeInvestigation",
    "HouseholdEpisode",
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
    "PeriodClose",
    "PolicyValue",
    "RateLimitCounter",
    "ReconciliationRun",
    "ReviewRound",
    "ReviewTask",
    "RoleChange",
    "Transfer",
    "Unit",
    "UnitReport",
    "User",
    "Visit",
    "VoucherCounter",
    "Worker",
    "YearEndChoice",
]
