"""The multi-pattern engine: one Aho-Corasick automaton over every term of every loaded pack.

One scan of a normalised text finds every occurrence of every term (anchors, context words,
negators, negative contexts) at once; rules are then evaluated only for the anchors that hit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ahocorasick

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

Hits = dict[str, list[tuple[int, int]]]
"""term -> sorted list of (start, end) in the normalised text."""


class Lexicon:
    """Terms matched in one pass. English-like terms match whole words; ``term*`` is a prefix."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        # One pattern may serve several terms ("arrest" and "arrest*").
        by_pattern: dict[str, list[tuple[str, bool, bool]]] = {}
        for term in dict.fromkeys(terms):
            prefix = term.endswith("*") and len(term) > 1
            pattern = term[:-1] if prefix else term
            left = pattern[0] in _ASCII_ALNUM
            right = (pattern[-1] in _ASCII_ALNUM) and not prefix
            by_pattern.setdefault(pattern, []).append((term, left, right))
        for pattern, variants in by_pattern.items():
            self._automaton.add_word(pattern, (len(pattern), tuple(variants)))
        self.size = len(by_pattern)
        if self.size:
            self._automaton.make_automaton()

    def scan(self, text: str) -> Hits:
        hits: Hits = {}
        if not self.size:
            return hits
        n = len(text)
        for end_idx, (length, variants) in self._automaton.iter(text):
            start = end_idx - length + 1
            end = end_idx + 1
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
                hits.setdefault(term, []).append((start, stop))
        return hits

    def count(self, text: str) -> int:
        """Raw number of pattern occurrences (the bare-scan baseline of the benchmark)."""
        if not self.size:
            return 0
        return sum(1 for _ in self._automaton.iter(text))
