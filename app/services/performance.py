"""绩效: the outputs the budget's performance plan names — households helped and sums
paid by category, form of aid, unit and month; campaign coverage; model workers
checked against those entitled."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.labels import label
from app.models.cases import AID_TYPES, Case, Payment, PaymentReversal
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.registry import ModelWorker, Worker
from app.money import ZERO
from app.services import cases as case_service
from app.services.eligibility import CATEGORIES
from app.xlsx import Column, PageSetup, add_sheet, new_book, to_bytes, today_in_beijing


@dataclass
class Tally:
    households: set[int] = field(default_factory=set)
    paid: Decimal = ZERO

    @property
    def count(self) -> int:
        return len(self.households)


@dataclass
class PerformanceReport:
    year: int
    by_category: dict[int, Tally]
    by_aid_type: dict[str, Tally]
    by_unit: dict[str, Tally]
    by_month: dict[int, Tally]
    total: Tally
    campaign_households: int
    campaign_paid_households: int
    model_workers_entitled: int
    model_workers_paid: int
    checkup_places: int


def performance(year: int, unit_ids: list[int] | None = None) -> PerformanceReport:
    """Net payments (reversed ones left out) of the year's cases, counted per household."""
    query = (
        select(Payment, Case, Worker, Unit)
        .join(Case, Case.id == Payment.case_id)
        .join(Worker, Worker.id == Case.worker_id)
        .join(Unit, Unit.id == Case.unit_id)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.year == year, PaymentReversal.id.is_(None))
    )
    if unit_ids is not None:
        query = query.where(Case.unit_id.in_(unit_ids))
    by_category: dict[int, Tally] = defaultdict(Tally)
    by_aid_type: dict[str, Tally] = defaultdict(Tally)
    by_unit: dict[str, Tally] = defaultdict(Tally)
    by_month: dict[int, Tally] = defaultdict(Tally)
    total = Tally()
    for payment, case, worker, unit in db.session.execute(query):
        category = case.frozen_category or worker.category
        for tally in (
            by_category[category],
            by_aid_type[case.aid_type],
            by_unit[unit.name],
            by_month[payment.paid_on.month],
            total,
        ):
            tally.households.add(worker.id)
            tally.paid += payment.amount
    campaign_cases = list(
        db.session.execute(
            select(Case).where(Case.year == year, Case.campaign_id.is_not(None), Case.status != "cancelled")
        ).scalars()
    )
    paid_campaign = {c.worker_id for c in campaign_cases if case_service.paid_amount(c) > ZERO}
    entitled = db.session.execute(
        select(ModelWorker).where(ModelWorker.level.in_(("national", "provincial")))
    )
    entitled_count = len(list(entitled.scalars()))
    checkup_fund = (
        db.session.execute(select(Fund).where(Fund.year == year, Fund.purpose == case_service.CHECKUP))
        .scalars()
        .first()
    )
    status = case_service.checkup_status(checkup_fund) if checkup_fund else None
    return PerformanceReport(
        year=year,
        # Every category, form of aid and month is listed, with nothing paid as 0.
        by_category={k: by_category[k] for k in sorted({*CATEGORIES, *by_category})},
        by_aid_type={k: by_aid_type[k] for k in AID_TYPES},
        by_unit=dict(sorted(by_unit.items())),
        by_month={m: by_month[m] for m in range(1, 13)},
        total=total,
        campaign_households=len({c.worker_id for c in campaign_cases}),
        campaign_paid_households=len(paid_campaign),
        model_workers_entitled=entitled_count,
        model_workers_paid=status.paid_workers if status else 0,
        checkup_places=status.entitled_places if status else 0,
    )


def performance_workbook(
    report: PerformanceReport, labels: dict[str, dict[object, str]] | None = None
) -> bytes:
    """The outputs as a workbook (:mod:`app.xlsx`): one sheet per breakdown with a totals
    row, and an overview; categories and forms of aid in words, their codes beside them."""
    setup = PageSetup(printed_on=today_in_beijing(), signatures=(_("Prepared by"), _("Audited by")))
    heading = f"{report.year}年困难职工帮扶资金绩效产出"
    households, paid = Column("帮扶户数", "int"), Column("发放金额（元）", "money")
    book = new_book()
    breakdowns = [
        (
            "按困难类别",
            [Column("困难类别", width=40), Column("类别代码", "code", 8), households, paid],
            [[label("category", k), str(k), t.count, t.paid] for k, t in report.by_category.items()],
        ),
        (
            "按帮扶方式",
            [Column("帮扶方式", width=14), Column("帮扶方式代码", "code"), households, paid],
            [[label("aid_type", k), k, t.count, t.paid] for k, t in report.by_aid_type.items()],
        ),
        (
            "按工会单位",
            [Column("工会单位", width=24), households, paid],
            [[k, t.count, t.paid] for k, t in report.by_unit.items()],
        ),
        (
            "按月份",
            [Column("月份", width=8), households, paid],
            [[f"{m}月", t.count, t.paid] for m, t in report.by_month.items()],
        ),
    ]
    for title, columns, rows in breakdowns:
        add_sheet(book, title, columns, rows, setup=setup, totals=True, heading=f"{heading}（{title}）")
    overview = [
        ["帮扶户数与发放金额（合计）", report.total.count, report.total.paid],
        ["送温暖覆盖户数", report.campaign_households, None],
        ["送温暖已发放户数", report.campaign_paid_households, None],
        ["劳模体检：已体检人数", report.model_workers_paid, None],
        ["劳模体检：享受人数", report.model_workers_entitled, None],
        ["劳模体检：预算名额", report.checkup_places, None],
    ]
    add_sheet(
        book,
        "概况",
        [Column("指标", width=30), Column("数量", "int"), paid],
        overview,
        setup=setup,
        heading=heading,
    )
    return to_bytes(book)
