"""The dashboard's charts, drawn on the server as SVG with matplotlib.

Each chart marks its data with ids (``<chart>-<n>``) so a page, a test or a user's stylesheet
can find every bar. Text stays text (``svg.fonttype = none``): stage and reason names are
searchable and the files small. Figures are made without pyplot, so requests drawing at the
same time share no state. This module is imported only when the dashboard is drawn."""

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure

matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "letopis", "font.size": 10})

PLANNED, ACTUAL, LATE = "#b8c7e0", "#2f5d9e", "#c0392b"


def _figure(height: float) -> tuple[Figure, Any]:
    figure = Figure(figsize=(7.5, height), layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]


def _mark(bars: Any, chart: str, labels: Sequence[str]) -> None:
    for number, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        bar.set_gid(f"{chart}-{number}")
        bar.set_label(label)


def horizontal_bars(chart: str, labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    """One bar per label, first at the top, its value written beside it."""
    figure, axes = _figure(0.6 + 0.45 * len(labels))
    positions = range(len(labels))
    bars = axes.barh(positions, values, color=ACTUAL)
    _mark(bars, chart, labels)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.bar_label(bars, padding=3)
    axes.set_xlabel(unit)
    axes.margins(x=0.15)
    return _svg(figure)


def money_by_month(chart: str, rows: Sequence[tuple[str, str, Decimal]]) -> str:
    """Bars per month, one series per currency side by side."""
    months = sorted({month for month, _, _ in rows})
    currencies = sorted({currency for _, currency, _ in rows})
    figure, axes = _figure(3.4)
    width = 0.8 / len(currencies)
    for series, currency in enumerate(currencies):
        amounts = {month: float(amount) for month, each, amount in rows if each == currency}
        positions = [i + series * width for i in range(len(months))]
        bars = axes.bar(positions, [amounts.get(month, 0.0) for month in months], width, label=currency)
        _mark(bars, f"{chart}-{currency}", [f"{month} {currency}" for month in months])
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(months))], months, rotation=60, ha="right")
    axes.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    axes.legend(frameon=False)
    return _svg(figure)


def gantt(chart: str, stages: Sequence[dict[str, Any]], today: date) -> str:
    """Each stage's plan as a light bar and what happened as a dark one (red when late); a
    stage under way runs until today."""
    figure, axes = _figure(0.9 + 0.55 * len(stages))
    for row, stage in enumerate(stages):
        start, end = mdates.date2num(stage["planned_start"]), mdates.date2num(stage["planned_end"])
        planned = axes.barh(row, end - start + 1, left=start, height=0.7, color=PLANNED)
        planned.patches[0].set_gid(f"{chart}-planned-{row}")
        if stage["actual_start"] is not None:
            began = mdates.date2num(stage["actual_start"])
            ended = mdates.date2num(stage["actual_end"] or today)
            colour = LATE if stage["late"] else ACTUAL
            actual = axes.barh(row, ended - began + 1, left=began, height=0.3, color=colour)
            actual.patches[0].set_gid(f"{chart}-actual-{row}")
    axes.axvline(mdates.date2num(today), color="#888888", linestyle="--", linewidth=1)
    axes.set_yticks(range(len(stages)), [stage["name"] for stage in stages])
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(mdates.AutoDateLocator())
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d.%m.%Y"))
    figure.autofmt_xdate()
    return _svg(figure)
