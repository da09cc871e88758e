"""年终结转: what became of each open case of a fiscal year at its close — its commitment
carried over into the next year's fund of the same code (a successor case in that year),
or released with a reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cases import Case
from app.models.ledger import Fund
from app.models.types import Money, UTCDateTime, utcnow

CARRY = "carry"
RELEASE = "release"
YEAR_END_ACTIONS = {CARRY: _l("Carried over to the next year"), RELEASE: _l("Released at the year end")}


class YearEndChoice(db.Model):
    """结转或释放: one open case of ``year`` carried over into ``year + 1`` or released."""

    __tablename__ = "year_end_choices"
    __table_args__ = (
        CheckConstraint("action IN ('carry', 'release')", name="action"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("(action = 'carry') = (next_case_id IS NOT NULL)", name="carry_has_next_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: The case's fund of ``year``, whose commitment was released.
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    action: Mapped[str] = mapped_column(String(10))
    #: What was still committed: released in ``year``, committed again in ``year + 1`` when carried.
    amount: Mapped[Decimal] = mapped_column(Money())
    #: The case of ``year + 1`` that holds the carried commitment.
    next_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    next_fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    next_case: Mapped[Case | None] = relationship(foreign_keys=[next_case_id])
    fund: Mapped[Fund] = relationship(foreign_keys=[fund_id])
    next_fund: Mapped[Fund | None] = relationship(foreign_keys=[next_fund_id])
