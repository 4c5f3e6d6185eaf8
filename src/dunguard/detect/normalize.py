"""Normalisation that keeps offsets.

Collectors dodge keyword filters: traditional characters, full-width letters, characters
inserted between the characters of a word (坐 牢, 坐.牢, 坐_牢), zero-width characters and emoji,
homophones and pinyin or letter abbreviations (zuo牢, nmsl, sb). ``normalize`` undoes these and
returns a :class:`NormalizedText` whose every character maps back to a range of the original
text, so a span found in the normalised text always quotes the exact original characters.

Three steps, each cheap:

1. a one-to-one character table (traditional -> simplified via OpenCC, full-width ->
   half-width, upper -> lower case): lengths do not change;
2. deletion of zero-width characters anywhere, and of filler runs (spaces, dots, dashes,
   underscores, emoji, ...) that sit next to a CJK character, and of separators inside spelled-out
   English words (f.u.c.k);
3. substitution of variants (homophones, pinyin, abbreviations) by their canonical form, from
   ``rules/variants.yaml``, with one multi-pattern scan.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import ahocorasick
import yaml

from dunguard.errors import RulePackError

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZERO_WIDTH = "\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e"
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe00-\ufe0f\U000e0000-\U000e007f\u20e3"
# Characters inserted between the characters of a word to dodge filters. Sentence punctuation
# (，。！？；：、 and their ASCII forms , ! ? ; :) is kept: it separates clauses.
_FILLER = r"\s._\-*·•~`'\"|/\\+=^#@&%$<>\u3000" + _EMOJI
# What to delete: zero-width characters anywhere; filler runs next to a CJK character; extra
# spaces; the separators of spelled-out words (f u c k, s.h.i.t: four or more single letters
# joined by separators). Cheap guards decide which of these searches a text needs at all.
_CJK_DELETE_RE = re.compile(
    f"[{_ZERO_WIDTH}]+"
    f"|(?<=[{_CJK}])[{_FILLER}{_ZERO_WIDTH}]+(?=[{_CJK}a-z0-9])"
    f"|(?<=[a-z0-9])[{_FILLER}{_ZERO_WIDTH}]+(?=[{_CJK}])"
    r"|(?<=[ \t])[ \t]+"
)
_SUSPECT_RE = re.compile(f"[{_FILLER}{_ZERO_WIDTH}]")
_ZW_RE = re.compile(f"[{_ZERO_WIDTH}]+")
_EXTRA_SPACE_RE = re.compile(r"(?<=[ \t])[ \t]+")
_SPELLED_RE = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*]+){3,}[a-z](?![a-z0-9])")
_SPELLED_SEP_RE = re.compile(r"[ .\-_*]+")
# Every spelled-out word holds "separator, letter, separator(s), letter, separator": a cheap
# guard before the costlier search above.
_SPELLED_GUARD_RE = re.compile(r"[ .\-_*][a-z][ .\-_*]+[a-z][ .\-_*]")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
CJK_RE = re.compile(f"[{_CJK}]")
_WORD_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def char_table() -> dict[int, str | int]:
    """The one-to-one character table (built once, in a few milliseconds)."""
    import opencc

    # Identity entries for the whole BMP: str.translate is twice as fast when lookups hit.
    table: dict[int, str | int] = {code: code for code in range(0x10000)}
    converter = opencc.OpenCC("t2s")
    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]
    chars = [chr(c) for lo, hi in ranges for c in range(lo, hi)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if src != dst and len(dst) == 1:
                table[ord(src)] = dst
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = chr(code - 0xFEE0).lower()
    table[0x3000] = " "
    for quote, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        table[ord(quote)] = plain
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    # Other letters whose lower case is one character (Latin-1, Greek, Cyrillic, ...).
    for code in range(0xC0, 0x530):
        ch = chr(code)
        low = ch.lower()
        if low != ch and len(low) == 1:
            table[code] = low
    # Compatibility forms that keep length one (circled letters, mathematical letters ...).
    for code in list(range(0x2460, 0x24EA)) + list(range(0x1D400, 0x1D7FF)):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch).lower()
        if len(folded) == 1 and folded != ch:
            table[code] = folded
    return table


def fold(text: str) -> str:
    """Step 1 alone: the one-to-one character mapping (used for pack terms too)."""
    return text.translate(char_table())


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised text and the map from its characters back to the original."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    """For each character of ``text``, the first original index it came from (None: identity)."""
    ends: tuple[int, ...] | None = None
    """For each character of ``text``, one past the last original index it came from."""
    has_cjk: bool = False
    """Whether ``text`` holds a CJK character."""

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` to the original text."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}..{end} outside the normalised text")
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        s, e = self.to_original(start, end)
        return self.original[s:e]


class Substitutions:
    """Variant -> canonical replacements, found with one Aho-Corasick scan."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        self.size = 0
        keys: list[str] = []
        for variant, canonical in mapping.items():
            key = fold(variant)
            if not key or key == canonical:
                continue
            keys.append(key)
            left = key[0] in _ASCII_ALNUM
            right = key[-1] in _ASCII_ALNUM
            self._automaton.add_word(key, (len(key), canonical, left, right))
            self.size += 1
        self.keys: tuple[str, ...] = tuple(keys)
        self._ascii_keys = frozenset(k for k in keys if k.isascii())
        """The (folded) variants this table replaces."""
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: str, has_cjk: bool = True) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping matches that respect ASCII word boundaries.

        In a text without CJK characters, pure-ASCII variants (sb, tmd, jc) are taken for
        pinyin abbreviations only when every word of the text is one ("nmsl", "cnm sb"):
        "California SB 1286" or "Tmd Recovery" are English."""
        found = self._find(text)
        if found and not has_cjk:
            return self.only_chinese_abbreviations(text, found)
        return found

    def only_chinese_abbreviations(
        self, text: str, found: list[tuple[int, int, str]]
    ) -> list[tuple[int, int, str]]:
        """``found`` for a text without CJK characters (see ``find``)."""
        words = _WORD_RE.findall(text)
        if words and all(w in self._ascii_keys for w in words):
            return found
        return [m for m in found if not text[m[0] : m[1]].isascii()]

    def _find(self, text: str) -> list[tuple[int, int, str]]:
        if not self.size:
            return []
        found: list[tuple[int, int, str]] = []
        n = len(text)
        for end_idx, (length, canonical, left, right) in self._automaton.iter(text):
            start = end_idx - length + 1
            end = end_idx + 1
            if left and start > 0 and text[start - 1] in _ASCII_ALNUM:
                continue
            if right and end < n and text[end] in _ASCII_ALNUM:
                continue
            found.append((start, end, canonical))
        if len(found) > 1:
            found.sort(key=lambda m: (m[0], m[0] - m[1]))
            chosen: list[tuple[int, int, str]] = []
            last_end = -1
            for m in found:
                if m[0] >= last_end:
                    chosen.append(m)
                    last_end = m[1]
            return chosen
        return found


def load_variants(data: Any, source: str) -> dict[str, str]:
    """Validate a variants document: ``{version: 1, variants: {canonical: [variant, ...]}}``."""
    if not isinstance(data, dict) or not isinstance(data.get("variants"), dict):
        raise RulePackError(source, "expected a mapping with a 'variants' mapping")
    mapping: dict[str, str] = {}
    for canonical, variants in data["variants"].items():
        if not isinstance(canonical, str) or not canonical:
            raise RulePackError(source, "variant keys must be non-empty strings", str(canonical))
        if not isinstance(variants, list) or not all(isinstance(v, str) and v for v in variants):
            raise RulePackError(source, "expected a list of non-empty strings", canonical)
        canon = fold(canonical)
        for variant in variants:
            key = fold(variant)
            if key in mapping and mapping[key] != canon:
                raise RulePackError(
                    source,
                    f"variant {variant!r} maps to both {mapping[key]!r} and {canon!r}",
                    canonical,
                )
            mapping[key] = canon
    return mapping


@lru_cache(maxsize=1)
def builtin_substitutions() -> Substitutions:
    source = "dunguard/detect/rules/variants.yaml"
    text = resources.files("dunguard.detect").joinpath("rules/variants.yaml").read_text("utf-8")
    return Substitutions(load_variants(yaml.safe_load(text), source))


def _deletions(text: str, has_cjk: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if has_cjk:
        if _SUSPECT_RE.search(text) is None:
            return spans
        spans.extend(m.span() for m in _CJK_DELETE_RE.finditer(text))
    else:
        if "  " in text or "\t" in text:
            spans.extend(m.span() for m in _EXTRA_SPACE_RE.finditer(text))
        if not text.isascii() and _ZW_RE.search(text) is not None:
            spans.extend(m.span() for m in _ZW_RE.finditer(text))
    if _SPELLED_GUARD_RE.search(text) is not None:
        for m in _SPELLED_RE.finditer(text):
            base = m.start()
            spans.extend((base + s.start(), base + s.end()) for s in _SPELLED_SEP_RE.finditer(m[0]))
    if len(spans) > 1:
        spans.sort()
        merged = [spans[0]]
        for s, e in spans[1:]:
            ls, le = merged[-1]
            if s <= le:
                merged[-1] = (ls, max(le, e))
            else:
                merged.append((s, e))
        return merged
    return spans


def _delete(folded: str, has_cjk: bool) -> tuple[str, list[int] | None]:
    """Step 2: the text without deleted characters, and each kept character's index."""
    cuts = _deletions(folded, has_cjk)
    if not cuts:
        return folded, None
    pieces: list[str] = []
    idx: list[int] = []
    pos = 0
    for s, e in cuts:
        pieces.append(folded[pos:s])
        idx.extend(range(pos, s))
        pos = e
    pieces.append(folded[pos:])
    idx.extend(range(pos, len(folded)))
    return "".join(pieces), idx


