"""The report's sparklines: PNG images coloured by the trend, broken where a week is missing."""

from __future__ import annotations

import io

from PIL import Image

from kpis.report.sparkline import HEIGHT, TONE_COLOURS, WIDTH, sparkline_png

WEEKS = [3.0, 3.2, 3.1, 3.4, 3.3, 3.6, 3.5, 3.8, 3.7, 4.0, 3.9, 4.2]


def _image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    return image


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _inked(image: Image.Image, x0: int, x1: int) -> set[tuple[int, int, int]]:
    """Colours of the fully drawn pixels between columns x0 and x1 (not the smoothed edges)."""
    found = set()
    for x in range(x0, x1):
        for y in range(image.height):
            pixel = image.getpixel((x, y))
            if pixel != (255, 255, 255):
                found.add(pixel)
    return found


def _near(found: set[tuple[int, int, int]], colour: str) -> bool:
    want = _rgb(colour)
    return any(sum(abs(a - b) for a, b in zip(p, want, strict=True)) < 12 for p in found)


def test_the_tone_colours_the_line() -> None:
    for tone, colour in TONE_COLOURS.items():
        image = _image(sparkline_png(WEEKS, tone))
        found = _inked(image, 0, WIDTH)
        assert _near(found, colour)
        others = [c for t, c in TONE_COLOURS.items() if t != tone]
        assert not any(_near(found, c) for c in others)


def test_the_same_weeks_give_the_same_bytes() -> None:
    assert sparkline_png(WEEKS, "better") == sparkline_png(list(WEEKS), "better")
    assert sparkline_png(WEEKS, "better") != sparkline_png(WEEKS, "worse")


def test_a_missing_week_leaves_a_gap() -> None:
    weeks: list[float | None] = list(WEEKS)
    weeks[5] = weeks[6] = None  # weeks 6 and 7 (x about 130 to 155 of 280)
    image = _image(sparkline_png(weeks, "neutral"))
    step = (WIDTH - 16) / 11
    gap = (int(8 + 4 * step) + 6, int(8 + 7 * step) - 6)  # between weeks 5 and 8
    assert _inked(image, *gap) == set()
    assert _inked(image, 8, int(8 + 4 * step))  # the weeks before are drawn
    whole = _image(sparkline_png(WEEKS, "neutral"))
    assert _inked(whole, *gap)


def test_the_last_week_is_marked() -> None:
    image = _image(sparkline_png(WEEKS, "better"))

    # The last point's dot is wider than the line: more rows inked at the right edge.
    def rows(x: int) -> int:
        return sum(1 for y in range(HEIGHT) if image.getpixel((x, y)) != (255, 255, 255))

    assert rows(WIDTH - 8) > 2 * rows(WIDTH // 2)
    without_last = _image(sparkline_png([*WEEKS[:-1], None], "better"))
    assert _inked(without_last, WIDTH - 10, WIDTH) == set()


def test_no_value_at_all_is_a_blank_image() -> None:
    image = _image(sparkline_png([None] * 12, "worse"))
    assert _inked(image, 0, WIDTH) == set()
    assert _image(sparkline_png([], "better"))
