"""Text -> sparse TF-IDF features over character (and word) n-grams, in numpy alone.

Training and inference share this code, so a model sees at run time exactly the features it
was trained on. Texts are expected in the detector's normal form (``dunguard.detect.normalize``:
simplified Chinese, half-width, lower case); :func:`prepare` produces it.

Character n-grams are looked up without building them as strings: the code points of a whole
batch go into one array, each n-gram becomes a 64-bit polynomial key computed with a few vector
operations, and the keys are looked up in a hash table of the vocabulary's keys
(:class:`KeyTable`). The vocabulary
itself is kept as strings (``vocab.json``), so a model stays readable; its keys are computed
when it is loaded.

Optionally (``FeatureSpec.segment``) a text is also cut into dictionary words (forward maximum
matching, see :class:`Segmenter`), and every character no word covers (spaces aside) is a token
of its own. The dictionary (``lexicon``) ships with the model, so segmentation needs no other
package.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from dunguard.detect.normalize import builtin_substitutions, normalize

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff]")
_SPACE_RE = re.compile(r"[\s\x00]+")
_PRIME = np.uint64(0x100000001B3)
_PRIME_INV = np.uint64(pow(0x100000001B3, -1, 2**64))  # the prime is odd: invertible mod 2**64

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
KeyArray = npt.NDArray[np.uint64]


def prepare(texts: Iterable[str]) -> list[str]:
    """The detector's normal form of each text (what the recognizer receives)."""
    subs = builtin_substitutions()
    return [normalize(t, subs).text for t in texts]


