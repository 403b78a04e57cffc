"""A KPI's 12-week sparkline as PNG bytes, for the report's e-mail, HTML and PDF.

Mail clients show neither SVG nor scripts, so the line is a small PNG drawn with Pillow. It
reads like the weekly review's card (dashboard.cards.sparkline_svg): coloured by the 12-week
trend read against the KPI's direction (green when it moves the good way, red otherwise, grey
when steady), broken where a week has no value, the last week marked. It is drawn at twice
its size and scaled down, which smooths the line without anti-aliasing support in ImageDraw.
The same values always give the same bytes (no timestamps or metadata in the PNG).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

# The weekly review's colours (dashboard.charts BETTER/WORSE, dashboard.cards NEUTRAL).
TONE_COLOURS = {"better": "#1a9e5c", "worse": "#d9433b", "neutral": "#8c8c8c"}
WIDTH, HEIGHT = 280, 72  # pixels of the PNG: shown at 140 x 36, sharp on high-density screens
SCALE = 2  # drawn at twice the PNG's size, then scaled down


def _points(
    values: Sequence[float | None], width: int, height: int, pad: float
) -> list[tuple[float, float] | None]:
    """Each week's point in a width x height box (None where a week has no value)."""
    known = [v for v in values if v is not None]
    if not known:
        return [None for _ in values]
    low, high = min(known), max(known)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    found: list[tuple[float, float] | None] = []
    for i, v in enumerate(values):
        if v is None:
            found.append(None)
            continue
        share = 0.5 if high == low else (high - v) / (high - low)
        found.append((pad + i * step, pad + share * (height - 2 * pad)))
    return found


def sparkline_png(values: Sequence[float | None], tone: str) -> bytes:
    """The weeks' values as a line (`tone`: better, worse or neutral), PNG bytes 280 x 72.

    Scaled to the values' own range, as the weekly review's sparkline is: it shows the shape
    of the 12 weeks, the card gives the numbers.
    """
    colour = TONE_COLOURS.get(tone, TONE_COLOURS["neutral"])
    width, height = WIDTH * SCALE, HEIGHT * SCALE
    line, dot, last_dot = 4 * SCALE, 4 * SCALE, 6 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    points = _points(values, width, height, pad=float(last_dot + SCALE))
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    for run in runs:
        if len(run) > 1:
            draw.line(run, fill=colour, width=line, joint="curve")
        elif len(run) == 1:  # a week alone between gaps is a dot
            _dot(draw, run[0], dot // 2, colour)
    if points and points[-1] is not None:
        _dot(draw, points[-1], last_dot, colour)
    small = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def _dot(draw: ImageDraw.ImageDraw, at: tuple[float, float], radius: int, colour: str) -> None:
    x, y = at
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