def _substitute(
    text: str,
    folded: str,
    idx: list[int] | None,
    has_cjk: bool,
    subs: list[tuple[int, int, str]],
) -> NormalizedText:
    """Step 3: apply the variant matches ``subs`` (offsets into ``folded``) and build the map."""
    if not subs:
        if idx is None:
            return NormalizedText(text, folded, has_cjk=has_cjk)
        return NormalizedText(text, folded, tuple(idx), tuple(i + 1 for i in idx), has_cjk)
    base = idx if idx is not None else range(len(folded))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for s, e, canonical in subs:
        out.append(folded[pos:s])
        starts.extend(base[i] for i in range(pos, s))
        ends.extend(base[i] + 1 for i in range(pos, s))
        out.append(canonical)
        o_start, o_end = base[s], base[e - 1] + 1
        starts.extend([o_start] * len(canonical))
        ends.extend([o_end] * len(canonical))
        pos = e
    out.append(folded[pos:])
    starts.extend(base[i] for i in range(pos, len(folded)))
    ends.extend(base[i] + 1 for i in range(pos, len(folded)))
    result = "".join(out)
    has_cjk = has_cjk or CJK_RE.search(result) is not None
    return NormalizedText(text, result, tuple(starts), tuple(ends), has_cjk)


class Prepared(NamedTuple):
    """A text after steps 1 and 2 (folded, fillers deleted), before variant substitution."""

    text: str
    kept: str
    idx: list[int] | None
    has_cjk: bool

    def finish(self, subs: list[tuple[int, int, str]]) -> NormalizedText:
        """Step 3 with the variant matches ``subs`` found in ``kept``."""
        return _substitute(self.text, self.kept, self.idx, self.has_cjk, subs)