def clean(text: str) -> str:
    """Whitespace runs (and NUL, the batch separator) become one space."""
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which n-grams a model uses. ``word`` n-grams use a tiny tokenizer: runs of latin letters
    and digits, and single CJK characters."""

    char: tuple[int, int] | None = (1, 4)
    word: tuple[int, int] | None = None
    sublinear_tf: bool = True
    segment: float | None = None
    """Weight of the dictionary-segmentation tokens (None: not used): their idf is multiplied
    by it when the vectorizer is fitted, so inference needs no weight."""

    def __post_init__(self) -> None:
        if self.char is None and self.word is None and self.segment is None:
            raise ValueError("a feature spec needs char or word n-grams or segmentation")
        if self.segment is not None and not (0.0 < self.segment <= 100.0):
            raise ValueError(f"segment weight must lie in (0, 100]: {self.segment}")
        for name, rng in (("char", self.char), ("word", self.word)):
            if rng is not None and not (1 <= rng[0] <= rng[1] <= 6):
                raise ValueError(f"{name} n-gram range must satisfy 1 <= lo <= hi <= 6: {rng}")

    def to_json(self) -> dict[str, Any]:
        return {
            "char": list(self.char) if self.char else None,
            "word": list(self.word) if self.word else None,
            "sublinear_tf": self.sublinear_tf,
            **({"segment": self.segment} if self.segment is not None else {}),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> FeatureSpec:
        char, word = doc.get("char"), doc.get("word")
        return cls(
            char=(int(char[0]), int(char[1])) if char else None,
            word=(int(word[0]), int(word[1])) if word else None,
            sublinear_tf=bool(doc.get("sublinear_tf", True)),
            segment=float(doc["segment"]) if doc.get("segment") is not None else None,
        )

    def char_grams(self, text: str) -> list[str]:
        """The character n-grams of one cleaned text, with repetitions (for reference and
        tests; the vectorizer computes keys instead)."""
        out: list[str] = []
        if self.char is not None:
            for n in range(self.char[0], self.char[1] + 1):
                out.extend(text[i : i + n] for i in range(len(text) - n + 1))
        return out

    def word_grams(self, text: str) -> list[str]:
        out: list[str] = []
        if self.word is not None:
            words = _WORD_RE.findall(text)
            for n in range(self.word[0], self.word[1] + 1):
                out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return out


class _Batch(NamedTuple):
    codes: KeyArray
    """Code points of the texts joined by NUL."""
    rows: IntArray
    """The text each code point belongs to."""
    zeros: IntArray
    """Running count of separators (cumulative, with a leading 0)."""
    joined: str


def _batch(texts: Sequence[str]) -> _Batch:
    joined = "\x00".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(joined)]
    zeros = np.concatenate(([0], np.cumsum(codes == 0)))
    return _Batch(codes, rows, zeros, joined)


def _keys(b: _Batch, n: int) -> tuple[KeyArray, npt.NDArray[np.bool_]]:
    """The key of every n-gram starting at each position, and whether it lies inside a text."""
    m = b.codes.shape[0] - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    h = np.full(m, n, dtype=np.uint64)
    for j in range(n):
        h = h * _PRIME + b.codes[j : j + m]  # wraps modulo 2**64, deliberately
    valid = (b.zeros[n : n + m] - b.zeros[:m]) == 0
    return h, valid


def _powers(base: np.uint64, n: int) -> KeyArray:
    """``base**0 .. base**n`` modulo 2**64."""
    out = np.full(n + 1, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)  # wraps modulo 2**64, deliberately


def _word_keys(b: _Batch, lo: int, hi: int) -> tuple[KeyArray, IntArray]:
    """The key (as :func:`gram_keys` gives for ``"w1 w2 ..."``) and the row of every word
    n-gram, ``lo <= n <= hi``, for texts without an apostrophe: there the words of
    ``FeatureSpec.word_grams`` are exactly the single CJK characters and the maximal runs of
    ``[a-z0-9]``. All vector operations: the hash of any slice of the batch comes from prefix
    hashes, ``P**k * cumsum(c_i * P**-(i+1))``."""
    c = b.codes
    cjk = (c >= 0x3400) & (c <= 0x9FFF)
    lat = ((c >= 97) & (c <= 122)) | ((c >= 48) & (c <= 57))
    edge = np.diff(np.concatenate(([0], lat.view(np.int8), [0])))
    starts = np.concatenate((np.flatnonzero(cjk), np.flatnonzero(edge == 1)))
    ends = np.concatenate((np.flatnonzero(cjk) + 1, np.flatnonzero(edge == -1)))
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    if starts.shape[0] == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    n_codes = c.shape[0]
    pw = _powers(_PRIME, n_codes + hi + 1)  # a gram's string: its words and hi - 1 spaces
    ipw = _powers(_PRIME_INV, n_codes)
    q = np.concatenate(([np.uint64(0)], np.cumsum(c * ipw[1:], dtype=np.uint64)))
    prefix = pw[: n_codes + 1] * q  # prefix[k]: raw hash of codes[:k]
    lengths = (ends - starts).astype(np.int64)
    raw = prefix[ends] - prefix[starts] * pw[lengths]  # raw hash of each word
    rows = b.rows[starts]
    space = np.uint64(ord(" "))
    keys: list[KeyArray] = []
    out_rows: list[IntArray] = []
    acc_raw, acc_len = raw, lengths
    for n in range(1, hi + 1):
        m = starts.shape[0] - n + 1
        if m <= 0:
            break
        if n > 1:
            nxt = n - 1
            acc_raw = (
                acc_raw[:m] * pw[1 + lengths[nxt : nxt + m]]
                + space * pw[lengths[nxt : nxt + m]]
                + raw[nxt : nxt + m]
            )
            acc_len = acc_len[:m] + 1 + lengths[nxt : nxt + m]
        if n >= lo:
            same = rows[:m] == rows[n - 1 : n - 1 + m]
            keys.append((acc_len.astype(np.uint64) * pw[acc_len] + acc_raw)[same])
            out_rows.append(rows[:m][same])
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(out_rows)


_MIX = np.uint64(0x9E3779B97F4A7C15)


class KeyTable:
    """Exact lookup of 64-bit keys in numpy arrays: a hash table with linear probing (at most
    a quarter full), so a batch of keys is looked up with a few gathers instead of a binary
    search each."""

    def __init__(self, keys: KeyArray) -> None:
        self.keys = keys
        n = int(keys.shape[0])
        bits = max(4, (4 * n).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = np.int64((1 << bits) - 1)
        table = np.full(1 << bits, -1, dtype=np.int64)
        home = self._home(keys)
        pending = np.arange(n, dtype=np.int64)
        probe = 0
        while pending.shape[0]:
            slot = (home[pending] + probe) & self._mask
            free = np.flatnonzero(table[slot] < 0)
            _, first = np.unique(slot[free], return_index=True)
            won = free[first]
            table[slot[won]] = pending[won]
            placed = np.zeros(pending.shape[0], dtype=bool)
            placed[won] = True
            pending = pending[~placed]
            probe += 1
        self._table = table
        self._probes = probe

    def _home(self, keys: KeyArray) -> IntArray:
        return ((keys * _MIX) >> self._shift).astype(np.int64)  # wraps modulo 2**64

    def find(self, keys: KeyArray) -> IntArray:
        """The index of each key in the table's keys, or -1."""
        out = np.full(keys.shape[0], -1, dtype=np.int64)
        if not self.keys.shape[0]:
            return out
        todo = np.arange(keys.shape[0], dtype=np.int64)
        home = self._home(keys)
        for probe in range(self._probes):
            cand = self._table[(home[todo] + probe) & self._mask]
            occupied = cand >= 0
            hit = occupied & (self.keys[cand] == keys[todo])
            out[todo[hit]] = cand[hit]
            todo = todo[occupied & ~hit]  # an empty slot ends the probe sequence
            if not todo.shape[0]:
                break
        return out


