"""Hand-built SVG charts for the report: line, log–log scatter, bars, stacked bars and a
heat map, as inline markup with no script, font or file from outside.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that screen
readers announce; every mark has a ``<title>`` of its own, shown as a tooltip. The
numbers behind each chart are in a table beside it (see the template), so the charts
carry no number a reader could not also read. Colours are the Okabe–Ito palette, which
stays distinct for the common forms of colour blindness.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import count as counter

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
OTHER_COLOUR = "#9a9a9a"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'

Point = tuple[float, float]
Series = tuple[str, Sequence[Point]]

_ids = counter(1)


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _open(title: str, desc: str, width: int, height: int) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-labelledby="chart{n}-t chart{n}-d" {FONT}>'
        f'<title id="chart{n}-t">{escape(title)}</title><desc id="chart{n}-d">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]``.

    >>> nice_ticks(0, 97)
    [0, 20, 40, 60, 80, 100]
    """
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    first = math.floor(lo / step) * step
    ticks = []
    value = first
    while value < hi + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def fmt_number(value: float) -> str:
    """A tick or value label: thousands separated, at most three significant decimals."""
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fmt_percent(value: float) -> str:
    return f"{value * 100:.0f}%" if value >= 0.01 or value == 0 else f"{value * 100:.1g}%"


class _Axis:
    """Maps data values to pixels, linearly or on a log10 scale."""

    def __init__(self, lo: float, hi: float, start: float, end: float, log: bool) -> None:
        self.log = log
        if log:
            lo, hi = math.log10(max(lo, 1e-12)), math.log10(max(hi, 1e-12))
            lo, hi = math.floor(lo), math.ceil(hi)
            hi = hi if hi > lo else lo + 1
            self.ticks = [10.0**e for e in range(int(lo), int(hi) + 1)]
        else:
            self.ticks = nice_ticks(lo, hi)
            lo, hi = self.ticks[0], self.ticks[-1]
        self.lo, self.hi, self.start, self.end = lo, hi, start, end

    def __call__(self, value: float) -> float:
        v = math.log10(max(value, 1e-12)) if self.log else value
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    log_x: bool = False,
    log_y: bool = False,
    points_only: bool = False,
    y_format: Callable[[float], str] = fmt_number,
    width: int = 640,
    height: int = 300,
) -> Markup:
    """Lines (or points) of one or more series on shared axes, with a legend when several."""
    points = [pt for _, pts in series for pt in pts]
    head, tail = _open(title, desc, width, height)
    if not points:
        return Markup(head + f'<text x="20" y="30">{escape("No data")}</text>' + tail)
    left, right, top, bottom = 64, width - 16, 16 + (18 if len(series) > 1 else 0), height - 44
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x = _Axis(min(xs), max(xs), left, right, log_x)
    y = _Axis(0 if not log_y else min(ys), max(ys), bottom, top, log_y)
    out = [head, _axes(x, y, left, right, top, bottom, x_label, y_label, y_format, int_x=not log_x)]
    for i, (name, pts) in enumerate(series):
        c = colour(i)
        coords = [(x(px), y(py)) for px, py in pts]
        if not points_only and len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{path}"/>')
        radius = 4 if points_only else 2.5
        for (px, py), (cx, cy) in zip(pts, coords, strict=True):
            tip = escape(f"{name}: {fmt_number(px) if log_x else int(px)} → {y_format(py)}")
            out.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{c}"><title>{tip}</title></circle>'
            )
    if len(series) > 1:
        out.append(_legend([name for name, _ in series], left, 4, width))
    out.append(tail)
    return Markup("".join(out))


