"""The leadership digest's chart: review health and tour-end readiness over the chart's weeks,
as a PNG of 1200 x 675 pixels, readable at the size Slack previews an image."""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from domain.figures import Split
from domain.leadership import History, ReviewOutcome, TourEnd

WIDTH, HEIGHT, DPI = 1200, 675, 100
# Okabe-Ito colours, told apart with colour blindness too, and a marker each besides.
REVIEW_LINES = (
    (ReviewOutcome.ON_TIME, "On time", "#009E73", "o"),
    (ReviewOutcome.LATE, "Late", "#E69F00", "s"),
    (ReviewOutcome.OVERDUE, "Overdue", "#D55E00", "^"),
)
READY_LINE = (TourEnd.DECIDED, "Decided", "#0072B2", "o")
WITHHELD_SHADE = "#DDDDDD"
# Matplotlib is not thread-safe (its text and font caches are shared), and the outbox delivers
# in parallel threads: one chart is drawn at a time.
_DRAWING = threading.Lock()


def render_history_png(history: History) -> bytes:
    """The chart as PNG bytes. A withheld point is a gap in its line over a shaded week; a week
    with nothing to measure is a gap without shade."""
    with _DRAWING:
        return _draw(history)


def _draw(history: History) -> bytes:
    # Made without pyplot, the figure is registered nowhere: nothing to close, and it is freed
    # on return. The Agg canvas draws it with no display.
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    reviews, ready = figure.subplots(1, 2, sharey=True)
    labels = [f"{week.week.start.day} {week.week.start:%b}" for week in history.weeks]
    xlabel = f"Week beginning (the last {len(history.weeks)} weeks)"
    _plot(
        reviews,
        "Review health",
        "% of the reviews closed that week",
        xlabel,
        labels,
        [week.reviews for week in history.weeks],
        REVIEW_LINES,
    )
    _plot(
        ready,
        "Tour-end readiness",
        "% of tours ending within 90 days, decided",
        xlabel,
        labels,
        [week.tour_ends for week in history.weeks],
        (READY_LINE,),
    )
    figure.supxlabel(
        f"Shaded weeks: withheld, as fewer than {history.min_group_size} people were involved. "
        "Gaps without shade: nothing to measure that week.",
        fontsize=13,
        color="#555555",
    )
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=DPI)
    return png.getvalue()


def _plot(
    axes: Axes,
    title: str,
    ylabel: str,
    xlabel: str,
    labels: list[str],
    weeks: list[Split],
    lines: Sequence[tuple[str, str, str, str]],
) -> None:
    """One panel: a line per part, with the weeks a part of is withheld shaded."""
    positions = range(len(weeks))
    for position, week in zip(positions, weeks, strict=True):
        if any(week.percent.get(part, 0) is None for part, *_ in lines):
            axes.axvspan(position - 0.5, position + 0.5, color=WITHHELD_SHADE, zorder=0)
    for part, label, colour, marker in lines:
        shares = [week.percent.get(part) for week in weeks]
        axes.plot(
            positions,
            [math.nan if share is None else share for share in shares],
            label=label,
            color=colour,
            marker=marker,
            linewidth=3,
            markersize=8,
        )
    axes.set_title(title, fontsize=20, fontweight="bold")
    axes.set_ylabel(ylabel, fontsize=14)
    axes.set_xlabel(xlabel, fontsize=14)
    # Room above 100% for the legend, so that it never hides a point.
    axes.set_ylim(-3, 122)
    axes.set_yticks(range(0, 101, 20))
    axes.set_xlim(-0.5, len(weeks) - 0.5)
    axes.yaxis.set_major_formatter(PercentFormatter())
    axes.set_xticks(list(positions), labels, rotation=45, ha="right", fontsize=13)
    axes.tick_params(axis="y", labelsize=13, labelleft=True)
    axes.grid(axis="y", color="#EEEEEE")
    axes.legend(loc="upper center", ncols=len(lines), fontsize=13, frameon=False)