def lexicon_words(words: Iterable[str]) -> list[str]:
    """The words a :class:`Segmenter` can hold: two or more characters, no whitespace or NUL;
    duplicates dropped, first occurrence kept."""
    return list(dict.fromkeys(w for w in words if len(w) >= 2 and not _SPACE_RE.search(w)))


class Segmenter:
    """Cuts texts into dictionary words by forward maximum matching (from the start of a text,
    take the longest lexicon word that starts there, else one character, and go on after it);
    the characters no word covers, spaces aside, are single-character tokens.

    All vector operations over a whole batch: the keys of the n-grams that start each position
    (as for the character n-grams) are looked up in a :class:`KeyTable` of the lexicon, which
    gives the longest word at each position, hence the position the cut jumps to next; the
    positions the cut visits are found by pointer doubling (log2 of the longest text steps)."""

    def __init__(self, lexicon: Sequence[str]) -> None:
        self.lexicon = list(lexicon)
        if lexicon_words(self.lexicon) != self.lexicon:
            raise ValueError(
                "lexicon words must be unique, of two or more characters, without whitespace"
            )
        keys = gram_keys(self.lexicon)
        if np.unique(keys).shape[0] != keys.shape[0]:
            raise ValueError("lexicon holds words with the same key")
        self._words = KeyTable(keys)
        self._prefixes = KeyTable(np.unique(gram_keys(sorted({w[:2] for w in self.lexicon}))))
        self.longest = max(map(len, self.lexicon), default=0)
        n = np.arange(self.longest + 1, dtype=np.uint64)
        self._seed = n * _powers(_PRIME, self.longest)  # n * P**n: gram_keys starts from n

    def _at(self, b: _Batch) -> tuple[IntArray, IntArray]:
        """The length (0: none) and lexicon index of the longest word starting at each code."""
        c = b.codes
        n_codes = c.shape[0]
        length = np.zeros(n_codes, dtype=np.int64)
        index = np.full(n_codes, -1, dtype=np.int64)
        if self.longest < 2 or n_codes < 2:
            return length, index
        h2, valid = _keys(b, 2)
        pos = np.flatnonzero(valid)
        pos = pos[self._prefixes.find(h2[pos]) >= 0]  # only where some word begins so
        raw = c[pos] * _PRIME + c[pos + 1]  # wraps modulo 2**64, deliberately
        for n in range(2, self.longest + 1):
            if n > 2:
                ok = pos + n - 1 < n_codes
                pos, raw = pos[ok], raw[ok]
                nxt = c[pos + n - 1]
                ok = nxt != 0
                pos, raw = pos[ok], raw[ok] * _PRIME + nxt[ok]
            found = self._words.find(raw + self._seed[n])  # the n-gram's key, as gram_keys
            hit = found >= 0
            length[pos[hit]] = n
            index[pos[hit]] = found[hit]
        return length, index

    def cut(self, b: _Batch) -> tuple[IntArray, IntArray, IntArray]:
        """The start and lexicon index of each word the cut takes, and the positions of the
        single characters it leaves (spaces and separators aside)."""
        c = b.codes
        n_codes = c.shape[0]
        length, index = self._at(b)
        jump = np.minimum(np.arange(n_codes + 1) + np.maximum(np.append(length, 1), 1), n_codes)
        seps = np.flatnonzero(c == 0)
        visited = np.zeros(n_codes + 1, dtype=bool)
        visited[0] = True
        visited[seps + 1] = True  # every text starts a cut
        longest_text = int(np.diff(np.concatenate(([-1], seps, [n_codes]))).max())
        steps = 1
        while steps < longest_text:  # visited: reached in fewer than 2 * steps jumps
            visited[jump[visited]] = True
            jump = jump[jump]
            steps *= 2
        visited = visited[:n_codes]
        starts = np.flatnonzero(visited & (length > 0))
        singles = np.flatnonzero(visited & (length == 0) & (c != 0) & (c != 32))
        return starts, index[starts], singles

    def found_in(self, texts: Sequence[str], min_df: int) -> list[str]:
        """Lexicon words occurring anywhere (overlaps included) in at least ``min_df`` of the
        cleaned ``texts``, sorted."""
        k = len(self.lexicon)
        if not k or not texts:
            return []
        b = _batch(texts)
        seen: list[IntArray] = []
        for n in range(2, self.longest + 1):
            keys, valid = _keys(b, n)
            pos = np.flatnonzero(valid)
            found = self._words.find(keys[pos])
            hit = found >= 0
            seen.append(np.unique(b.rows[pos[hit]] * k + found[hit]))
        counts = np.bincount(np.concatenate(seen) % k, minlength=k)
        return sorted(self.lexicon[i] for i in np.flatnonzero(counts >= min_df).tolist())

    def tokens(self, texts: Sequence[str]) -> tuple[IntArray, list[str]]:
        """Every token of the cleaned ``texts``: its row and its string (the words first, then
        the single characters; not in text order)."""
        b = _batch(texts)
        starts, idx, singles = self.cut(b)
        rows = np.concatenate((b.rows[starts], b.rows[singles]))
        words = [self.lexicon[i] for i in idx.tolist()] + [b.joined[p] for p in singles.tolist()]
        return rows, words