def _axes(
    x: _Axis,
    y: _Axis,
    left: float,
    right: float,
    top: float,
    bottom: float,
    x_label: str,
    y_label: str,
    y_format: Callable[[float], str],
    *,
    int_x: bool,
) -> str:
    out = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>',
    ]
    x_ticks = x.ticks
    if int_x and len(x_ticks) > 1 and x_ticks[1] - x_ticks[0] < 1:
        x_ticks = [t for t in x_ticks if t == int(t)]
    for t in x_ticks:
        px = x(t)
        label = fmt_number(t) if not int_x else str(int(t))
        out.append(
            f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 4}" stroke="#333"/>'
            f'<text x="{px:.1f}" y="{bottom + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    for t in y.ticks:
        py = y(t)
        out.append(
            f'<line x1="{left}" y1="{py:.1f}" x2="{right}" y2="{py:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end">{escape(y_format(t))}</text>'
        )
    out.append(
        f'<text x="{(left + right) / 2:.0f}" y="{bottom + 34}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text transform="translate(14 {(top + bottom) / 2:.0f}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    return "".join(out)


def _legend(
    names: Sequence[str], left: float, top: float, width: float, colours: Sequence[str] | None = None
) -> str:
    out, px = [], left
    for i, name in enumerate(names):
        c = colours[i] if colours else colour(i)
        label = name if len(name) <= 28 else name[:27] + "…"
        step = 22 + 7 * len(label)
        if px + step > width and px > left:
            break  # the table beside the chart names every series
        out.append(
            f'<rect x="{px:.0f}" y="{top}" width="12" height="12" fill="{c}"/>'
            f'<text x="{px + 16:.0f}" y="{top + 10}">{escape(label)}</text>'
        )
        px += step
    return "".join(out)


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    value_label: str,
    fmt: Callable[[float], str] = fmt_number,
    width: int = 640,
    bar: int = 22,
    label_width: int = 220,
) -> Markup:
    """Horizontal bars, one per row; a row without a value says "fewer than 5" instead."""
    height = 30 + bar * len(rows) + 24
    head, tail = _open(title, desc, width, height)
    values = [v for _, v in rows if v is not None]
    top = max(values, default=0) or 1
    left, right = label_width, width - 70
    out = [head]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * bar
        short = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text x="{left - 6}" y="{y + bar * 0.65:.0f}" text-anchor="end">{escape(short)}</text>')
        if value is None:
            out.append(
                f'<text x="{left + 4}" y="{y + bar * 0.65:.0f}" fill="#555" font-style="italic">'
                f"fewer than 5</text>"
            )
            continue
        w = max(1.0, value / top * (right - left))
        tip = escape(f"{label}: {fmt(value)}")
        out.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar - 6}" fill="{PALETTE[0]}">'
            f"<title>{tip}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + bar * 0.65:.0f}">{escape(fmt(value))}</text>'
        )
    out.append(
        f'<text x="{(left + right) / 2:.0f}" y="{height - 8}" text-anchor="middle">'
        f"{escape(value_label)}</text>"
    )
    out.append(tail)
    return Markup("".join(out))


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    segments: Sequence[str],
    *,
    title: str,
    desc: str,
    width: int = 720,
    bar: int = 26,
    label_width: int = 200,
    colours: Sequence[str] | None = None,
) -> Markup:
    """One 100% bar per row, split into ``segments`` by the row's shares (which sum to ≤ 1)."""
    colours = colours or [OTHER_COLOUR if s == "other" else colour(i) for i, s in enumerate(segments)]
    legend_rows = 1 + (sum(22 + 7 * min(len(s), 28) for s in segments) // (width - 20))
    top = 10 + 18 * legend_rows
    height = top + bar * len(rows) + 10
    head, tail = _open(title, desc, width, height)
    left, right = label_width, width - 10
    out = [head]
    # the legend wraps over as many lines as it needs: every segment is named
    px, py = 10.0, 4.0
    for i, name in enumerate(segments):
        label = name if len(name) <= 28 else name[:27] + "…"
        step = 22 + 7 * len(label)
        if px + step > width:
            px, py = 10.0, py + 18
        out.append(
            f'<rect x="{px:.0f}" y="{py:.0f}" width="12" height="12" fill="{colours[i]}"/>'
            f'<text x="{px + 16:.0f}" y="{py + 10:.0f}">{escape(label)}</text>'
        )
        px += step
    for r, (label, shares) in enumerate(rows):
        y = top + r * bar
        short = label if len(label) <= 30 else label[:29] + "…"
        out.append(f'<text x="{left - 6}" y="{y + bar * 0.65:.0f}" text-anchor="end">{escape(short)}</text>')
        x = float(left)
        for i, value in enumerate(shares):
            if not value:
                continue
            w = value * (right - left)
            tip = escape(f"{label} — {segments[i]}: {fmt_percent(value)}")
            out.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{bar - 6}" '
                f'fill="{colours[i]}" stroke="#fff" stroke-width="0.5"><title>{tip}</title></rect>'
            )
            x += w
    out.append(tail)
    return Markup("".join(out))


def heatmap(
    labels: Sequence[str],
    matrix: Sequence[Sequence[float]],
    *,
    title: str,
    desc: str,
    fmt: Callable[[float], str] = fmt_number,
    cell: int = 44,
    label_width: int = 200,
) -> Markup:
    """A square matrix as shaded cells (square-root scale, so faint ties still show)."""
    k = len(labels)
    width = label_width + cell * k + 20
    height = label_width * 0.6 + cell * k + 20
    head, tail = _open(title, desc, int(width), int(height))
    top = label_width * 0.6
    peak = max((v for row in matrix for v in row), default=0) or 1
    out = [head]
    for j, label in enumerate(labels):
        short = label if len(label) <= 22 else label[:21] + "…"
        cx = label_width + j * cell + cell / 2
        out.append(f'<text transform="translate({cx:.0f} {top - 6:.0f}) rotate(-45)">{escape(short)}</text>')
    for i, label in enumerate(labels):
        short = label if len(label) <= 28 else label[:27] + "…"
        y = top + i * cell
        out.append(
            f'<text x="{label_width - 6}" y="{y + cell * 0.6:.0f}" text-anchor="end">{escape(short)}</text>'
        )
        for j, value in enumerate(matrix[i]):
            level = math.sqrt(value / peak) if value > 0 else 0.0
            fill = _blue(level)
            tip = escape(f"{labels[i]} × {labels[j]}: {fmt(value)}")
            x = label_width + j * cell
            out.append(
                f'<rect x="{x}" y="{y:.0f}" width="{cell - 1}" height="{cell - 1}" fill="{fill}">'
                f"<title>{tip}</title></rect>"
            )
    out.append(tail)
    return Markup("".join(out))


def _blue(level: float) -> str:
    """White to dark blue as ``level`` goes 0 → 1."""
    lo, hi = (247, 251, 255), (8, 48, 107)
    r, g, b = (round(a + (z - a) * level) for a, z in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
