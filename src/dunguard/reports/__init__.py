"""Documents made from findings and cases: complaint letters to a platform or a regulator, in
Chinese or English, as HTML or PDF.

``render_letter_html`` and ``render_letter_pdf`` take a case, its events, its evidence and its
finding snapshots as one reader may see them (``letter_input`` gets all four from the case
service for that reader)."""

from __future__ import annotations

from dunguard.reports.letter_pdf import render_letter_pdf
from dunguard.reports.letters import (
    Letter,
    LetterInput,
    Violation,
    build_letter,
    letter_input,
    render_letter_html,
)

__all__ = [
    "Letter",
    "LetterInput",
    "Violation",
    "build_letter",
    "letter_input",
    "render_letter_html",
    "render_letter_pdf",
]
