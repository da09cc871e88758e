"""The server-drawn SVG charts: round axis ticks, every bar with its value and label, text
escaped, nothing the CSP refuses (no style attribute, no script), Decimal only."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from app import charts
from app.charts import Bar

SVG = "{http://www.w3.org/2000/svg}"


def _tree(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))  # noqa: S314 (our own SVG, not untrusted input)


@pytest.mark.parametrize(
    ("top", "ceiling"),
    [("0", "1"), ("0.5", "0.5"), ("7", "10"), ("12", "20"), ("23000", "25000"), ("300000", "500000")],
)
def test_the_axis_ends_at_a_round_value(top, ceiling):
    assert charts.nice_ceiling(Decimal(top)) == Decimal(ceiling)


def test_ticks_are_even_and_whole_when_counting_people():
    assert charts.ticks(Decimal("23000")) == [Decimal(v) for v in ("0", "6250", "12500", "18750", "25000")]
    assert charts.ticks(Decimal(3), whole=True) == [Decimal(v) for v in range(5)]


def test_a_column_chart_shows_each_value_its_label_and_the_axis():
    months = [Bar(f"{m}月", Decimal("0")) for m in range(1, 13)]
    months[2] = Bar("3月", Decimal("2300.00"))
    months[5] = Bar("6月", Decimal("15000.50"))
    svg = charts.column_chart(months, title="每月发放（元）")
    root = _tree(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert [f"{m}月" for m in range(1, 13)] == [t for t in texts if t and t.endswith("月")]
    assert "2,300" in texts and "1.5万" in texts  # the values on their bars
    assert "0" in texts and "2万" in texts  # the axis: 0 up to a round 20,000
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "6月 ¥15,000.50" in titles  # the exact amount on hover
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 12
    assert float(bars[5].get("height")) > float(bars[2].get("height")) > 0 == float(bars[0].get("height"))


def test_a_bar_chart_labels_each_row_and_its_value():
    svg = charts.bar_chart(
        [Bar("第1类", Decimal("2300.00")), Bar("第4类", Decimal("0.00"))], title="各类别发放金额"
    )
    texts = [t.text for t in _tree(svg).iter(f"{SVG}text")]
    assert "第1类" in texts and "第4类" in texts
    assert "¥2,300.00" in texts and "¥0.00" in texts  # nothing paid is shown, as 0


def test_counts_have_whole_ticks():
    svg = charts.bar_chart(
        [Bar("第1类", Decimal(3))],
        title="户数",
        value_text=charts.count_text,
        axis_text=charts.count_text,
        whole=True,
    )
    texts = [t.text for t in _tree(svg).iter(f"{SVG}text")]
    assert [t for t in texts if t in {"0", "1", "2", "3", "4"}][:5] == ["0", "1", "2", "3", "4"]


def test_labels_are_escaped_and_nothing_breaks_the_csp():
    svg = str(charts.column_chart([Bar("<script>alert(1)</script>", Decimal(5))], title='"标题"'))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert not re.search(r"\sstyle=", svg) and " on" not in svg.replace(" one", "")
    _tree(svg)  # well-formed


def test_no_float_reaches_a_chart():
    with pytest.raises(TypeError):
        charts.column_chart([Bar("1月", 1.5)], title="x")  # type: ignore[arg-type]


def test_an_empty_chart_still_draws_its_axis():
    root = _tree(charts.bar_chart([], title="空"))
    assert list(root.iter(f"{SVG}line"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0", "0"),
        ("0.5", "0.50"),
        ("880.50", "881"),
        ("1200", "1,200"),
        ("15000.50", "1.5万"),
        ("300000", "30万"),
    ],
)
def test_figures_on_a_chart_are_short(value, text):
    assert charts.short_yuan(Decimal(value)) == text


def test_a_chart_of_nothing_has_whole_ticks():
    assert charts.ticks(Decimal(0)) == [Decimal(v) for v in range(5)]
