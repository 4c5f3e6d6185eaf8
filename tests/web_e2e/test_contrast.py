"""The stylesheet's colour pairs meet WCAG 2.1 AA contrast (4.5:1 for text)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "src" / "dunguard" / "web" / "static" / "app.css"

#: (text colour, background) pairs the pages use.
PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--panel"),
    ("--muted", "--bg"),
    ("--muted", "--panel"),
    ("--accent", "--bg"),
    ("--accent-fg", "--accent"),
    ("--bad", "--bad-bg"),
    ("--bad", "--bg"),
    ("--fg", "--warn-bg"),
    ("--fg", "--ok-bg"),
    ("--fg", "--mark"),
    ("#ffffff", "#12263f"),  # header
]


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_meet_aa_contrast() -> None:
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    low = []
    for fg, bg in PAIRS:
        a, b = variables.get(fg, fg), variables.get(bg, bg)
        ratio = contrast(a, b)
        if ratio < 4.5:
            low.append(f"{fg} on {bg}: {ratio:.2f}")
    assert low == []
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