def prepare(text: str) -> Prepared:
    folded = text.translate(char_table())
    has_cjk = not folded.isascii() and CJK_RE.search(folded) is not None
    kept, idx = _delete(folded, has_cjk)
    return Prepared(text, kept, idx, has_cjk)


def normalize(text: str, substitutions: Substitutions | None = None) -> NormalizedText:
    """Normalise ``text`` and keep the map back to it (see the module docstring)."""
    prep = prepare(text)
    subs = substitutions or builtin_substitutions()
    return prep.finish(subs.find(prep.kept, prep.has_cjk))


SEPARATOR = "\x00"
"""Joins texts for batch scans. No pattern matches across it: it is neither a filler, a
letter, a digit nor part of any variant or term."""


def offsets(parts: Sequence[str]) -> list[int]:
    """Start offset of each part in ``SEPARATOR.join(parts)``."""
    out = []
    pos = 0
    for part in parts:
        out.append(pos)
        pos += len(part) + 1
    return out


def prepare_many(texts: Sequence[str]) -> list[Prepared]:
    """``prepare`` over many texts with one translation call for all of them."""
    if len(texts) < 2 or any(SEPARATOR in t for t in texts):
        return [prepare(t) for t in texts]
    folded = SEPARATOR.join(texts).translate(char_table()).split(SEPARATOR)
    out: list[Prepared] = []
    search = CJK_RE.search
    for text, f in zip(texts, folded, strict=True):
        has_cjk = not f.isascii() and search(f) is not None
        kept, idx = _delete(f, has_cjk)
        out.append(Prepared(text, kept, idx, has_cjk))
    return out


def normalize_many(
    texts: Iterable[str], substitutions: Substitutions | None = None
) -> list[NormalizedText]:
    """``normalize`` over many texts, with one translation and one variant scan for all of
    them (the per-call overhead dominates for short messages). Same results as ``normalize``."""
    prepared = prepare_many(list(texts))
    subs = substitutions or builtin_substitutions()
    kept = [p.kept for p in prepared]
    starts = offsets(kept)
    per_text: list[list[tuple[int, int, str]]] = [[] for _ in prepared]
    for s, e, canonical in subs.find(SEPARATOR.join(kept)):
        i = bisect_right(starts, s) - 1
        base = starts[i]
        per_text[i].append((s - base, e - base, canonical))
    return [
        p.finish(
            per_text[i]
            if p.has_cjk or not per_text[i]
            else subs.only_chinese_abbreviations(p.kept, per_text[i])
        )
        for i, p in enumerate(prepared)
    ]
