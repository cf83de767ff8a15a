"""The reports' charts: small bar-chart PNGs drawn with Pillow and a CJK font.

Mail clients show a PNG attached inline by ``cid:`` (Outlook, Gmail, Foxmail/QQ Mail);
they block ``data:`` URIs and do not render SVG.  Every chart stands beside a table with
the same numbers, so the report reads fully with images blocked.  Without a CJK font the
Chinese labels would print as boxes: then no chart is drawn at all (``complaintd check``
says so) and the tables carry the report alone.

Drawn with Pillow's ImageDraw rather than matplotlib's Agg backend: measured on the
monthly report's four charts, matplotlib took 0.15-0.4 s a chart (text layout and a
second drawing pass for its layout) and 40 MB more memory; these take milliseconds.
Each image is quantised to a small palette, which keeps it far under 30 KB.
"""

from __future__ import annotations

import io
import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# CJK fonts Debian ships, smallest first (fonts-wqy-microhei is 1.6 MB).
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
COLORS = ("#37474f", "#90a4ae", "#1565c0", "#f9a825", "#2e7d32", "#6a1b9a")
REFERENCE_COLOR = "#c62828"
GRID, AXIS, TEXT = "#e0e0e0", "#9e9e9e", "#222222"
WIDTH = 630  # pixels: the width of the mail's content
SCALE = 2  # drawn at twice the size and scaled down: smooth edges and text
MAX_BYTES = 30 * 1024


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
    for path in CJK_FONT_FILES:
        if Path(path).is_file():
            return path
    try:  # another CJK font fontconfig knows of
        found = subprocess.run(
            ["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.rstrip(": \n") for line in found.splitlines() if line.strip())
    return files[0] if files else None


def font_warning() -> list[str]:
    """What ``complaintd check`` says when the charts cannot be drawn: [] when they can."""
    if cjk_font() is not None:
        return []
    return [
        "no CJK font found (e.g. Debian's fonts-wqy-microhei): the digest and the monthly "
        "report go out with their tables only, without charts"
    ]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font()
    assert path is not None
    return ImageFont.truetype(path, size * SCALE)


def nice_ticks(top: float) -> list[float]:
    """0 and round steps up to at least ``top`` (whole numbers for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0) if top >= 1 else step
    count = math.ceil(top / step)
    return [round(i * step, 6) for i in range(count + 1)]


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
    if cjk_font() is None or not labels:
        return None
    draw = _horizontal if horizontal else _vertical
    image = draw(title, list(labels), list(series), reference)
    return _small_png(image)


LegendItem = tuple[str, str, str]  # name, colour, "bar" or "marker"


def _legend_items(
    series: list[Series], reference: tuple[str, Sequence[float]] | None
) -> list[LegendItem]:
    items: list[LegendItem] = [
        (one.name, COLORS[i % len(COLORS)], "bar") for i, one in enumerate(series)
    ]
    if reference is not None:
        items.append((reference[0], REFERENCE_COLOR, "marker"))
    return items if len(items) > 1 else []


def _horizontal(
    title: str,
    labels: list[str],
    series: list[Series],
    reference: tuple[str, Sequence[float]] | None,
) -> Image.Image:
    """Labels on the left, one band per label with a bar per series."""
    s = SCALE
    label_font, small = _font(12), _font(11)
    legend = _legend_items(series, reference)
    bar = 16 * s
    band = bar * len(series) + 10 * s
    left = max(label_font.getlength(label) for label in labels) + 14 * s
    top, plot_h = 34 * s, band * len(labels)
    bottom = 22 * s + (24 * s if legend else 0)
    width, height = WIDTH * s, int(top + plot_h + bottom)
    values = [v for one in series for v in one.values] + list(reference[1] if reference else [])
    ticks = nice_ticks(max(values, default=0))
    right = width - 16 * s
    scale = (right - left) / ticks[-1]
    image, draw = _canvas(width, height, title)
    for tick in ticks:
        x = left + tick * scale
        draw.line([(x, top), (x, top + plot_h)], fill=GRID, width=s)
        draw.text((x, top + plot_h + 4 * s), _number(tick), font=small, fill=TEXT, anchor="ma")
    for row, label in enumerate(labels):
        y0 = top + row * band + 5 * s
        draw.text(
            (left - 8 * s, y0 + bar * len(series) / 2),
            label,
            font=label_font,
            fill=TEXT,
            anchor="rm",
        )
        for index, one in enumerate(series):
            y = y0 + index * bar
            x1 = left + float(one.values[row]) * scale
            draw.rectangle(
                [left, y + s, max(left + s, x1), y + bar - s], fill=COLORS[index % len(COLORS)]
            )
        if reference is not None:
            _diamond(draw, left + float(reference[1][row]) * scale, y0 + bar * len(series) / 2)
    draw.line([(left, top), (left, top + plot_h)], fill=AXIS, width=s)
    _legend(draw, legend, height - 20 * s)
    return image


def _vertical(
    title: str,
    labels: list[str],
    series: list[Series],
    reference: tuple[str, Sequence[float]] | None,
) -> Image.Image:
    """A column per label (a day): the value axis on the left, every 5th label shown."""
    s = SCALE
    small = _font(11)
    legend = _legend_items(series, reference)
    width, height = WIDTH * s, (250 + (24 if legend else 0)) * s
    values = [v for one in series for v in one.values]
    ticks = nice_ticks(max(values, default=0))
    left, right, top = 36 * s, width - 12 * s, 34 * s
    base = height - (26 + (24 if legend else 0)) * s
    scale = (base - top) / ticks[-1]
    image, draw = _canvas(width, height, title)
    for tick in ticks:
        y = base - tick * scale
        draw.line([(left, y), (right, y)], fill=GRID, width=s)
        draw.text((left - 6 * s, y), _number(tick), font=small, fill=TEXT, anchor="rm")
    band = (right - left) / len(labels)
    step = 1 if len(labels) <= 12 else 5
    for column, label in enumerate(labels):
        x0 = left + column * band
        bar = band * 0.8 / len(series)
        for index, one in enumerate(series):
            x = x0 + band * 0.1 + index * bar
            y = base - float(one.values[column]) * scale
            if one.values[column]:
                draw.rectangle([x, y, x + bar - s, base], fill=COLORS[index % len(COLORS)])
        if (len(labels) - 1 - column) % step == 0:
            draw.text((x0 + band / 2, base + 5 * s), label, font=small, fill=TEXT, anchor="ma")
    draw.line([(left, base), (right, base)], fill=AXIS, width=s)
    _legend(draw, legend, height - 20 * s)
    return image


def _canvas(width: int, height: int, title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((12 * SCALE, 10 * SCALE), title, font=_font(14), fill=TEXT)
    return image, draw


def _diamond(draw: ImageDraw.ImageDraw, x: float, y: float) -> None:
    r = 6 * SCALE
    draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=REFERENCE_COLOR)


def _legend(draw: ImageDraw.ImageDraw, items: list[LegendItem], y: float) -> None:
    """The series' names, centred on one line at ``y``."""
    if not items:
        return
    s, font = SCALE, _font(12)
    widths = [18 * s + font.getlength(name) + 18 * s for name, _, _ in items]
    x = (WIDTH * s - sum(widths)) / 2
    for (name, color, kind), width in zip(items, widths, strict=True):
        if kind == "bar":
            draw.rectangle([x, y - 6 * s, x + 12 * s, y + 6 * s], fill=color)
        else:
            _diamond(draw, x + 6 * s, y)
        draw.text((x + 18 * s, y), name, font=font, fill=TEXT, anchor="lm")
        x += width


def _number(value: float) -> str:
    return f"{value:g}"


def _small_png(image: Image.Image) -> bytes:
    """The chart at its mail size, quantised to 32 colours (a few KB)."""
    size = (image.width // SCALE, image.height // SCALE)
    small = image.resize(size, Image.Resampling.LANCZOS).quantize(colors=32)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()
