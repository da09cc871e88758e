"""Each fund's payments per month as a chart, for the balances page and the home page."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from app import charts
from app.services import budget_report
from app.services.ledger import FundBalance


def month_charts(balances: list[FundBalance]) -> dict[int, Markup]:
    """{fund id: a column chart of what the fund paid in each month of its year}."""
    return {
        b.fund.id: charts.column_chart(
            [
                charts.Bar(f"{i + 1}月", amount)
                for i, amount in enumerate(budget_report.monthly_payments(b.fund))
            ],
            title=_("%(fund)s: paid per month (yuan)", fund=b.fund.name),
        )
        for b in balances
    }
