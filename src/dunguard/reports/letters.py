"""Complaint letters from a case: to the platform or to the regulator, in Chinese or English,
as a self-contained HTML page or a PDF.

``build_letter`` turns a case, its events, its evidence and its finding snapshots into a
``Letter``: every piece of text the letter prints, already in the letter's language. The HTML
template and the PDF renderer both lay out that one value, so the two formats say the same.

The letter shows what it is given: pass the case, events and evidence as the reader may see
them (``CaseService.get/events/evidence/findings`` for that reader, or ``letter_input``), so
a minimised complainant stays minimised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined

from dunguard.cases.model import Actor, Case, Event, EventKind, Evidence, Status
from dunguard.cases.service import CaseService
from dunguard.errors import ConfigError
from dunguard.reports.letter_text import LANGS, RECIPIENTS, SEVERITY, TEXT
from dunguard.taxonomy import TAXONOMY, Category

__all__ = [
    "Letter",
    "LetterInput",
    "Violation",
    "build_letter",
    "letter_input",
    "render_letter_html",
]

#: Longest quote and message context a letter prints, in characters; the rest is elided
#: (the full text is in the evidence file the letter names).
MAX_QUOTE = 1500
MAX_MESSAGE = 600

_TIME_KEYS = ("timestamp", "at", "time", "sent_at", "date")


class LetterInput(NamedTuple):
    """What a letter is made from, as one reader may see it."""

    case: Case
    events: Sequence[Event]
    evidence: Sequence[Evidence]
    findings: Sequence[Mapping[str, Any]]


def letter_input(service: CaseService, actor: Actor, case_id: str) -> LetterInput:
    """The case, events, evidence and finding snapshots of ``case_id`` as ``actor`` may see
    them; ``render_letter_html(*letter_input(...), lang=..., to=...)``."""
    events = service.events(actor, case_id)
    return LetterInput(
        service.get(actor, case_id),
        events,
        service.evidence(actor, case_id),
        service.findings(actor, case_id),
    )


@dataclass(frozen=True, slots=True)
class Violation:
    """One row of the letter's list of violations, in the letter's language."""

    number: int
    when: str
    recorded_time: bool
    """True when ``when`` is the time the finding was recorded in the case (no message time)."""
    category_code: str
    category: str
    severity: str
    quote: str
    """The quoted text, or for contact-log evidence a description of the records."""
    is_quote: bool
    message: str
    explanation: str
    rule: str
    citations: tuple[str, ...]
    evidence_sha256: str
    evidence_name: str


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    name: str
    media_type: str
    size: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Letter:
    """Everything a letter prints. ``t`` holds its fixed wording (``letter_text.TEXT``)."""

    lang: str
    to: str
    t: Mapping[str, str]
    title: str
    addressee: str
    date: str
    signature: str
    """The signing line: the complainant, or the ``sender`` who signs for them."""
    complainant: tuple[tuple[str, str], ...]
    """(label, value) pairs; empty values are left out."""
    references: tuple[tuple[str, str], ...]
    salutation: str
    intro: str
    overview: str
    complainant_summary: str
    unanswered: str
    violations: tuple[Violation, ...]
    evidence: tuple[EvidenceRow, ...]
    event_count: int
    head_hash: str
    requests: tuple[str, ...]
    case_id: str


def build_letter(
    case: Case,
    events: Sequence[Event],
    evidence: Sequence[Evidence],
    findings: Sequence[Mapping[str, Any]],
    *,
    lang: str = "zh",
    to: str = "platform",
    sender: str | None = None,
    today: date | None = None,
) -> Letter:
    """The letter's content. ``lang`` is ``zh`` or ``en``; ``to`` is ``platform`` or
    ``regulator``; ``sender`` signs instead of the complainant (an advocate, say); ``today``
    dates the letter (default: today, UTC)."""
    if lang not in LANGS:
        raise ConfigError(f"letter language {lang!r}: use one of {', '.join(LANGS)}")
    if to not in RECIPIENTS:
        raise ConfigError(f"letter recipient {to!r}: use one of {', '.join(RECIPIENTS)}")
    t = TEXT[lang]
    day = today or datetime.now(UTC).date()
    violations = _violations(case, events, evidence, findings, lang)
    respond_by = _date(case.deadlines.respond_by)
    fields = {
        "platform": case.platform,
        "account_ref": case.account_ref or t["none"],
        "respond_by": respond_by,
    }
    unanswered = ""
    if (
        case.status in (Status.FILED, Status.ACKNOWLEDGED)
        and day > case.deadlines.respond_by.date()
    ):
        unanswered = t[f"unanswered_{to}"].format(**fields)
    return Letter(
        lang=lang,
        to=to,
        t=t,
        title=t[f"title_{to}"].format(**fields),
        addressee=t[f"to_{to}"].format(**fields),
        date=day.isoformat(),
        signature=(
            t["signature_other"].format(sender=sender)
            if sender
            else t["signature"].format(sender=case.complainant.name or t["withheld"])
        ),
        complainant=_complainant(case, t),
        references=(
            (t["case_id"], case.id),
            (t["filed_at"], _date(case.filed_at)),
            (t["platform"], case.platform),
            (t["account_ref"], case.account_ref or t["withheld"]),
            (t["jurisdiction"], case.jurisdiction),
        ),
        salutation=t[f"salutation_{to}"].format(**fields),
        intro=t[f"intro_{to}"].format(**fields),
        overview=_overview(case, violations, lang),
        complainant_summary=case.summary,
        unanswered=unanswered,
        violations=violations,
        evidence=tuple(
            EvidenceRow(e.name, e.media_type, f"{e.size:,}", e.sha256) for e in evidence
        ),
        event_count=len(events),
        head_hash=events[-1].hash if events else "",
        requests=_requests(case, violations, to, t, fields),
        case_id=case.id,
    )


def render_letter_html(
    case: Case,
    events: Sequence[Event],
    evidence: Sequence[Evidence],
    findings: Sequence[Mapping[str, Any]],
    *,
    lang: str = "zh",
    to: str = "platform",
    sender: str | None = None,
    today: date | None = None,
) -> str:
    """A complete, printable HTML document (inline CSS, no external assets), autoescaped."""
    letter = build_letter(
        case, events, evidence, findings, lang=lang, to=to, sender=sender, today=today
    )
    return _environment().get_template("letter.html.j2").render(letter=letter, t=letter.t)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("dunguard.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# -- content -------------------------------------------------------------------------------


def _complainant(case: Case, t: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    c = case.complainant
    pairs = [
        (t["name"], c.name or t["withheld"]),
        (t["phone"], c.phone),
        (t["email"], c.email),
    ]
    return tuple((label, value) for label, value in pairs if value)


def _overview(case: Case, violations: Sequence[Violation], lang: str) -> str:
    t = TEXT[lang]
    sep = t["list_sep"]
    if not violations:
        names = sep.join(_category_name(c, lang) for c in case.categories)
        return t["count_none"].format(categories=names or t["none"])
    counts = Counter(v.category for v in violations)
    names = sep.join(t["category_count"].format(name=name, count=n) for name, n in counts.items())
    days = [v.when.split(" ")[0] for v in violations if v.when != t["none"]]
    first, last = (days[0], days[-1]) if days else (t["none"], t["none"])
    if len(violations) == 1:
        return t["count_one"].format(first=first, categories=names)
    return t["count"].format(count=len(violations), first=first, last=last, categories=names)


def _requests(
    case: Case,
    violations: Sequence[Violation],
    to: str,
    t: Mapping[str, str],
    fields: Mapping[str, str],
) -> tuple[str, ...]:
    codes = {v.category_code for v in violations} | set(case.categories)
    third_party = any(
        c.startswith("disclosure.") or c in ("contact.third_party", "shaming.public") for c in codes
    )
    if to == "regulator":
        keys = ["req_reg_investigate", "req_reg_stop", "req_reg_answer"]
    else:
        keys = ["req_platform_stop", "req_platform_check"]
        keys += ["req_third_party"] if third_party else []
        keys += ["req_keep", "req_platform_answer"]
    return tuple(t[k].format(**fields) for k in keys)


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a finding came from: its evidence file and when it was recorded in the case."""

    evidence: Evidence | None
    recorded_at: datetime | None


