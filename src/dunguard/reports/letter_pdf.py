"""Complaint letters as PDF (reportlab platypus), laid out from the same ``Letter`` as the
HTML page.

Chinese text is set in reportlab's built-in CID font STSong-Light (the reader's PDF viewer
supplies the glyphs; nothing is downloaded or embedded); Latin text in Helvetica and hashes in
Courier. Each run of text goes to the font that can encode it, so an English letter quoting a
Chinese message prints both. Long quotes wrap inside their cell, and every table is sized to
the page width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dunguard.cases.model import Case, Event, Evidence
from dunguard.reports.letters import Letter, Violation, build_letter

__all__ = ["render_letter_pdf"]

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MONO_FONT = "Courier"

_MARGIN = 18 * mm
_FRAME_PADDING = 6  # each side of SimpleDocTemplate's frame
_WIDTH = A4[0] - 2 * _MARGIN - 2 * _FRAME_PADDING
_LABEL = 30 * mm
_GRID = colors.HexColor("#999999")
_SHADE = colors.HexColor("#f2f2f2")
_GREY = colors.HexColor("#444444")


def render_letter_pdf(
    case: Case,
    events: Sequence[Event],
    evidence: Sequence[Evidence],
    findings: Sequence[Mapping[str, Any]],
    *,
    lang: str = "zh",
    to: str = "platform",
    sender: str | None = None,
    today: date | None = None,
) -> bytes:
    """The letter as an A4 PDF document (the bytes of the file)."""
    letter = build_letter(
        case, events, evidence, findings, lang=lang, to=to, sender=sender, today=today
    )
    _register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 4 * mm,
        title=letter.title,
        author="dunguard",
        subject=letter.case_id,
        lang="zh-CN" if letter.lang == "zh" else "en",
    )
    footer = _footer(letter)
    doc.build(_Layout(letter).story(), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _latin(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def markup(text: str) -> str:
    """``text`` as paragraph markup: escaped, with each run Helvetica cannot encode set in
    the CJK font."""
    out: list[str] = []
    run: list[str] = []
    in_cjk = False
    for ch in text:
        cjk = not _latin(ch)
        if cjk != in_cjk and run:
            out.append(_run("".join(run), in_cjk))
            run = []
        in_cjk = cjk
        run.append(ch)
    if run:
        out.append(_run("".join(run), in_cjk))
    return "".join(out)


def _run(text: str, cjk: bool) -> str:
    body = escape(text).replace("\n", "<br/>")
    return f'<font face="{CJK_FONT}">{body}</font>' if cjk else body


def _footer(letter: Letter) -> Any:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        text = letter.t["page"].format(case_id=letter.case_id, page=doc.page)
        canvas.saveState()
        canvas.setFont(CJK_FONT if letter.lang == "zh" else LATIN_FONT, 8)
        canvas.setFillColor(_GREY)
        canvas.drawCentredString(A4[0] / 2, _MARGIN - 2 * mm, text)
        canvas.restoreState()

    return draw


class _Layout:
    """The flowables of one letter."""

    def __init__(self, letter: Letter) -> None:
        self.letter = letter
        self.t = letter.t
        # Text with Chinese in it wraps the CJK way (between characters, and at the spaces
        # between Latin words); Latin-only text the (much faster) Latin way. See ``p``.
        wrap = "LTR"
        base = ParagraphStyle(
            "body", fontName=LATIN_FONT, fontSize=10, leading=15, wordWrap=wrap, spaceAfter=4
        )
        self.body = base
        self.title = ParagraphStyle(
            "title", parent=base, fontName=LATIN_BOLD, fontSize=16, leading=22,
            alignment=TA_CENTER, spaceAfter=14,
        )  # fmt: skip
        self.heading = ParagraphStyle(
            "heading", parent=base, fontName=LATIN_BOLD, fontSize=12, leading=17,
            spaceBefore=10, spaceAfter=6, keepWithNext=1,
        )  # fmt: skip
        self.cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=13, spaceAfter=0)
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=LATIN_BOLD)
        self.note = ParagraphStyle(
            "note", parent=self.cell, fontSize=8, leading=11, textColor=_GREY
        )
        self.mono = ParagraphStyle(
            "mono", parent=self.cell, fontName=MONO_FONT, fontSize=7.5, leading=10,
            wordWrap="LTR",
        )  # fmt: skip
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
        self._cjk: dict[str, ParagraphStyle] = {}

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        style = style or self.body
        if style.wordWrap != "CJK" and not all(map(_latin, text)):
            style = self._cjk.get(style.name) or self._cjk.setdefault(
                style.name, ParagraphStyle(f"{style.name}_cjk", style, wordWrap="CJK")
            )
        return Paragraph(markup(text), style)

    def story(self) -> list[Flowable]:
        letter, t = self.letter, self.t
        colon = t["colon"]
        story: list[Flowable] = [
            self.p(letter.title, self.title),
            self.p(f"{t['to_label']}{colon}{letter.addressee}"),
            self.p(f"{t['date_label']}{colon}{letter.date}"),
            self.p(t["from_label"], self.heading),
            self._pairs(letter.complainant),
            self.p(t["references"], self.heading),
            self._pairs(letter.references, mono_first=True),
            self.p(t["summary"], self.heading),
            self.p(letter.salutation),
            self.p(letter.intro),
            self.p(letter.overview),
        ]
        if letter.complainant_summary:
            story.append(self.p(t["complainant_says"] + letter.complainant_summary))
        if letter.unanswered:
            story.append(self.p(letter.unanswered, self.cell_bold))
        # the heading goes with the first violation (keepWithNext does not reach into a
        # KeepTogether), and each violation stays on one page where it fits
        heading: list[Flowable] = [self.p(t["violations"], self.heading)]
        for v in letter.violations:
            story += [KeepTogether([*heading, *self._violation(v)]), Spacer(1, 6)]
            heading = []
        story += heading
        story += self._evidence()
        story += self._chain()
        requests: list[Flowable] = [self.p(t["requests"], self.heading)]
        for i, request in enumerate(letter.requests, 1):
            style = ParagraphStyle(f"req{i}", parent=self.body, leftIndent=14, firstLineIndent=-14)
            requests.append(self.p(f"{i}. {request}", style))
        story.append(KeepTogether(requests))
        regards = ParagraphStyle(
            "regards", parent=self.body, firstLineIndent=20 if letter.lang == "zh" else 0
        )
        story += [Spacer(1, 10), self.p(t["closing_text"]), self.p(t["regards_1"], regards)]
        if t["regards_2"]:
            story.append(self.p(t["regards_2"]))
        story += [
            Spacer(1, 14),
            self.p(letter.signature, self.right),
            self.p(letter.date, self.right),
        ]
        return story

    def _pairs(self, pairs: Sequence[tuple[str, str]], mono_first: bool = False) -> Table:
        rows = [
            [
                self.p(label, self.cell),
                self.p(value, self.mono if mono_first and i == 0 else self.cell),
            ]
            for i, (label, value) in enumerate(pairs)
        ]
        return self._table(rows, [_LABEL + 10 * mm, _WIDTH - _LABEL - 10 * mm], shade_col=True)

    def _violation(self, v: Violation) -> list[Flowable]:
        t = self.t
        caption = (
            f"{t['item'].format(n=v.number)} · {v.when} · {v.category} · "
            f"{t['severity'].format(severity=v.severity)}"
        )
        when: list[Flowable] = [self.p(v.when, self.cell)]
        if v.recorded_time:
            when.append(self.p(t["recorded_time"], self.note))
        quote = self.p(f"“{v.quote}”", self.cell_bold) if v.is_quote else self.p(v.quote, self.cell)
        rows: list[list[Any]] = [
            [self.p(caption, self.cell_bold), ""],
            [self.p(t["col_date"], self.cell), when],
            [
                self.p(t["col_category"], self.cell),
                self.p(f"{v.category} ({v.category_code})", self.cell),
            ],
            [self.p(t["col_quote"], self.cell), quote],
        ]
        if v.message:
            rows.append(
                [self.p(t["message"].rstrip(" ：:"), self.cell), self.p(v.message, self.note)]
            )
        if v.explanation:
            rows.append(
                [self.p(t["why"].rstrip(" ：:"), self.cell), self.p(v.explanation, self.cell)]
            )
        basis = "; ".join(v.citations) if v.citations else t["no_basis"]
        rows += [
            [self.p(t["rule"].rstrip(" ：:"), self.cell), self.p(v.rule, self.mono)],
            [self.p(t["basis"].rstrip(" ：:"), self.cell), self.p(basis, self.cell)],
        ]
        if v.evidence_sha256:
            file: list[Flowable] = [self.p(v.evidence_sha256, self.mono)]
            if v.evidence_name:
                file.append(self.p(v.evidence_name, self.note))
        else:
            file = [self.p(t["no_file"], self.note)]
        rows.append([self.p(t["col_evidence"], self.cell), file])
        table = self._table(rows, [_LABEL, _WIDTH - _LABEL], shade_col=True)
        table.setStyle(
            TableStyle([("SPAN", (0, 0), (1, 0)), ("BACKGROUND", (0, 0), (1, 0), _SHADE)])
        )
        return [table]

    def _evidence(self) -> list[Flowable]:
        t, letter = self.t, self.letter
        out: list[Flowable] = [self.p(t["evidence"], self.heading)]
        if not letter.evidence:
            return [*out, self.p(t["no_evidence"])]
        out.append(self.p(t["evidence_intro"], ParagraphStyle("intro", self.note, keepWithNext=1)))
        rows: list[list[Any]] = [
            [self.p(t["col_file"], self.cell_bold), self.p(t["col_size"], self.cell_bold),
             self.p("SHA-256", self.cell_bold)],
        ]  # fmt: skip
        for e in letter.evidence:
            name = [self.p(e.name, self.cell), self.p(e.media_type, self.note)]
            rows.append([name, self.p(e.size, self.cell), self.p(e.sha256, self.mono)])
        sha = 108 * mm
        size = 22 * mm
        table = self._table(rows, [_WIDTH - sha - size, size, sha], repeat=1)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), _SHADE)]))
        return [*out, table]

    def _chain(self) -> list[Flowable]:
        t, letter = self.t, self.letter
        out: list[Flowable] = [self.p(t["chain"], self.heading)]
        if not letter.head_hash:
            return [*out, self.p(t["chain_empty"])]
        return [
            *out,
            self.p(t["chain_text"].format(count=letter.event_count)),
            self.p(letter.head_hash, self.mono),
            Spacer(1, 4),
            self.p(t["chain_verify"], self.note),
        ]

    @staticmethod
    def _table(
        rows: list[list[Any]], widths: list[float], shade_col: bool = False, repeat: int = 0
    ) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=repeat, hAlign="LEFT")
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        if shade_col:
            style.append(("BACKGROUND", (0, 0), (0, -1), _SHADE))
        table.setStyle(TableStyle(style))
        return table
