"""Policy packs: each contact-log policy as data (kind, parameters, citation, confidence note),
validated on load. The packs shipped are ``cn`` and ``us`` (``policy/packs/*.yaml``); a user can
copy one, change a parameter (for example where the catalogue marks a number uncertain) and pass
the file path instead of the name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dunguard.errors import RulePackError
from dunguard.findings import Citation
from dunguard.policy.loader import check_zone
from dunguard.policy.schema import CHANNELS, KINDS, OUTCOMES, ROLES
from dunguard.taxonomy import Category, Severity

__all__ = ["BUILTIN_PACKS", "POLICY_KINDS", "Pack", "PolicySpec", "load_pack"]

BUILTIN_PACKS = ("cn", "us")
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])$")
_ID_RE = re.compile(r"^[a-z]{2}\.contact\.[a-z0-9_]+\.v[0-9]+$")
_SENTENCE_FIELDS = {
    "time": "2024-01-01 23:10:00 +08:00",
    "measured": 4,
    "limit": 3,
    "trigger_time": "2024-01-01 09:00:00 +08:00",
    "channel": "call",
}
_MATCH_COLUMNS = ("person_id", "account_id", "channel")


def _is_time(v: Any) -> bool:
    return isinstance(v, str) and bool(_TIME_RE.match(v))


def _is_pos_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _subset(allowed: tuple[str, ...], nullable: bool = False) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if v is None:
            return nullable
        return isinstance(v, list) and bool(v) and all(x in allowed for x in v)

    return check


_V: dict[str, tuple[Callable[[Any], bool], str]] = {
    "time": (_is_time, "a time HH:MM:SS"),
    "int": (_is_pos_int, "a positive integer"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "roles": (_subset(ROLES), f"a list of roles from {', '.join(ROLES)}"),
    "channels": (_subset(CHANNELS, nullable=True), f"a list from {', '.join(CHANNELS)} or null"),
    "channel": (lambda v: v in CHANNELS, f"one of {', '.join(CHANNELS)}"),
    "outcomes": (_subset(OUTCOMES, nullable=True), f"a list from {', '.join(OUTCOMES)} or null"),
    "request": (
        lambda v: v in KINDS and v != "contact",
        "one of cease, opt_out, represented, refusal",
    ),
    "match": (_subset(_MATCH_COLUMNS), f"a list from {', '.join(_MATCH_COLUMNS)}"),
    "roles_or_null": (
        _subset(ROLES, nullable=True),
        f"a list of roles from {', '.join(ROLES)} or null (every role)",
    ),
}

#: Each policy kind and its parameters (name -> validator key). One query per kind lives in
#: ``policy/queries.py``; the gate's reading of the same kind lives in ``policy/gate.py``.
POLICY_KINDS: dict[str, dict[str, str]] = {
    "quiet_hours": {
        "start": "time",
        "start_inclusive": "bool",
        "end": "time",
        "exempt_channels": "channels",
    },
    "daily_cap": {"roles": "roles", "channel": "channel", "outcomes": "outcomes", "limit": "int"},
    "rolling_calls": {
        "roles": "roles",
        "exclude_outcomes": "outcomes",
        "window_days": "int",
        "limit": "int",
    },
    "after_conversation": {"days": "int"},
    "after_request": {
        "request": "request",
        "match": "match",
        "target_roles": "roles_or_null",
        "exempt_channels": "channels",
    },
    "third_party_reachable": {
        "target_roles": "roles",
        "debtor_roles": "roles",
        "outcomes": "outcomes",
        "lookback_days": "int",
    },
    "third_party_once": {"target_roles": "roles"},
}


@dataclass(frozen=True, slots=True)
class PolicySpec:
    id: str
    kind: str
    category: Category
    severity: Severity
    score: float
    params: Mapping[str, Any]
    citations: tuple[Citation, ...]
    confidence: str
    note: str
    sentences: tuple[tuple[str, str], ...]

    def num(self, name: str) -> int:
        return int(self.params[name])

    def strs(self, name: str) -> tuple[str, ...]:
        value = self.params.get(name)
        return tuple(value) if value else ()

    def flag(self, name: str) -> bool:
        return bool(self.params[name])

    def time_us(self, name: str) -> int:
        h, m, s = (int(x) for x in str(self.params[name]).split(":"))
        return ((h * 60 + m) * 60 + s) * 1_000_000

    def sentence(self, lang: str, **fields: Any) -> str:
        want = "zh" if lang.startswith("zh") else "en"
        for code, template in self.sentences:
            if code == want:
                return template.format(**fields)
        return self.sentences[0][1].format(**fields)


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    version: int
    jurisdiction: str
    default_tz: str
    policies: tuple[PolicySpec, ...]
    source: str

    def policy(self, policy_id: str) -> PolicySpec:
        for p in self.policies:
            if p.id == policy_id:
                return p
        raise KeyError(policy_id)


def load_pack(name_or_path: str | Path) -> Pack:
    """Load a built-in pack by name (``cn``, ``us``) or a pack file by path, validated."""
    text_name = str(name_or_path)
    if text_name in BUILTIN_PACKS:
        ref = resources.files("dunguard.policy") / "packs" / f"{text_name}.yaml"
        source = f"policy/packs/{text_name}.yaml"
        try:
            text = ref.read_text(encoding="utf-8")
        except OSError as exc:
            raise RulePackError(source, f"built-in pack missing: {exc}") from None
    else:
        path = Path(name_or_path)
        source = str(path)
        if not path.is_file():
            raise RulePackError(
                source, f"no such pack; use one of {', '.join(BUILTIN_PACKS)} or a YAML file path"
            )
        text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulePackError(source, f"invalid YAML: {exc}") from None
    return _parse_pack(data, source)


def _parse_pack(data: Any, source: str) -> Pack:
    if not isinstance(data, dict):
        raise RulePackError(source, "expected a mapping with pack, version, default_tz, policies")
    for key in ("pack", "version", "jurisdiction", "default_tz", "policies"):
        if key not in data:
            raise RulePackError(source, f"missing top-level key {key!r}")
    try:
        default_tz = check_zone(str(data["default_tz"]), "default_tz")
    except Exception as exc:
        raise RulePackError(source, str(exc), "default_tz") from None
    if not isinstance(data["policies"], list) or not data["policies"]:
        raise RulePackError(source, "policies must be a non-empty list")
    policies = tuple(
        _parse_policy(entry, source, i) for i, entry in enumerate(data["policies"], start=1)
    )
    ids = [p.id for p in policies]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RulePackError(source, f"duplicate policy id(s): {', '.join(dupes)}")
    if not _is_pos_int(data["version"]):
        raise RulePackError(source, "version must be a positive integer", "version")
    return Pack(
        name=str(data["pack"]),
        version=int(data["version"]),
        jurisdiction=str(data["jurisdiction"]),
        default_tz=default_tz,
        policies=policies,
        source=source,
    )


def _parse_policy(entry: Any, source: str, index: int) -> PolicySpec:
    where = f"policies[{index}]"
    if not isinstance(entry, dict):
        raise RulePackError(source, "expected a mapping", where)
    pid = entry.get("id")
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        raise RulePackError(source, f"id {pid!r} must look like 'cn.contact.quiet_hours.v1'", where)
    where = pid
    known = {
        "id",
        "kind",
        "category",
        "severity",
        "score",
        "params",
        "citations",
        "confidence",
        "note",
        "sentence",
    }
    unknown = sorted(set(entry) - known)
    if unknown:
        raise RulePackError(source, f"unknown key(s) {', '.join(unknown)}", where)
    kind = entry.get("kind")
    if kind not in POLICY_KINDS:
        raise RulePackError(
            source, f"unknown kind {kind!r}; valid: {', '.join(POLICY_KINDS)}", where
        )
    try:
        cat = Category(str(entry.get("category")))
    except ValueError:
        raise RulePackError(source, f"unknown category {entry.get('category')!r}", where) from None
    if cat.is_text:
        raise RulePackError(source, f"category {cat.value} is not a contact.* category", where)
    try:
        severity = Severity(entry.get("severity", "medium"))
    except ValueError:
        raise RulePackError(source, f"unknown severity {entry.get('severity')!r}", where) from None
    score = entry.get("score", 1.0)
    if not isinstance(score, int | float) or not 0.0 <= float(score) <= 1.0:
        raise RulePackError(source, "score must be a number in 0..1", where)
    params = entry.get("params")
    if not isinstance(params, dict):
        raise RulePackError(source, "params must be a mapping", where)
    schema = POLICY_KINDS[str(kind)]
    for name, vkey in schema.items():
        if name not in params:
            raise RulePackError(source, f"missing parameter {name!r} for kind {kind}", where)
        check, expected = _V[vkey]
        if not check(params[name]):
            raise RulePackError(
                source, f"parameter {name!r} is {params[name]!r}; expected {expected}", where
            )
    extra = sorted(set(params) - set(schema))
    if extra:
        raise RulePackError(
            source, f"unknown parameter(s) {', '.join(extra)} for kind {kind}", where
        )
    citations = _parse_citations(entry.get("citations"), source, where)
    confidence = str(entry.get("confidence", ""))
    if confidence[:1] not in ("A", "B", "C"):
        raise RulePackError(source, "confidence must start with A, B or C", where)
    sentence = entry.get("sentence")
    if not isinstance(sentence, dict) or not {"zh", "en"} <= set(sentence):
        raise RulePackError(source, "sentence must give zh and en templates", where)
    for lang in ("zh", "en"):
        try:
            str(sentence[lang]).format(**_SENTENCE_FIELDS)
        except (KeyError, IndexError, ValueError) as exc:
            raise RulePackError(
                source,
                f"sentence.{lang} uses an unknown field {exc}; fields: "
                f"{', '.join(_SENTENCE_FIELDS)}",
                where,
            ) from None
    return PolicySpec(
        id=pid,
        kind=str(kind),
        category=cat,
        severity=severity,
        score=float(score),
        params=dict(params),
        citations=citations,
        confidence=confidence,
        note=str(entry.get("note", "")),
        sentences=(("en", str(sentence["en"])), ("zh", str(sentence["zh"]))),
    )


def _parse_citations(raw: Any, source: str, where: str) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        raise RulePackError(source, "citations must be a non-empty list", where)
    out = []
    for c in raw:
        if not isinstance(c, dict) or "instrument" not in c:
            raise RulePackError(source, "each citation needs at least an instrument", where)
        unknown = set(c) - {"instrument", "article", "jurisdiction", "ref", "confidence"}
        if unknown:
            raise RulePackError(
                source, f"unknown citation key(s) {', '.join(sorted(unknown))}", where
            )
        out.append(Citation(**{k: str(v) for k, v in c.items()}))
    return tuple(out)
