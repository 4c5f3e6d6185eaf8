"""Rule packs: YAML files of versioned rules, validated on load.

A pack is a mapping::

    pack: zh                      # namespace; every rule id starts with it
    lang: zh                      # zh or en: the texts the rules apply to
    version: "2026.11.1"
    negators: [不会, 不用]          # words that cancel an anchor right after them
    citations:                    # named citations the rules refer to
      cn.crim.293-1: {instrument: 刑法, article: 第二百九十三条之一, jurisdiction: CN,
                      ref: CN-CRIM-293-1, confidence: A}
    rules:
      - id: zh.threat.false_legal.jail.v1
        category: threat.false_legal
        name: {zh: 以坐牢相威胁, en: threat of jail}
        explain: {zh: ..., en: ...}   # one sentence each; "{quote}" is replaced by the quote
        cite: [cn.crim.293-1]
        score: 0.8                    # prior score, 0..1
        any: [坐牢, 判刑]              # anchor terms; at least one must occur
        all: [[不还, 不还款]]           # each group: one term within `within` chars of the anchor
        none: [不会]                    # a term within `none_within` (default: `within`) chars
        within: 20                    #   of the anchor cancels it
        none_within: 6
        patterns: ['再不还.{0,12}就']   # regexes on the normalised text (simplified, lower case);
                                      # a match must contain an anchor (the prefilter)
        unless: [依法通过诉讼]           # a term anywhere in the message cancels the rule
        context:                      # words that raise or lower the score
          - {words: [马上, 立刻], delta: 0.1, reason: 紧迫措辞}
        match: [...]                  # examples the rule must flag
        no_match: [...]               # examples it must not flag

Terms are folded like the text (traditional -> simplified, full-width -> half-width, lower
case) so a pack may be written in either script. An English term ending in ``*`` matches as a
prefix (``arrest*`` matches "arrested"); other English terms match whole words.

A pack is of one of two kinds (top-level ``kind``):

``message`` (the default)
    rules for what a collector sends (SMS, chat, call transcripts); text categories only.
``narrative``
    rules for what a borrower *reports* in a complaint ("他们一天给我打几十个电话", "they
    called my boss"). Besides the text categories they may give the ``contact.*`` codes that a
    narrative describes. Only a narrative detector (``Detector(narrative=True)``, used by the
    complaint categoriser) loads them; a message detector refuses them, so a contact code never
    appears among a message's findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dunguard.detect.normalize import fold
from dunguard.errors import RulePackError
from dunguard.findings import Citation
from dunguard.taxonomy import TAXONOMY, Category, Severity, category

RULE_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+\.v[0-9]+$")
BUILTIN_PACKS = ("zh", "en")
"""The message packs every detector loads."""
NARRATIVE_PACKS = ("narrative-zh", "narrative-en")
"""The narrative packs a narrative detector loads besides the message packs."""
KINDS = ("message", "narrative")
_PACK_KEYS = {"pack", "lang", "kind", "version", "description", "negators", "citations", "rules"}
_RULE_KEYS = {
    "id",
    "category",
    "name",
    "explain",
    "cite",
    "score",
    "severity",
    "any",
    "all",
    "none",
    "within",
    "none_within",
    "patterns",
    "unless",
    "context",
    "match",
    "no_match",
    "negatable",
    "note",
}
_CITATION_KEYS = {"instrument", "article", "jurisdiction", "ref", "confidence"}
_CONTEXT_KEYS = {"words", "delta", "reason", "within"}


@dataclass(frozen=True, slots=True)
class ContextRule:
    words: tuple[str, ...]
    delta: float
    reason: str
    within: int | None = None
    """Characters from the match; None: anywhere in the message."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pack: str
    lang: str
    category: Category
    severity: Severity
    score: float
    name: Mapping[str, str]
    explain: Mapping[str, str]
    citations: tuple[Citation, ...]
    any_terms: tuple[str, ...]
    all_groups: tuple[tuple[str, ...], ...] = ()
    none_terms: tuple[str, ...] = ()
    within: int = 20
    none_within: int | None = None
    """Window of the ``none`` terms; None: the same as ``within``."""
    patterns: tuple[re.Pattern[str], ...] = ()
    unless: tuple[str, ...] = ()
    context: tuple[ContextRule, ...] = ()
    negatable: bool = True
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    source: str = ""
    note: str = ""

    def title(self, lang: str) -> str:
        return self.name.get("zh" if lang.startswith("zh") else "en") or next(
            iter(self.name.values()), self.id
        )

    def sentence(self, lang: str, quote: str) -> str:
        key = "zh" if lang.startswith("zh") else "en"
        template = self.explain.get(key) or next(iter(self.explain.values()), "")
        return template.replace("{quote}", quote)

    def terms(self) -> Iterable[str]:
        yield from self.any_terms
        for group in self.all_groups:
            yield from group
        yield from self.none_terms
        yield from self.unless
        for ctx in self.context:
            yield from ctx.words


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    lang: str
    version: str
    source: str
    rules: tuple[Rule, ...]
    negators: tuple[str, ...] = field(default=())
    description: str = ""
    kind: str = "message"


