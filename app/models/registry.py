"""The registry: hardship households (困难职工档案), their members, evidence and
visits; model workers (劳模); and the yearly policy values the rules read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.types import Money, UTCDateTime, utcnow

ON_FILE = "on_file"  # 在档
OUT_OF_HARDSHIP = "out_of_hardship"  # 已脱困
CLOSED = "closed"  # 已注销
WORKER_STATUSES = (ON_FILE, OUT_OF_HARDSHIP, CLOSED)
STATUS_LABELS = {ON_FILE: _l("On file"), OUT_OF_HARDSHIP: _l("Out of hardship"), CLOSED: _l("Closed")}
LEVEL_LABELS = {"national": _l("National"), "provincial": _l("Provincial or ministerial"), "city": _l("City")}

MODEL_WORKER_LEVELS = ("national", "provincial", "city")
#: A scan's checked type, as scanners and file managers name it.
ATTACHMENT_FORMATS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Worker(db.Model):
    """困难职工档案: one hardship household's file, held by one union unit.

    The household, not the person, is the unit of aid; the registered worker is its
    head. The ID number is stored encrypted, as a keyed hash, and as its last four.
    """

    __tablename__ = "workers"
    __table_args__ = (
        CheckConstraint("category BETWEEN 1 AND 4", name="category"),
        CheckConstraint("household_size BETWEEN 1 AND 30", name="household_size"),
        CheckConstraint("household_monthly_income >= 0", name="income"),
        CheckConstraint(_in("status", WORKER_STATUSES), name="status"),
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        # One person, one active file: the database refuses a second one.
        Index(
            "uq_workers_active_id_number",
            "id_number_index",
            unique=True,
            postgresql_where=text("status <> 'closed'"),
            sqlite_where=text("status <> 'closed'"),
        ),
        Index("ix_workers_unit_pinyin", "unit_id", "name_pinyin", "id"),
        Index("ix_workers_pinyin", "name_pinyin", "id"),
        Index("ix_workers_initials", "name_initials"),
        Index("ix_workers_name", "name"),
        Index("ix_workers_employer", "employer"),
        Index("ix_workers_id_last4", "id_last4"),
        Index("ix_workers_category_status", "category", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(200))  # for sorting
    name_initials: Mapped[str] = mapped_column(String(50))  # 张三 -> zs
    id_number_protected: Mapped[str] = mapped_column(Text)
    id_number_index: Mapped[str] = mapped_column(String(64))
    id_last4: Mapped[str] = mapped_column(String(4))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    phone: Mapped[str] = mapped_column(String(11))
    employer: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    household_size: Mapped[int]
    household_monthly_income: Mapped[Decimal] = mapped_column(Money())
    category: Mapped[int]
    category_reason: Mapped[str] = mapped_column(Text, default="")
    main_cause: Mapped[str] = mapped_column(String(30))
    secondary_cause: Mapped[str | None] = mapped_column(String(30))
    disaster_event: Mapped[str | None] = mapped_column(String(300))  # category 3
    disaster_date: Mapped[date | None] = mapped_column(Date)
    rights_case_ref: Mapped[str | None] = mapped_column(String(200))  # category 4
    # A reviewer's written acceptance of a category the data does not support.
    category_accepted_reason: Mapped[str | None] = mapped_column(Text)
    category_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account_protected: Mapped[str | None] = mapped_column(Text)
    bank_account_last4: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20), default=ON_FILE)
    status_changed_on: Mapped[date] = mapped_column(Date)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    data_checked_on: Mapped[date] = mapped_column(Date)  # last time the data was verified
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 建档人
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 录入人
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 审核人
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="worker", order_by="HouseholdMember.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="worker", order_by="Evidence.id")
    visits: Mapped[list[Visit]] = relationship(back_populates="worker", order_by="Visit.visited_on.desc()")

    @property
    def per_capita_income(self) -> Decimal:
        """Household monthly income per person, to the fen."""
        return (self.household_monthly_income / self.household_size).quantize(Decimal("0.01"))


class HouseholdMember(db.Model):
    """家庭成员: a member of a hardship household (the registered worker excluded)."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(20))
    id_number_protected: Mapped[str | None] = mapped_column(Text)
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    id_last4: Mapped[str | None] = mapped_column(String(4))

    worker: Mapped[Worker] = relationship(back_populates="members")


class Evidence(db.Model):
    """证明材料: a document on file supporting the household's category."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(200), default="")  # document number
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    worker: Mapped[Worker] = relationship(back_populates="evidence")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="evidence", order_by="Attachment.id")


class Visit(db.Model):
    """回访记录: a follow-up visit to the household."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(10))  # home / phone (app/models/episodes.py)

    worker: Mapped[Worker] = relationship(back_populates="visits")


class ModelWorker(db.Model):
    """劳模: a model worker, entitled to the yearly check-up from provincial level up."""

    __tablename__ = "model_workers"
    __table_args__ = (
        CheckConstraint(_in("level", MODEL_WORKER_LEVELS), name="level"),
        UniqueConstraint("id_number_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(200))
    id_number_protected: Mapped[str] = mapped_column(Text)
    id_number_index: Mapped[str] = mapped_column(String(64))
    id_last4: Mapped[str] = mapped_column(String(4))
    level: Mapped[str] = mapped_column(String(20))
    employer: Mapped[str] = mapped_column(String(200))
    title_year: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def entitled_to_check_up(self) -> bool:
        return self.level in ("national", "provincial")


class PolicyValue(db.Model):
    """政策参数: a yearly policy value, for one unit's area or (unit empty) for all."""

    __tablename__ = "policy_values"
    __table_args__ = (UniqueConstraint("year", "unit_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Attachment(db.Model):
    """附件: a scan (PDF, JPG, PNG) of a document on file, kept in the attachments folder
    under a random name; the row keeps what was uploaded, its size and its SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="content_type"
        ),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="attachments")

    @property
    def title(self) -> str:
        """The name it was uploaded under, without its ending (the type shown is the checked one)."""
        stem, _dot, _ending = self.original_name.rpartition(".")
        return stem or self.original_name

    @property
    def format(self) -> str:
        """PDF, JPG or PNG: the type its content was checked to be."""
        return ATTACHMENT_FORMATS.get(self.content_type, "")
