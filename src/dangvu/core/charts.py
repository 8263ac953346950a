"""Charts drawn on the server as SVG (no script, no library to download on a slow link),
each with its figures as a table for screen readers and for copying."""

from dataclasses import dataclass

__all__ = ["bar_chart"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    text_y: float


def bar_chart(points: list[tuple[str, int]], *, width: int = 320, height: int = 150) -> dict:
    """Geometry of a vertical bar chart of `points` ((label, value) pairs) in a `width` ×
    `height` box: bars scaled to the largest value, room below for the labels and above each
    bar for its value."""
    top, bottom = 16, 20  # value above the bar, label below
    plot = height - top - bottom
    largest = max((v for _l, v in points), default=0) or 1
    n = max(len(points), 1)
    slot = width / n
    bars = []
    for i, (label, value) in enumerate(points):
        h = round(plot * value / largest, 1)
        y = top + plot - h
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(i * slot + slot * 0.15, 1),
                y=round(y, 1),
                width=round(slot * 0.7, 1),
                height=h,
                text_y=round(y - 4, 1),
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "baseline": top + plot,
        "label_y": height - 5,
        "slot": slot,
    }