def _violations(
    case: Case,
    events: Sequence[Event],
    evidence: Sequence[Evidence],
    findings: Sequence[Mapping[str, Any]],
    lang: str,
) -> tuple[Violation, ...]:
    t = TEXT[lang]
    sources = _sources(events, evidence)
    messages = _messages(evidence)
    rows: list[tuple[datetime, int, dict[str, Any]]] = []
    for order, snap in enumerate(findings):
        fid = str(snap.get("id", ""))
        source = sources.get(fid, _Source(None, None))
        ev = _mapping(snap.get("evidence"))
        message, msg_file = _message_of(ev, source.evidence, messages)
        file = source.evidence or msg_file
        when, recorded = _when(snap, ev, message, source, case)
        quote = _quote(ev, t)
        context = str(message.get("text", "")) if message else ""
        if context == quote:
            context = ""
        code = str(snap.get("category", ""))
        expl = _mapping(snap.get("explanation"))
        row = {
            "when": _time_text(when) if when else t["none"],
            "recorded_time": recorded,
            "category_code": code,
            "category": _category_name(code, lang),
            "severity": SEVERITY[lang].get(
                str(snap.get("severity", "")), str(snap.get("severity", ""))
            ),
            "quote": _elide(quote, MAX_QUOTE),
            "is_quote": ev.get("kind") != "log",
            "message": _elide(context, MAX_MESSAGE),
            "explanation": _sentence(expl, lang),
            "rule": str(snap.get("rule", "")),
            "citations": _citations(expl),
            "evidence_sha256": file.sha256 if file else "",
            "evidence_name": file.name if file else "",
        }
        key = _utc(when) if when else datetime.max.replace(tzinfo=UTC)
        rows.append((key, order, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    return tuple(Violation(number=i, **row) for i, (_, _, row) in enumerate(rows, 1))


def _sources(events: Sequence[Event], evidence: Sequence[Evidence]) -> dict[str, _Source]:
    """Finding id -> its evidence file (if any) and the time it entered the case."""
    files = {e.sha256: e for e in evidence}
    out: dict[str, _Source] = {}
    for ev in events:
        if ev.kind is EventKind.EVIDENCE_ADDED:
            sha = str(ev.payload.get("sha256", ""))
            file = files.get(sha) or _evidence_of_payload(ev.payload)
            for snap in ev.payload.get("findings", []):
                out.setdefault(str(snap.get("id")), _Source(file, ev.at))
        elif ev.kind is EventKind.FINDING_ATTACHED:
            snap = ev.payload.get("finding", {})
            out.setdefault(str(snap.get("id")), _Source(None, ev.at))
    for e in evidence:  # evidence given without its events
        for snap in e.findings:
            out.setdefault(str(snap.get("id")), _Source(e, None))
    return out


def _evidence_of_payload(payload: Mapping[str, Any]) -> Evidence | None:
    try:
        return Evidence(
            str(payload["sha256"]),
            str(payload.get("name", "")),
            str(payload.get("media_type", "")),
            int(payload.get("size", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _messages(evidence: Sequence[Evidence]) -> dict[str, tuple[Mapping[str, Any], Evidence]]:
    """Message id -> (message snapshot, the evidence file it was read from), first file wins."""
    out: dict[str, tuple[Mapping[str, Any], Evidence]] = {}
    for e in evidence:
        for m in e.messages:
            if m.get("id"):
                out.setdefault(str(m["id"]), (m, e))
    return out


def _message_of(
    ev: Mapping[str, Any],
    file: Evidence | None,
    messages: Mapping[str, tuple[Mapping[str, Any], Evidence]],
) -> tuple[Mapping[str, Any] | None, Evidence | None]:
    msg_id = ev.get("message_id")
    if not msg_id:
        return None, None
    if file is not None:
        for m in file.messages:
            if str(m.get("id")) == str(msg_id):
                return m, file
    found = messages.get(str(msg_id))
    return found if found else (None, None)


def _when(
    snap: Mapping[str, Any],
    ev: Mapping[str, Any],
    message: Mapping[str, Any] | None,
    source: _Source,
    case: Case,
) -> tuple[datetime | None, bool]:
    """The violation's time: the message's, else the evidence's or finding's own, else the
    time it was recorded in the case (flagged)."""
    for holder in (message or {}, ev, snap):
        for key in (*_TIME_KEYS, "window_start"):
            when = _parse_time(holder.get(key))
            if when is not None:
                return when, False
    if source.recorded_at is not None:
        return source.recorded_at, True
    return case.filed_at, True


def _quote(ev: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if ev.get("kind") == "log":
        return t["log_quote"].format(
            start=_any_time_text(ev.get("window_start")),
            end=_any_time_text(ev.get("window_end")),
            events=", ".join(str(i) for i in ev.get("event_ids", [])) or t["none"],
        )
    return str(ev.get("quote", ""))


def _sentence(expl: Mapping[str, Any], lang: str) -> str:
    sentences = expl.get("sentences")
    if isinstance(sentences, Mapping):
        return str(sentences.get(lang) or "")
    return ""


def _citations(expl: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for c in expl.get("citations") or []:
        if not isinstance(c, Mapping):
            continue
        text = f"{c.get('instrument', '')} {c.get('article', '')}".strip()
        ref = c.get("ref")
        out.append(f"{text} [{ref}]" if ref else text)
    return tuple(x for x in out if x)


def _category_name(code: str, lang: str) -> str:
    try:
        return TAXONOMY[Category(code)].name(lang)
    except ValueError:
        return code


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _time_text(when: datetime) -> str:
    text = when.strftime("%Y-%m-%d %H:%M")
    offset = when.utcoffset()
    if offset is None:
        return text
    if offset == timedelta(0):
        return f"{text} UTC"
    return f"{text} UTC{when.strftime('%z')[:3]}:{when.strftime('%z')[3:]}"


def _any_time_text(value: Any) -> str:
    when = _parse_time(value)
    return _time_text(when) if when else str(value or "")


def _date(when: datetime) -> str:
    return when.date().isoformat()


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
