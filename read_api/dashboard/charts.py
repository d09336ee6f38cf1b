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
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "letopis", "font.size": 10})

PLANNED, ACTUAL, LATE = "#b8c7e0", "#2f5d9e", "#c0392b"
SERIES = ("#2f5d9e", "#e08a2f", "#4a9e5c", "#8e5ea2")


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


def _mark(bars: Any, chart: str) -> None:
    for number, bar in enumerate(bars):
        bar.set_gid(f"{chart}-{number}")


def horizontal_bars(chart: str, labels: Sequence[str], values: Sequence[int], unit: str) -> str:
    """One bar per label, first at the top, its count written beside it."""
    figure, axes = _figure(0.6 + 0.45 * len(labels))
    positions = range(len(labels))
    bars = axes.barh(positions, values, color=ACTUAL)
    _mark(bars, chart)
    axes.set_yticks(positions, labels)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
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
    width = min(0.8, 0.25 * len(months)) / len(currencies)
    for series, currency in enumerate(currencies):
        amounts = {month: float(amount) for month, each, amount in rows if each == currency}
        positions = [i + series * width for i in range(len(months))]
        heights = [amounts.get(month, 0.0) for month in months]
        bars = axes.bar(positions, heights, width, label=currency, color=SERIES[series % len(SERIES)])
        _mark(bars, f"{chart}-{currency}")
    middle = (len(currencies) - 1) * width / 2
    axes.set_xticks([i + middle for i in range(len(months))], months, rotation=60, ha="right")
    axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
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
            # A finished stage's last day counts whole; one under way runs up to today.
            ended = (
                mdates.date2num(stage["actual_end"]) + 1 if stage["actual_end"] else mdates.date2num(today)
            )
            colour = LATE if stage["late"] else ACTUAL
            actual = axes.barh(row, ended - began, left=began, height=0.3, color=colour)
            actual.patches[0].set_gid(f"{chart}-actual-{row}")
    axes.axvline(mdates.date2num(today), color="#888888", linestyle="--", linewidth=1)
    legend = [
        Patch(color=PLANNED, label="план"),
        Patch(color=ACTUAL, label="факт"),
        Patch(color=LATE, label="с опозданием"),
    ]
    axes.legend(handles=legend, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    axes.set_yticks(range(len(stages)), [stage["name"] for stage in stages])
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d.%m.%Y"))
    figure.autofmt_xdate()
    return _svg(figure)


def plan_vs_actual(
    chart: str, labels: Sequence[str], planned: Sequence[float], actual: Sequence[float]
) -> str:
    """Per plan, its figure as a light bar and what was achieved as a dark one beneath it."""
    figure, axes = _figure(0.9 + 0.7 * len(labels))
    rows = range(len(labels))
    plan_bars = axes.barh([row - 0.18 for row in rows], planned, height=0.34, color=PLANNED, label="план")
    actual_bars = axes.barh([row + 0.18 for row in rows], actual, height=0.34, color=ACTUAL, label="факт")
    _mark(plan_bars, f"{chart}-planned")
    _mark(actual_bars, f"{chart}-actual")
    for bars in (plan_bars, actual_bars):
        axes.bar_label(bars, labels=[f"{bar.get_width():,.0f}".replace(",", " ") for bar in bars], padding=3)
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.margins(x=0.2)
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(figure)
