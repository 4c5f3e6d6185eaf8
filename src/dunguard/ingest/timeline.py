"""The evidence timeline: one self-contained HTML page (inline CSS, script and SVG; a content
security policy that forbids every network request), messages in time order, violations
highlighted with their categories and citations, a filter per counterpart, and a daily chart of
messages and violations. Every piece of evidence text is HTML-escaped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import tzinfo
from html import escape

from dunguard.findings import Finding
from dunguard.ingest.message import Direction, Message
from dunguard.taxonomy import TAXONOMY

__all__ = ["render_timeline"]

_CSS = """
body{font:14px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#222;
background:#f6f6f6}header{background:#243447;color:#fff;padding:12px 20px}h1{font-size:18px;
margin:0}.bar{padding:8px 20px;background:#fff;border-bottom:1px solid #ddd}
main{padding:8px 20px}.msg{background:#fff;border:1px solid #e2e2e2;border-radius:6px;
margin:6px 0;padding:6px 10px;max-width:900px}.msg.out{margin-left:80px;background:#eef8e8}
.msg.hit{border-left:4px solid #c0392b}.meta{color:#777;font-size:12px}
.text{white-space:pre-wrap}mark{background:#ffd6d1;border-bottom:2px solid #c0392b}
.f{font-size:12px;color:#8e2a1f;margin-top:2px}.cite{color:#555}
svg text{font-size:10px;fill:#555}.legend span{display:inline-block;width:10px;height:10px;
margin:0 4px 0 12px}
"""

_JS = """
function applyFilter(){var c=document.getElementById('cp').value;
var only=document.getElementById('only').checked;
document.querySelectorAll('.msg').forEach(function(m){
var ok=(c==='*'||m.dataset.cp===c)&&(!only||m.classList.contains('hit'));
m.style.display=ok?'':'none';});}
"""


def _category_name(finding: Finding) -> str:
    info = TAXONOMY.get(finding.category)
    return f"{info.zh} / {info.en}" if info else finding.category.value


def _highlight(text: str, findings: Sequence[Finding]) -> str:
    spans = (
        sorted(
            (f.span.start, f.span.end, f)
            for f in findings
            if f.span is not None and 0 <= f.span.start < f.span.end <= len(text)
        )
        if findings
        else []
    )
    out: list[str] = []
    pos = 0
    for start, end, finding in spans:
        if start < pos:
            continue  # overlapping spans: the first one is marked, all are listed below
        out.append(escape(text[pos:start]))
        title = f"{finding.category.value}: {finding.explanation.citation_text()}"
        out.append(f'<mark title="{escape(title)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _day(message: Message) -> str | None:
    return message.timestamp.date().isoformat() if message.timestamp else None


def _chart(messages: Sequence[Message], findings: Mapping[str, Sequence[Finding]]) -> str:
    per_day: Counter[str] = Counter()
    hits_day: Counter[str] = Counter()
    for m in messages:
        day = _day(m)
        if day is None:
            continue
        per_day[day] += 1
        if findings.get(m.id):
            hits_day[day] += 1
    if not per_day:
        return "<p class=meta>No dated messages to chart.</p>"
    days = sorted(per_day)
    top = max(per_day.values())
    bar, gap, height = 14, 4, 120
    width = len(days) * (bar + gap) + 40
    parts = [
        f'<svg width="{width}" height="{height + 40}" role="img" '
        f'aria-label="messages and violations per day">'
    ]
    for i, day in enumerate(days):
        x = 30 + i * (bar + gap)
        h_all = round(height * per_day[day] / top)
        h_hit = round(height * hits_day[day] / top)
        parts.append(
            f'<rect x="{x}" y="{height - h_all + 10}" width="{bar}" height="{h_all}" '
            f'fill="#9bb0c8"><title>{day}: {per_day[day]} messages, '
            f"{hits_day[day]} with violations</title></rect>"
        )
        if h_hit:
            parts.append(
                f'<rect x="{x}" y="{height - h_hit + 10}" width="{bar}" '
                f'height="{h_hit}" fill="#c0392b"/>'
            )
        if i % max(1, len(days) // 12) == 0:
            parts.append(f'<text x="{x}" y="{height + 24}">{day[5:]}</text>')
    parts.append(f'<text x="0" y="18">{top}</text></svg>')
    return "".join(parts)


def render_timeline(
    messages: Sequence[Message],
    findings: Mapping[str, Sequence[Finding]] | None = None,
    title: str = "Evidence timeline 证据时间线",
    note: str = "",
    tz: tzinfo | None = None,
) -> str:
    """The HTML page; ``findings`` maps message id to that message's findings. Times that
    carry a zone are shown in ``tz`` when given (and bucketed by day in it)."""
    if tz is not None:
        messages = [
            replace(m, timestamp=m.timestamp.astimezone(tz))
            if m.timestamp is not None and m.timestamp.tzinfo is not None
            else m
            for m in messages
        ]
    findings = findings or {}
    ordered = sorted(messages, key=Message.sort_key)
    counterparts = Counter(m.counterpart or "" for m in ordered)
    hit_count = sum(1 for m in ordered if findings.get(m.id))
    options = ['<option value="*">all counterparts 全部对象</option>'] + [
        f'<option value="{escape(cp)}">{escape(cp or "(unknown)")} ({n})</option>'
        for cp, n in sorted(counterparts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    rows: list[str] = []
    for m in ordered:
        found = findings.get(m.id, ())
        classes = (
            "msg" + (" out" if m.direction is Direction.OUT else "") + (" hit" if found else "")
        )
        when = m.timestamp.isoformat(sep=" ") if m.timestamp else "time unknown"
        arrow = {"in": "←", "out": "→"}.get(m.direction.value, "·")
        who = m.sender or m.counterpart or ""
        body = (
            _highlight(m.text, found)
            if m.text
            else (f"<i>{escape(m.meta.get('note', '(no text)'))}</i>")
        )
        items = "".join(
            f"<div class=f>⚠ {escape(_category_name(f))} · {escape(f.severity.value)} · "
            f"{f.score:.2f} — {escape(f.explanation.sentence(m.lang or 'zh'))} "
            f"<span class=cite>{escape(f.explanation.citation_text())}</span></div>"
            for f in found
        )
        extra = ""
        if m.meta.get("call_type"):
            extra = f" · call {escape(m.meta['call_type'])} {escape(m.meta.get('duration_s', ''))}s"
        rows.append(
            f'<div class="{classes}" data-cp="{escape(m.counterpart or "")}">'
            f"<div class=meta>{escape(when)} · {escape(m.channel.value)} {arrow} "
            f'{escape(who)}{extra} · <span title="{escape(m.id)}">{escape(m.source)} '
            f"({escape(m.position)})</span></div><div class=text>{body}</div>{items}</div>"
        )
    return (
        "<!DOCTYPE html><html lang=zh><head><meta charset=utf-8>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><div>{len(ordered)} messages, {hit_count} with "
        f"violations{escape(note)}</div></header>"
        f'<div class=bar><label>Counterpart 对象 <select id=cp onchange="applyFilter()">'
        f"{''.join(options)}</select></label> <label><input type=checkbox id=only "
        f'onchange="applyFilter()"> only violations 仅违规</label></div>'
        f'<div class=bar><div class=legend>Per day 每日<span style="background:#9bb0c8"></span>'
        f'messages 消息<span style="background:#c0392b"></span>with violations 违规</div>'
        f"{_chart(ordered, findings)}</div>"
        f"<main>{''.join(rows)}</main><script>{_JS}</script></body></html>"
    )
