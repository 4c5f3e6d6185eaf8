"""Complaint letters as PDF: the same content as the HTML letter, read back from the PDF's text
(pypdf); markup printed literally; long quotes wrapped inside the page."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from letter_fixtures import BORROWER, SCRIPT_QUOTE, Filed, markup_finding
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics

from dunguard.cases import CaseService
from dunguard.findings import TextSpan
from dunguard.reports import LetterInput, letter_input, render_letter_pdf
from dunguard.reports.letter_pdf import markup
from dunguard.reports.letter_text import TEXT
from dunguard.taxonomy import TAXONOMY

DAY = date(2026, 3, 20)
LANG_TO = [(lang, to) for lang in ("zh", "en") for to in ("platform", "regulator")]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all white space removed (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("lang", "to"), LANG_TO)
def test_pdf_holds_every_quote_rule_category_and_hash(
    parts: LetterInput, filed: Filed, lang: str, to: str
) -> None:
    pdf = render_letter_pdf(*parts, lang=lang, to=to, today=DAY)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf)
    for finding in filed.findings:
        assert flat(finding.rule) in text
        if isinstance(finding.evidence, TextSpan):
            assert flat(finding.evidence.quote) in text
        assert flat(TAXONOMY[finding.category].name(lang)) in text
    assert text.count(filed.sms_sha256) == len(filed.findings) - 2 + 1
    assert filed.notes_sha256 in text
    assert parts.events[-1].hash in text and parts.case.id in text
    assert flat(TEXT[lang][f"title_{to}"].format(platform="quickloan")) in text
    assert flat(TEXT[lang]["regards_1"]) in text


def test_markup_in_a_quote_is_printed_literally(parts: LetterInput) -> None:
    text = pdf_text(render_letter_pdf(*parts, lang="en", to="platform", today=DAY))
    assert flat(SCRIPT_QUOTE) in text
    assert flat("Abusive language & <markup>.") in text


def test_markup_sends_each_run_to_a_font_that_has_it() -> None:
    assert markup("abc <b> & 坐牢 x") == (
        'abc &lt;b&gt; &amp; <font face="STSong-Light">坐牢</font> x'
    )


def _right_edges(pdf: bytes) -> list[float]:
    """Where each piece of text ends on its page, in points from the left edge."""
    edges: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        text = text.rstrip()  # a line's trailing space and newline take no room
        if not text.strip() or not font:
            return
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        name = str(font["/BaseFont"]).lstrip("/")
        edges.append(x + pdfmetrics.stringWidth(text, name, size * tm[0] * cm[0]))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return edges


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_quotes_wrap_inside_the_page(service: CaseService, filed: Filed, lang: str) -> None:
    long_quote = "再不还钱就让你全家好看，" * 60 + "x" * 300 + " deadbeat" * 40
    service.attach_finding(BORROWER, filed.case.id, markup_finding(long_quote))
    parts = letter_input(service, BORROWER, filed.case.id)
    pdf = render_letter_pdf(*parts, lang=lang, to="platform", today=DAY)
    text = pdf_text(pdf)
    assert flat(long_quote) in text
    edges = _right_edges(pdf)
    assert len(edges) > 100
    right_margin = A4[0] - 18 * 72 / 25.4
    assert max(edges) <= right_margin
