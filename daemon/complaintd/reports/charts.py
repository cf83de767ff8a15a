"""The reports' charts: small PNGs drawn with matplotlib's Agg backend and a CJK font.

Mail clients show a PNG attached inline by ``cid:`` (Outlook, Gmail, Foxmail/QQ Mail);
they block ``data:`` URIs and do not render SVG.  Every chart stands beside a table with
the same numbers, so the report reads fully with images blocked.  Without a CJK font the
Chinese labels would print as boxes: then no chart is drawn at all (``complaintd check``
says so) and the tables carry the report alone.

Each image is quantised to a small palette, which keeps it far under 30 KB.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

# Families of CJK fonts Debian ships, smallest first (fonts-wqy-microhei is 1.6 MB).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Droid Sans Fallback",
)
COLORS = ("#37474f", "#90a4ae", "#c62828", "#f9a825", "#2e7d32", "#1565c0")
MAX_BYTES = 30 * 1024
WIDTH, DPI = 6.3, 100  # 630 pixels: the width of the mail's content


@dataclass(frozen=True)
class Series:
    """One row of bars: a name for the legend and a value per label."""

    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its ``cid:`` name, file name, alt text and PNG bytes."""

    cid: str
    filename: str
    alt: str
    png: bytes


@cache
def cjk_font() -> str | None:
    """The path of an installed CJK font, or None when there is none."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        if path:
            return str(path)
    return None


def font_warning() -> list[str]:
    """What ``complaintd check`` says when the charts cannot be drawn: [] when they can."""
    if cjk_font() is not None:
        return []
    return [
        "no CJK font found (e.g. Debian's fonts-wqy-microhei): the digest and the monthly "
        "report go out with their tables only, without charts"
    ]


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    horizontal: bool = False,
    reference: tuple[str, Sequence[float]] | None = None,
) -> bytes | None:
    """Bars of each series per label (side by side), as a small PNG; None without a CJK
    font.  ``reference`` draws a target per label (an SLA) as a marker with its name."""
    font = cjk_font()
    if font is None or not labels:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    properties = font_manager.FontProperties(fname=font)
    height = max(2.2, 0.24 * len(labels) * max(1, len(series)) + 1.3) if horizontal else 2.6
    figure = Figure(figsize=(WIDTH, min(height, 6.0)), dpi=DPI)
    axes = figure.add_subplot()
    width = 0.8 / max(1, len(series))
    positions = list(range(len(labels)))
    for index, one in enumerate(series):
        offsets = [p + (index - (len(series) - 1) / 2) * width for p in positions]
        draw = axes.barh if horizontal else axes.bar
        draw(offsets, list(one.values), width, label=one.name, color=COLORS[index % len(COLORS)])
    if reference is not None:
        name, values = reference
        points = (values, positions) if horizontal else (positions, values)
        axes.plot(*points, "D", color="#c62828", markersize=5, label=name)
    _label_axes(axes, labels, horizontal, properties)
    axes.set_title(title, fontproperties=properties, fontsize=11, loc="left")
    if len(series) > 1 or reference is not None:
        axes.legend(
            prop=properties,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=len(series) + (reference is not None),
        )
    figure.tight_layout()
    return _small_png(figure)


def _label_axes(axes: Axes, labels: Sequence[str], horizontal: bool, font: FontProperties) -> None:
    """Category names on the label axis (every 5th day on a long one), light grid."""
    positions = list(range(len(labels)))
    step = 1 if len(labels) <= 12 else 5
    shown = [p for p in positions if (len(labels) - 1 - p) % step == 0]
    if horizontal:
        axes.set_yticks(shown, [labels[p] for p in shown], fontproperties=font, fontsize=9)
        axes.invert_yaxis()
        axes.grid(axis="x", color="#e0e0e0")
    else:
        axes.set_xticks(shown, [labels[p] for p in shown], fontproperties=font, fontsize=8)
        axes.grid(axis="y", color="#e0e0e0")
    from matplotlib.ticker import MaxNLocator

    (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _small_png(figure: Figure) -> bytes:
    """The figure as a PNG quantised to 32 colours (a few KB for a bar chart)."""
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=32).save(small, format="PNG", optimize=True)
    return small.getvalue()
