"""Charts drawn by the server as inline SVG: bars with their values, an axis with round
ticks, Chinese labels. No script, no style attributes (the CSP forbids them): colours and
fonts come from classes in app.css; coordinates are computed in Decimal, never float."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from app.money import format_yuan


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int


def _decimal(value: Decimal | int) -> Decimal:
    if isinstance(value, float):  # pragma: no cover - a programming error
        raise TypeError("charts take Decimal or int, never float")
    return Decimal(value)


def nice_ceiling(top: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``top`` (1 for nothing at all)."""
    if top <= 0:
        return Decimal(1)
    exponent = top.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= top:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover - the loop ends at 10ⁿ⁺¹


def ticks(top: Decimal, count: int = 4, *, whole: bool = False) -> list[Decimal]:
    """``count`` + 1 evenly spaced round values from 0 to :func:`nice_ceiling` of ``top``
    (``whole``: whole numbers only, for counts of people)."""
    if whole or top <= 0:  # nothing to show: a plain 0-4 rather than 0.25 steps
        step = max(nice_ceiling(top / count).to_integral_value(rounding=ROUND_CEILING), Decimal(1))
        return [step * i for i in range(count + 1)]
    ceiling = nice_ceiling(top)
    return [ceiling * i / count for i in range(count + 1)]


def _px(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def short_yuan(value: Decimal) -> str:
    """A figure on a chart, short enough for a column: 881, 1,200 or 1.5万 (the exact
    amount is in the bar's title and in the table beside the chart)."""
    if value >= 10000:
        wan = (value / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        return f"{wan:f}万"
    if value != value.to_integral_value() and value < 1:
        return f"{value.quantize(Decimal('0.01'))}"
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def _line(x1: Decimal, y1: Decimal, x2: Decimal, y2: Decimal, css: str) -> str:
    return f'<line x1="{_px(x1)}" y1="{_px(y1)}" x2="{_px(x2)}" y2="{_px(y2)}" class="{css}"/>'


def _text(x: Decimal | int, y: Decimal | int, content: str, css: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{_px(Decimal(x))}" y="{_px(Decimal(y))}" class="{css}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _opening(width: int, height: int, title: str) -> list[str]:
    """The chart's <svg> element and its title (read out by screen readers)."""
    return [
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def column_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    value_text: Callable[[Decimal], str] = format_yuan,
    axis_text: Callable[[Decimal], str] = short_yuan,
    width: int = 520,
    height: int = 260,
    whole: bool = False,
) -> Markup:
    """Vertical bars (e.g. twelve months), each with its value above it, a y axis with
    round ticks and the labels below."""
    left, right, top_pad, bottom = Decimal(56), Decimal(8), Decimal(22), Decimal(28)
    plot_w = Decimal(width) - left - right
    plot_h = Decimal(height) - top_pad - bottom
    values = [_decimal(b.value) for b in bars]
    scale = ticks(max(values, default=Decimal(0)), whole=whole)
    ceiling = scale[-1]
    base_y = top_pad + plot_h
    parts = _opening(width, height, title)
    for tick in scale:
        y = base_y - plot_h * tick / ceiling
        parts.append(_line(left, y, left + plot_w, y, "grid"))
        parts.append(_text(left - 6, y + 4, axis_text(tick), "axis", "end"))
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * Decimal("0.6")
    for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
        h = plot_h * max(value, Decimal(0)) / ceiling
        x = left + slot * i + (slot - bar_w) / 2
        centre = x + bar_w / 2
        parts.append(
            f'<rect x="{_px(x)}" y="{_px(base_y - h)}" width="{_px(bar_w)}" height="{_px(h)}" class="bar">'
            f"<title>{escape(bar.label)} {escape(value_text(value))}</title></rect>"
        )
        if value:
            parts.append(_text(centre, base_y - h - 4, axis_text(value), "value"))
        parts.append(_text(centre, base_y + 16, bar.label, "label"))
    parts.append(_line(left, base_y, left + plot_w, base_y, "axis-line"))
    parts.append(_line(left, top_pad, left, base_y, "axis-line"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    value_text: Callable[[Decimal], str] = format_yuan,
    axis_text: Callable[[Decimal], str] = short_yuan,
    width: int = 520,
    label_width: int = 150,
    row: int = 30,
    whole: bool = False,
) -> Markup:
    """Horizontal bars (e.g. categories, forms of aid: long Chinese labels), each labelled
    on the left with its value at its end, and an x axis with round ticks."""
    left, right, top_pad, bottom = Decimal(label_width), Decimal(110), Decimal(8), Decimal(24)
    plot_w = Decimal(width) - left - right
    plot_h = Decimal(row) * max(len(bars), 1)
    height = int(top_pad + plot_h + bottom)
    values = [_decimal(b.value) for b in bars]
    scale = ticks(max(values, default=Decimal(0)), whole=whole)
    ceiling = scale[-1]
    base_y = top_pad + plot_h
    parts = _opening(width, height, title)
    for tick in scale:
        x = left + plot_w * tick / ceiling
        parts.append(_line(x, top_pad, x, base_y, "grid"))
        parts.append(_text(x, base_y + 16, axis_text(tick), "axis"))
    for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
        y = top_pad + Decimal(row) * i
        w = plot_w * max(value, Decimal(0)) / ceiling
        parts.append(
            f'<rect x="{_px(left)}" y="{_px(y + 5)}" width="{_px(w)}" height="{row - 10}" class="bar">'
            f"<title>{escape(bar.label)} {escape(value_text(value))}</title></rect>"
        )
        parts.append(_text(left - 6, y + Decimal(row) / 2 + 4, bar.label, "label", "end"))
        parts.append(_text(left + w + 4, y + Decimal(row) / 2 + 4, value_text(value), "value", "start"))
    parts.append(_line(left, top_pad, left, base_y, "axis-line"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def count_text(value: Decimal) -> str:
    """A number of households or people: a whole number."""
    return f"{int(value):,}"
