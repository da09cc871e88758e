"""The organisation: union units and fiscal years."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Unit(db.Model):
    """工会单位: a union unit (district, city or provincial federation)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class FiscalYear(db.Model):
    """预算年度: a fiscal (calendar) year the system keeps books for."""

    __tablename__ = "fiscal_years"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2999", name="year_range"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    is_closed: Mapped[bool] = mapped_column(default=False)