class _Reader:
    """Validation helpers that name the file and the entry at fault."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str, entry: str | None = None) -> RulePackError:
        return RulePackError(self.source, problem, entry)

    def strings(
        self, value: Any, what: str, entry: str, *, allow_empty: bool = True
    ) -> tuple[str, ...]:
        if value is None:
            value = []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(f"'{what}' must be a list of strings", entry)
        out: list[str] = []
        for item in value:
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"'{what}' has an empty or non-string item: {item!r}", entry)
            out.append(item)
        if not out and not allow_empty:
            raise self.fail(f"'{what}' must not be empty", entry)
        return tuple(out)

    def lang_map(self, value: Any, what: str, entry: str) -> dict[str, str]:
        if isinstance(value, str):
            return {"zh": value, "en": value}
        if not isinstance(value, dict) or not value:
            raise self.fail(f"'{what}' must be a mapping like {{zh: ..., en: ...}}", entry)
        out: dict[str, str] = {}
        for k, v in value.items():
            if k not in ("zh", "en") or not isinstance(v, str) or not v.strip():
                raise self.fail(f"'{what}' needs non-empty zh/en strings, got {k!r}", entry)
            out[k] = v
        return out

    def number(self, value: Any, what: str, entry: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"'{what}' must be a number, got {value!r}", entry)
        if not lo <= float(value) <= hi:
            raise self.fail(f"'{what}' must lie in {lo}..{hi}, got {value}", entry)
        return float(value)


def _fold_terms(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(t.strip()) for t in terms))


def _citations(reader: _Reader, data: Any) -> dict[str, Citation]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise reader.fail("'citations' must be a mapping of name -> {instrument, article, ...}")
    out: dict[str, Citation] = {}
    for key, value in data.items():
        entry = f"citations.{key}"
        if not isinstance(value, dict) or "instrument" not in value:
            raise reader.fail("a citation needs at least 'instrument'", entry)
        unknown = set(value) - _CITATION_KEYS
        if unknown:
            raise reader.fail(
                f"unknown keys {sorted(unknown)}; allowed: {sorted(_CITATION_KEYS)}", entry
            )
        if value.get("confidence", "") not in ("", "A", "B", "C"):
            raise reader.fail("'confidence' must be A, B or C (see reference/rules.md)", entry)
        out[str(key)] = Citation(**{k: str(v) for k, v in value.items()})
    return out


def _context(reader: _Reader, data: Any, entry: str) -> tuple[ContextRule, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise reader.fail("'context' must be a list of {words, delta, reason}", entry)
    out = []
    for item in data:
        if not isinstance(item, dict) or "words" not in item or "delta" not in item:
            raise reader.fail("each context entry needs 'words' and 'delta'", entry)
        unknown = set(item) - _CONTEXT_KEYS
        if unknown:
            raise reader.fail(f"unknown context keys {sorted(unknown)}", entry)
        within = item.get("within")
        if within is not None:
            within = int(reader.number(within, "context.within", entry, 0, 10_000))
        out.append(
            ContextRule(
                words=_fold_terms(
                    reader.strings(item["words"], "context.words", entry, allow_empty=False)
                ),
                delta=reader.number(item["delta"], "context.delta", entry, -1.0, 1.0),
                reason=str(item.get("reason") or "context"),
                within=within,
            )
        )
    return tuple(out)


def _rule(
    reader: _Reader,
    data: Any,
    pack: str,
    lang: str,
    cites: Mapping[str, Citation],
    index: int,
    kind: str = "message",
) -> Rule:
    if not isinstance(data, dict):
        raise reader.fail("each rule must be a mapping", f"rules[{index}]")
    rid = data.get("id")
    entry = str(rid) if rid else f"rules[{index}]"
    if not isinstance(rid, str) or not RULE_ID_RE.match(rid):
        raise reader.fail(
            "rule 'id' must look like '<pack>.<category>.<name>.v<N>' (lower case)", entry
        )
    if not rid.startswith(pack + "."):
        raise reader.fail(f"rule id must start with the pack name '{pack}.'", entry)
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise reader.fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(_RULE_KEYS)}", entry)
    cat = category(str(data.get("category")), reader.source, entry)
    if not cat.is_text and kind != "narrative":
        raise reader.fail(
            f"category {cat.value!r} is a contact-log category, not a text one (only a pack "
            "with 'kind: narrative' may report what a complaint describes with it)",
            entry,
        )
    severity = TAXONOMY[cat].severity
    if "severity" in data:
        try:
            severity = Severity(data["severity"])
        except ValueError:
            raise reader.fail(
                f"unknown severity {data['severity']!r}; valid: {[s.value for s in Severity]}",
                entry,
            ) from None
    cite_names = reader.strings(data.get("cite"), "cite", entry, allow_empty=False)
    missing = [c for c in cite_names if c not in cites]
    if missing:
        raise reader.fail(f"unknown citations {missing}; define them under 'citations'", entry)
    any_terms = _fold_terms(reader.strings(data.get("any"), "any", entry, allow_empty=False))
    groups_raw = data.get("all") or []
    if not isinstance(groups_raw, list):
        raise reader.fail("'all' must be a list of term lists", entry)
    all_groups = tuple(
        _fold_terms(reader.strings(g, "all[]", entry, allow_empty=False)) for g in groups_raw
    )
    patterns: list[re.Pattern[str]] = []
    for raw in reader.strings(data.get("patterns"), "patterns", entry):
        try:
            patterns.append(re.compile(raw))
        except re.error as exc:
            raise reader.fail(f"pattern {raw!r} does not compile: {exc}", entry) from None
    within = data.get("within", 20)
    return Rule(
        id=rid,
        pack=pack,
        lang=lang,
        category=cat,
        severity=severity,
        score=reader.number(data.get("score"), "score", entry, 0.0, 1.0),
        name=reader.lang_map(data.get("name"), "name", entry),
        explain=reader.lang_map(data.get("explain"), "explain", entry),
        citations=tuple(cites[c] for c in cite_names),
        any_terms=any_terms,
        all_groups=all_groups,
        none_terms=_fold_terms(reader.strings(data.get("none"), "none", entry)),
        within=int(reader.number(within, "within", entry, 0, 10_000)),
        none_within=(
            None
            if data.get("none_within") is None
            else int(reader.number(data["none_within"], "none_within", entry, 0, 10_000))
        ),
        patterns=tuple(patterns),
        unless=_fold_terms(reader.strings(data.get("unless"), "unless", entry)),
        context=_context(reader, data.get("context"), entry),
        negatable=bool(data.get("negatable", True)),
        match=reader.strings(data.get("match"), "match", entry),
        no_match=reader.strings(data.get("no_match"), "no_match", entry),
        source=reader.source,
        note=str(data.get("note") or ""),
    )


def parse_pack(data: Any, source: str) -> Pack:
    """Validate a pack document; raise :class:`RulePackError` naming the entry at fault."""
    reader = _Reader(source)
    if not isinstance(data, dict):
        raise reader.fail("a rule pack must be a YAML mapping with 'pack', 'lang' and 'rules'")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise reader.fail(
            f"unknown top-level keys {sorted(unknown)}; allowed: {sorted(_PACK_KEYS)}"
        )
    name = data.get("pack")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        raise reader.fail("'pack' must be a lower-case name such as 'zh' or 'mycompany'")
    lang = data.get("lang")
    if lang not in ("zh", "en"):
        raise reader.fail(f"'lang' must be 'zh' or 'en', got {lang!r}")
    kind = data.get("kind", "message")
    if kind not in KINDS:
        raise reader.fail(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    cites = _citations(reader, data.get("citations"))
    rules_raw = data.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise reader.fail("'rules' must be a non-empty list")
    rules = [_rule(reader, r, name, lang, cites, i, kind) for i, r in enumerate(rules_raw)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise reader.fail("duplicate rule id", rule.id)
        seen.add(rule.id)
    return Pack(
        name=name,
        lang=lang,
        version=str(data.get("version", "")),
        source=source,
        rules=tuple(rules),
        negators=_fold_terms(reader.strings(data.get("negators"), "negators", "negators")),
        description=str(data.get("description") or ""),
        kind=kind,
    )


def load_pack_file(path: str | Path) -> Pack:
    p = Path(path)
    source = str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise RulePackError(source, "no such file") from None
    except OSError as exc:
        raise RulePackError(source, f"cannot read: {exc.strerror}") from None
    return _parse_bytes(raw, source)


def _parse_bytes(raw: bytes, source: str) -> Pack:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulePackError(
            source, f"not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start})"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise RulePackError(
            source, f"{where}invalid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    return parse_pack(data, source)


@cache
def builtin_pack(name: str) -> Pack:
    if name not in BUILTIN_PACKS + NARRATIVE_PACKS:
        raise RulePackError(
            name,
            f"no built-in pack {name!r}; built-in packs: "
            f"{', '.join(BUILTIN_PACKS + NARRATIVE_PACKS)}",
        )
    res = resources.files("dunguard.detect").joinpath(f"rules/{name}.yaml")
    return _parse_bytes(res.read_bytes(), f"dunguard/detect/rules/{name}.yaml")


def load_packs(
    extra: Iterable[str | Path] = (), builtin: bool = True, narrative: bool = False
) -> tuple[Pack, ...]:
    """The built-in packs (unless ``builtin`` is false) plus user packs; ids must be unique.

    ``narrative``: also the built-in narrative packs, and user packs may be of either kind;
    otherwise a narrative pack is refused."""
    names = BUILTIN_PACKS + (NARRATIVE_PACKS if narrative else ())
    packs = [builtin_pack(n) for n in names] if builtin else []
    for path in extra:
        pack = load_pack_file(path)
        if pack.kind == "narrative" and not narrative:
            raise RulePackError(
                pack.source,
                "is a narrative pack (kind: narrative): it describes complaints, not messages; "
                "use it with 'dunguard categorise --rules'",
            )
        packs.append(pack)
    owner: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owner:
                raise RulePackError(
                    pack.source, f"rule id already defined in {owner[rule.id]}", rule.id
                )
            owner[rule.id] = pack.source
    return tuple(packs)