def gram_keys(grams: Sequence[str]) -> KeyArray:
    """The key of each n-gram string (the same as the batch computation gives)."""
    out = np.zeros(len(grams), dtype=np.uint64)
    by_len: dict[int, list[int]] = {}
    for i, g in enumerate(grams):
        by_len.setdefault(len(g), []).append(i)
    for n, idx in by_len.items():
        codes = np.frombuffer(
            "".join(grams[i] for i in idx).encode("utf-32-le"), dtype=np.uint32
        ).astype(np.uint64)
        cols = codes.reshape(len(idx), n)
        h = np.full(len(idx), n, dtype=np.uint64)
        for j in range(n):
            h = h * _PRIME + cols[:, j]
        out[np.asarray(idx, dtype=np.int64)] = h
    return out


class Csr(NamedTuple):
    """A sparse row matrix as three arrays (the CSR layout)."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    n_cols: int

    @property
    def n_rows(self) -> int:
        return int(self.indptr.shape[0]) - 1

    def dot(self, weights: FloatArray) -> FloatArray:
        """``self @ weights.T`` for ``weights`` of shape (k, n_cols)."""
        rows = np.repeat(np.arange(self.n_rows), np.diff(self.indptr))
        out = np.empty((self.n_rows, weights.shape[0]), dtype=np.float32)
        for k in range(weights.shape[0]):
            out[:, k] = np.bincount(
                rows, weights=self.data * weights[k, self.indices], minlength=self.n_rows
            )
        return out


class Vectorizer:
    """A fixed vocabulary of character and word n-grams (and segmentation tokens) with inverse
    document frequencies. Feature order: the character n-grams, the word n-grams, then the
    segmentation tokens (``segs``: lexicon words and single characters)."""

    def __init__(
        self,
        spec: FeatureSpec,
        chars: Sequence[str],
        words: Sequence[str],
        idf: FloatArray,
        segs: Sequence[str] = (),
        lexicon: Sequence[str] = (),
    ) -> None:
        n_terms = len(chars) + len(words) + len(segs)
        if n_terms != idf.shape[0]:
            raise ValueError(f"vocabulary has {n_terms} terms but idf has {idf.shape[0]}")
        if (
            (chars and spec.char is None)
            or (words and spec.word is None)
            or ((segs or lexicon) and spec.segment is None)
        ):
            raise ValueError("vocabulary holds n-grams of a kind the feature spec does not use")
        self.spec = spec
        self.chars = list(chars)
        self.words = list(words)
        keys = gram_keys(self.chars)
        if np.unique(keys).shape[0] != keys.shape[0]:
            raise ValueError("character vocabulary holds duplicate n-grams")
        self._ctable = KeyTable(keys)  # index = column
        self.word_index: dict[str, int] = {g: len(chars) + i for i, g in enumerate(self.words)}
        if len(self.word_index) != len(self.words):
            raise ValueError("word vocabulary holds duplicate n-grams")
        wkeys = gram_keys(self.words)
        if np.unique(wkeys).shape[0] != wkeys.shape[0]:
            raise ValueError("word vocabulary holds n-grams with the same key")
        self._wtable = KeyTable(wkeys)  # index + len(chars) = column
        self.segs = list(segs)
        self.segmenter = Segmenter(lexicon)
        base = len(self.chars) + len(self.words)
        lex_pos = {w: i for i, w in enumerate(self.segmenter.lexicon)}
        self._lex_col = np.full(len(lex_pos), -1, dtype=np.int64)
        single: dict[int, int] = {}
        for i, g in enumerate(self.segs):
            if len(g) == 1 and not _SPACE_RE.match(g) and ord(g) not in single:
                single[ord(g)] = base + i
            elif g in lex_pos and self._lex_col[lex_pos[g]] < 0:
                self._lex_col[lex_pos[g]] = base + i
            else:
                raise ValueError(
                    f"segmentation token {g!r} is a duplicate, or neither one character nor a "
                    "lexicon word"
                )
        ordered = sorted(single)
        self._single_keys = np.asarray(ordered, dtype=np.uint64)
        self._single_cols = np.asarray([single[k] for k in ordered], dtype=np.int64)
        self.idf = idf.astype(np.float32, copy=False)

    @property
    def n_features(self) -> int:
        return len(self.chars) + len(self.words) + len(self.segs)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        spec: FeatureSpec,
        min_df: int = 2,
        max_features: int = 0,
        dictionary: Iterable[str] | None = None,
    ) -> Vectorizer:
        """Learn the vocabulary (n-grams in at least ``min_df`` texts; the ``max_features``
        most frequent if given, ties broken by the n-gram) and smoothed idf from ``texts``.

        With ``spec.segment``, ``dictionary`` (required then) gives the words to segment with;
        the model keeps those found in at least ``min_df`` texts as its lexicon, and the
        segmentation tokens in at least ``min_df`` texts as features, their idf multiplied by
        the weight ``spec.segment``."""
        cleaned = [clean(t) for t in texts]
        df: dict[str, int] = {}
        if spec.char is not None:
            b = _batch(cleaned)
            for n in range(spec.char[0], spec.char[1] + 1):
                keys, valid = _keys(b, n)
                pos = np.flatnonzero(valid)
                k, r = keys[pos], b.rows[pos]
                order = np.lexsort((r, k))
                k, r, pos = k[order], r[order], pos[order]
                first = np.ones(k.shape[0], dtype=bool)
                first[1:] = (k[1:] != k[:-1]) | (r[1:] != r[:-1])
                k, pos = k[first], pos[first]  # one entry per (n-gram, text)
                _, start, counts = np.unique(k, return_index=True, return_counts=True)
                keep = counts >= min_df
                for p, c in zip(pos[start[keep]].tolist(), counts[keep].tolist(), strict=True):
                    df[b.joined[p : p + n]] = c
        wdf: dict[str, int] = {}
        if spec.word is not None:
            for t in cleaned:
                for g in set(spec.word_grams(t)):
                    wdf[g] = wdf.get(g, 0) + 1
        sdf: dict[str, int] = {}
        lexicon: list[str] = []
        if spec.segment is not None:
            if dictionary is None:
                raise ValueError("a feature spec with segmentation needs a dictionary to fit")
            lexicon = Segmenter(lexicon_words(dictionary)).found_in(cleaned, min_df)
            rows, tokens = Segmenter(lexicon).tokens(cleaned)
            for _, g in set(zip(rows.tolist(), tokens, strict=True)):
                sdf[g] = sdf.get(g, 0) + 1
        ranked = sorted(
            [(c, 0, g) for g, c in df.items()]
            + [(c, 1, g) for g, c in wdf.items() if c >= min_df]
            + [(c, 2, g) for g, c in sdf.items() if c >= min_df],
            key=lambda x: (-x[0], x[1], x[2]),
        )
        if max_features:
            ranked = ranked[:max_features]
        chars = sorted(g for _, kind, g in ranked if kind == 0)
        words = sorted(g for _, kind, g in ranked if kind == 1)
        segs = sorted(g for _, kind, g in ranked if kind == 2)
        counts_of = {
            **{("c", g): c for g, c in df.items()},
            **{("w", g): c for g, c in wdf.items()},
            **{("s", g): c for g, c in sdf.items()},
        }
        n = len(texts)
        weight = spec.segment or 1.0
        idf = np.array(
            [math.log((1 + n) / (1 + counts_of[("c", g)])) + 1.0 for g in chars]
            + [math.log((1 + n) / (1 + counts_of[("w", g)])) + 1.0 for g in words]
            + [(math.log((1 + n) / (1 + counts_of[("s", g)])) + 1.0) * weight for g in segs],
            dtype=np.float32,
        )
        return cls(spec, chars, words, idf, segs, lexicon)

    def _pairs(self, texts: Sequence[str]) -> tuple[IntArray, IntArray]:
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        spec = self.spec
        b = _batch(texts)
        if spec.char is not None and self.chars:
            keys_n: list[KeyArray] = []
            rows_n: list[IntArray] = []
            for n in range(spec.char[0], spec.char[1] + 1):
                keys, valid = _keys(b, n)
                keys_n.append(keys[valid])
                rows_n.append(b.rows[: keys.shape[0]][valid])
            keys = np.concatenate(keys_n)  # one lookup for every n: fewer calls per batch
            cfound = self._ctable.find(keys)
            hit = cfound >= 0
            rows.append(np.concatenate(rows_n)[hit])
            cols.append(cfound[hit])
        if spec.word is not None and self.words:
            # Vectorised for texts without an apostrophe ("don't" is one word of the
            # tokenizer); the few others go through the tokenizer itself.
            slow = [r for r, t in enumerate(texts) if "'" in t] if "'" in b.joined else []
            keys, krows = _word_keys(b, spec.word[0], spec.word[1])
            if slow:
                keep = ~np.isin(krows, np.asarray(slow, dtype=np.int64))
                keys, krows = keys[keep], krows[keep]
            wfound = self._wtable.find(keys)
            hit = wfound >= 0
            rows.append(krows[hit])
            cols.append(wfound[hit] + len(self.chars))
            get = self.word_index.get
            wr: list[int] = []
            wc: list[int] = []
            for r in slow:
                found = [i for i in map(get, spec.word_grams(texts[r])) if i is not None]
                wc.extend(found)
                wr.extend([r] * len(found))
            rows.append(np.asarray(wr, dtype=np.int64))
            cols.append(np.asarray(wc, dtype=np.int64))
        if spec.segment is not None and self.segs:
            starts, idx, pos = self.segmenter.cut(b)
            col = self._lex_col[idx]
            keep = col >= 0
            rows.append(b.rows[starts[keep]])
            cols.append(col[keep])
            if self._single_keys.shape[0]:
                keys = b.codes[pos]
                at = np.minimum(
                    np.searchsorted(self._single_keys, keys), self._single_keys.shape[0] - 1
                )
                hit = self._single_keys[at] == keys
                rows.append(b.rows[pos[hit]])
                cols.append(self._single_cols[at[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(cols)

    def transform(self, texts: Sequence[str]) -> Csr:
        """L2-normalised TF-IDF rows of prepared texts; unknown n-grams are dropped."""
        cleaned = [clean(t) for t in texts]
        n_rows, n_cols = len(cleaned), max(self.n_features, 1)
        row_of, col_of = self._pairs(cleaned)
        uniq, counts = np.unique(row_of * n_cols + col_of, return_counts=True)
        rows = uniq // n_cols
        cols = uniq - rows * n_cols
        tf = counts.astype(np.float32)
        if self.spec.sublinear_tf:
            tf = 1.0 + np.log(tf)
        data = tf * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return Csr(indptr, cols.astype(np.int64), data, self.n_features)
