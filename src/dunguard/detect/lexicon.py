"""The multi-pattern engine: one Aho-Corasick automaton over every term of every loaded pack.

One scan finds every occurrence of every term (anchors, context words, negators, negative
contexts) at once; rules are then evaluated only for the anchors that hit. ``scan_many`` does
this for a whole batch of texts joined by a separator, in a single pass: for short messages the
per-call overhead would otherwise dominate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

Hits = dict[str, list[tuple[int, int]]]
"""term -> list of (start, end) in the scanned text, in order of their end."""

_Single = tuple[str, bool, bool, bool]
_Entry = tuple[int, str | None, tuple[tuple[str, bool, bool], ...], bool, _Single | None]
"""(pattern length, the term when no boundary check is needed, (term, left, right)s, marker,
(term, left, right, prefix) when the pattern serves one term)."""


class Lexicon:
    """Terms matched in one pass. English-like terms match whole words; ``term*`` is a prefix
    that covers the rest of its word. ``markers`` are further patterns whose mere presence in a
    text is reported (no boundary check), for example the variants the normaliser replaces."""

    def __init__(self, terms: Iterable[str], markers: Iterable[str] = ()) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        # One pattern may serve several terms ("arrest" and "arrest*").
        by_pattern: dict[str, list[tuple[str, bool, bool]]] = {}
        for term in dict.fromkeys(terms):
            prefix = term.endswith("*") and len(term) > 1
            pattern = term[:-1] if prefix else term
            if not pattern:
                continue
            left = pattern[0] in _ASCII_ALNUM
            right = (pattern[-1] in _ASCII_ALNUM) and not prefix
            by_pattern.setdefault(pattern, []).append((term, left, right))
        marker_set = {m for m in markers if m}
        for pattern in marker_set:
            by_pattern.setdefault(pattern, [])
        for pattern, variants in by_pattern.items():
            # Fast path: one term, no word boundaries to check (the CJK case).
            simple = None
            if len(variants) == 1 and not (variants[0][1] or variants[0][2]):
                simple = None if variants[0][0].endswith("*") else variants[0][0]
            single = None
            if simple is None and len(variants) == 1:
                term, left, right = variants[0]
                single = (term, left, right, term.endswith("*"))
            entry: _Entry = (len(pattern), simple, tuple(variants), pattern in marker_set, single)
            self._automaton.add_word(pattern, entry)
        self.size = len(by_pattern)
        self.terms = frozenset(t for vs in by_pattern.values() for t, _, _ in vs)
        if self.size:
            self._automaton.make_automaton()

    @staticmethod
    def _add(
        hits: Hits, text: str, n: int, start: int, end: int, entry: _Entry, base: int = 0
    ) -> None:
        _, simple, variants, _, _ = entry
        if simple is not None:
            span = (start - base, end - base)
            if simple in hits:
                hits[simple].append(span)
            else:
                hits[simple] = [span]
            return
        for term, left, right in variants:
            if left and start > 0 and text[start - 1] in _ASCII_ALNUM:
                continue
            stop = end
            if right:
                if end < n and text[end] in _ASCII_ALNUM:
                    continue
            elif term.endswith("*"):
                while stop < n and text[stop] in _ASCII_ALNUM:  # a prefix covers its word
                    stop += 1
            hits.setdefault(term, []).append((start - base, stop - base))

    def scan(self, text: str) -> Hits:
        """Every occurrence of every term in ``text``."""
        hits: Hits = {}
        if not self.size:
            return hits
        n = len(text)
        add = self._add
        alnum = _ASCII_ALNUM
        for end_idx, entry in self._automaton.iter(text):
            simple = entry[1]
            start = end_idx - entry[0] + 1
            if simple is not None:  # inlined fast paths of _add
                span = (start, end_idx + 1)
                if simple in hits:
                    hits[simple].append(span)
                else:
                    hits[simple] = [span]
                continue
            single = entry[4]
            if single is not None:
                term, left, right, prefix = single
                if left and start > 0 and text[start - 1] in alnum:
                    continue
                stop = end_idx + 1
                if right:
                    if stop < n and text[stop] in alnum:
                        continue
                elif prefix:
                    while stop < n and text[stop] in alnum:
                        stop += 1
                if term in hits:
                    hits[term].append((start, stop))
                else:
                    hits[term] = [(start, stop)]
            elif entry[2]:
                add(hits, text, n, start, end_idx + 1, entry)
        return hits

    def scan_many(self, joined: str, starts: Sequence[int]) -> tuple[dict[int, Hits], set[int]]:
        """``scan`` of each text in ``joined`` (texts joined by a separator that is part of no
        pattern, text ``i`` starting at ``starts[i]``) in one pass: the hits of each text that
        has any, with offsets local to it, and the indexes of the texts holding a marker."""
        per_doc: dict[int, Hits] = {}
        marked: set[int] = set()
        if not self.size or not starts:
            return per_doc, marked
        n = len(joined)
        add = self._add
        doc = 0
        last = len(starts) - 1
        next_start = starts[1] if last else n + 1
        for end_idx, entry in self._automaton.iter(joined):
            while end_idx >= next_start:
                doc += 1
                next_start = starts[doc + 1] if doc < last else n + 1
            if entry[3]:
                marked.add(doc)
            if entry[2]:
                hits = per_doc.get(doc)
                if hits is None:
                    hits = per_doc[doc] = {}
                simple = entry[1]
                if simple is not None:  # inlined fast path of _add
                    base = starts[doc]
                    span = (end_idx - entry[0] + 1 - base, end_idx + 1 - base)
                    if simple in hits:
                        hits[simple].append(span)
                    else:
                        hits[simple] = [span]
                    continue
                add(hits, joined, n, end_idx - entry[0] + 1, end_idx + 1, entry, starts[doc])
        return per_doc, marked

    def count(self, text: str) -> int:
        """Raw number of pattern occurrences (the bare-scan baseline of the benchmark)."""
        if not self.size:
            return 0
        return sum(1 for _ in self._automaton.iter(text))
