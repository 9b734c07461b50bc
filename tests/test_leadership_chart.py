"""The leadership chart is a real PNG of 1200 x 675 pixels, whatever the weeks hold: shares,
withheld points, or nothing at all."""

from __future__ import annotations

import io
import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from matplotlib.image import imread

from domain.figures import Split
from domain.leadership import History, WeekHealth, weeks_up_to
from services.leadership_chart import render_history_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2031, 3, 10, 9, tzinfo=UTC)
SHOWN = (Split({"on_time": 70.0, "late": 20.0, "overdue": 10.0}), Split({"decided": 60.0}))
WITHHELD = (
    Split({"on_time": 80.0, "late": None, "overdue": None}),
    Split({"decided": None, "undecided": None}),
)
EMPTY = (Split({}), Split({}))


def history(*weeks: tuple[Split, Split]) -> History:
    periods = weeks_up_to(NOW, len(weeks))
    return History(
        5, tuple(WeekHealth(period, *week) for period, week in zip(periods, weeks, strict=True))
    )


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's first chunk, which is always IHDR."""
    assert png[:8] == PNG_SIGNATURE
    length, kind, width, height = struct.unpack(">I4sII", png[8:24])
    assert (length, kind) == (13, b"IHDR")
    return width, height


@pytest.mark.parametrize(
    "weeks",
    [
        (SHOWN,) * 12,
        (
            SHOWN,
            WITHHELD,
            EMPTY,
            WITHHELD,
            SHOWN,
            SHOWN,
            EMPTY,
            SHOWN,
            WITHHELD,
            SHOWN,
            SHOWN,
            SHOWN,
        ),
        (WITHHELD,) * 12,
        (EMPTY,) * 12,
    ],
    ids=["shown", "with gaps", "all withheld", "nothing to measure"],
)
def test_the_chart_is_a_png_of_1200_by_675(weeks: tuple[tuple[Split, Split], ...]) -> None:
    png = render_history_png(history(*weeks))
    assert png_size(png) == (1200, 675)
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (675, 1200)
    assert pixels.min() < pixels.max()  # something is drawn


def test_charts_drawn_in_parallel_threads_come_out_whole() -> None:
    chart = history(*(SHOWN, WITHHELD, EMPTY) * 4)
    alone = render_history_png(chart)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _: render_history_png(chart), range(4)))
    assert together == [alone] * 4
