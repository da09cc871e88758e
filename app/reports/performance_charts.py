"""The charts of the 绩效 page, drawn from the report by app/charts.py."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup

from app import charts
from app.services.performance import PerformanceReport


def performance_charts(report: PerformanceReport, labels: dict[str, dict[object, str]]) -> dict[str, Markup]:
    """Sums paid per month (columns), per category and per form of aid (bars), and
    households helped per category."""
    return {
        "month": charts.column_chart(
            [charts.Bar(f"{m}月", t.paid) for m, t in report.by_month.items()],
            title=_("Sums paid per month (yuan)"),
        ),
        "category_paid": charts.bar_chart(
            [charts.Bar(_("Category %(n)s", n=k), t.paid) for k, t in report.by_category.items()],
            title=_("Sums paid by category (yuan)"),
            label_width=70,
        ),
        "category_households": charts.bar_chart(
            [charts.Bar(_("Category %(n)s", n=k), Decimal(t.count)) for k, t in report.by_category.items()],
            title=_("Households helped by category"),
            value_text=charts.count_text,
            axis_text=charts.count_text,
            label_width=70,
            whole=True,
        ),
        "aid_type": charts.bar_chart(
            [charts.Bar(labels["aid_type"].get(k, k), t.paid) for k, t in report.by_aid_type.items()],
            title=_("Sums paid by form of aid (yuan)"),
            label_width=90,
        ),
    }
