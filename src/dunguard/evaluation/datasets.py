"""Labelled data sets for training and evaluation: COLD, Davidson, the CFPB narratives and any
JSON lines file with ``text`` and ``labels``.

Every loader returns a :class:`Dataset`: texts, the original class of each (``raw``) and the
taxonomy codes each text carries (``labels``; empty for a text with no violation). The shared
data live in ``../shared/data`` beside the repository (see its README for licences); pass
``data_dir`` or set ``DUNGUARD_DATA`` to read them from elsewhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dunguard.errors import ConfigError, InputError
from dunguard.taxonomy import Category

INSULT = Category.ABUSE_INSULT.value
NONE = "none"

#: CFPB sub-issue -> the code a categoriser should give the narrative (../shared/data/README.md,
#: "Sub-issues that map to the taxonomy"); any other sub-issue is an ordinary dispute.
CFPB_MAP: dict[str, str] = {
    "Frequent or repeated calls": Category.CONTACT_FREQUENCY.value,
    "You told them to stop contacting you, but they keep trying": (
        Category.CONTACT_AFTER_CEASE.value
    ),
    "Called after sent written cease of comm": Category.CONTACT_AFTER_CEASE.value,
    "Contacted me after I asked not to": Category.CONTACT_AFTER_CEASE.value,
    "Called before 8am or after 9pm": Category.CONTACT_QUIET_HOURS.value,
    "Threatened to arrest you or take you to jail if you do not pay": (
        Category.THREAT_FALSE_LEGAL.value
    ),
    "Indicated you were committing crime by not paying debt": Category.THREAT_FALSE_LEGAL.value,
    "Threatened to sue you for very old debt": Category.THREAT_FALSE_LEGAL.value,
    "Threatened to sue on too old debt": Category.THREAT_FALSE_LEGAL.value,
    "Used obscene, profane, or other abusive language": INSULT,
    "Used obscene/profane/abusive language": INSULT,
    "Contacted your employer": Category.DISCLOSURE_THIRD_PARTY.value,
    "Talked to a third-party about your debt": Category.DISCLOSURE_THIRD_PARTY.value,
}

DAVIDSON_CLASSES = ("hate", "offensive", "neither")
COLD_CLASSES = ("safe", "offensive")
DATASETS = ("cold", "davidson", "cfpb")


@dataclass(frozen=True)
class Dataset:
    name: str
    lang: str
    texts: list[str]
    raw: list[str]
    """The data set's own class of each text (COLD: safe/offensive, Davidson: hate/...)."""
    labels: list[frozenset[str]]
    """Taxonomy codes of each text; empty when it shows no violation."""

    def __post_init__(self) -> None:
        if not len(self.texts) == len(self.raw) == len(self.labels):
            raise ValueError("texts, raw and labels must have the same length")

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int], name: str | None = None) -> Dataset:
        return Dataset(
            name or self.name,
            self.lang,
            [self.texts[i] for i in indices],
            [self.raw[i] for i in indices],
            [self.labels[i] for i in indices],
        )


def default_data_dir() -> Path:
    """``$DUNGUARD_DATA``, else ``shared/data`` beside the repository checkout."""
    env = os.environ.get("DUNGUARD_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "data"


def _dir(data_dir: str | Path | None) -> Path:
    d = Path(data_dir) if data_dir is not None else default_data_dir()
    if not d.is_dir():
        raise ConfigError(
            f"data directory {d} not found: pass --data-dir or set DUNGUARD_DATA to the folder "
            "holding cold/, davidson/ and cfpb/"
        )
    return d


def _open(path: Path, newline: str | None = "") -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline=newline) as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror})") from None


def cold(split: str, data_dir: str | Path | None = None) -> Dataset:
    """COLD ``train``, ``dev`` or ``test`` (the whole dev file is dev, whatever its split
    column says)."""
    if split not in ("train", "dev", "test"):
        raise ConfigError(f"COLD split must be train, dev or test, got {split!r}")
    path = _dir(data_dir) / "cold" / f"{split}.csv"
    texts: list[str] = []
    raw: list[str] = []
    for line, row in enumerate(_open(path), 2):
        try:
            y = int(row["label"])
            texts.append(row["TEXT"])
        except (KeyError, ValueError, TypeError):
            raise InputError(str(path), "needs a TEXT column and a 0/1 label", line) from None
        if y not in (0, 1):
            raise InputError(str(path), f"label must be 0 or 1, got {y}", line)
        raw.append(COLD_CLASSES[y])
    labels = [frozenset((INSULT,)) if r == "offensive" else frozenset() for r in raw]
    return Dataset(f"cold:{split}", "zh", texts, raw, labels)


def davidson(split: str = "all", data_dir: str | Path | None = None) -> Dataset:
    """Davidson et al. tweets; ``train`` / ``test`` follow the split recorded in
    ``evaluation/splits/davidson.json`` (checked against the file's SHA-256)."""
    path = _dir(data_dir) / "davidson" / "labeled_data.csv"
    rows = _open(path)
    texts: list[str] = []
    raw: list[str] = []
    for line, row in enumerate(rows, 2):
        try:
            texts.append(row["tweet"])
            raw.append(DAVIDSON_CLASSES[int(row["class"])])
        except (KeyError, ValueError, IndexError, TypeError):
            raise InputError(str(path), "needs a tweet column and class 0, 1 or 2", line) from None
    labels = [frozenset() if r == "neither" else frozenset((INSULT,)) for r in raw]
    full = Dataset("davidson", "en", texts, raw, labels)
    if split == "all":
        return full
    if split not in ("train", "test"):
        raise ConfigError(f"Davidson split must be all, train or test, got {split!r}")
    test = davidson_split(path)
    if split == "test":
        return full.subset(sorted(test), "davidson:test")
    return full.subset([i for i in range(len(full)) if i not in test], "davidson:train")


def davidson_split(path: Path) -> set[int]:
    """The recorded test indices; the data file must be the one the split was drawn from."""
    doc = json.loads(
        resources.files("dunguard.evaluation").joinpath("splits/davidson.json").read_text("utf-8")
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != doc["sha256"]:
        raise InputError(
            str(path),
            f"SHA-256 {digest[:12]}... differs from the one the recorded split was drawn from "
            f"({doc['sha256'][:12]}...): the split would not be the recorded one",
        )
    return set(doc["test"])


def cfpb(data_dir: str | Path | None = None) -> Dataset:
    """The CFPB debt-collection narratives with the code of their sub-issue (CFPB_MAP)."""
    path = _dir(data_dir) / "cfpb" / "cfpb_debt_collection_narratives.jsonl"
    texts: list[str] = []
    raw: list[str] = []
    labels: list[frozenset[str]] = []
    for line, doc in _jsonl(path):
        text = doc.get("narrative")
        if not isinstance(text, str):
            raise InputError(str(path), "needs a string 'narrative'", line)
        sub = doc.get("sub_issue")
        code = CFPB_MAP.get(sub) if isinstance(sub, str) else None
        texts.append(text)
        raw.append(code or NONE)
        labels.append(frozenset((code,)) if code else frozenset())
    return Dataset("cfpb", "en", texts, raw, labels)


def jsonl(path: str | Path, lang: str = "auto") -> Dataset:
    """Any JSON lines file: ``{"text": ..., "labels": [codes]}`` (``labels`` may be one code,
    or empty for a text without violation). Codes must be taxonomy codes."""
    p = Path(path)
    valid = {c.value for c in Category}
    texts: list[str] = []
    raw: list[str] = []
    labels: list[frozenset[str]] = []
    for line, doc in _jsonl(p):
        text = doc.get("text")
        labs = doc.get("labels", [])
        if isinstance(labs, str):
            labs = [labs]
        if not isinstance(text, str) or not isinstance(labs, list):
            raise InputError(str(p), "each line needs a string 'text' and a list 'labels'", line)
        bad = [x for x in labs if x not in valid]
        if bad:
            raise InputError(str(p), f"unknown category {bad[0]!r} (see dunguard.taxonomy)", line)
        texts.append(text)
        labels.append(frozenset(labs))
        raw.append(sorted(labs)[0] if labs else NONE)
    return Dataset(p.name, lang, texts, raw, labels)


def _jsonl(path: Path) -> list[tuple[int, dict[str, object]]]:
    out: list[tuple[int, dict[str, object]]] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line, text in enumerate(fh, 1):
                if not text.strip():
                    continue
                try:
                    doc = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise InputError(str(path), f"not JSON: {exc.msg}", line) from None
                if not isinstance(doc, dict):
                    raise InputError(str(path), "each line must be a JSON object", line)
                out.append((line, doc))
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8") from None
    return out


def load(spec: str, data_dir: str | Path | None = None) -> Dataset:
    """``cold[:train|dev|test]`` (default test), ``davidson[:train|test|all]`` (default test),
    ``cfpb``, or the path of a .jsonl file."""
    name, _, split = spec.partition(":")
    if name == "cold":
        return cold(split or "test", data_dir)
    if name == "davidson":
        return davidson(split or "test", data_dir)
    if name == "cfpb":
        return cfpb(data_dir)
    if spec.endswith((".jsonl", ".json")) or Path(spec).is_file():
        return jsonl(spec)
    raise ConfigError(
        f"unknown data set {spec!r}: use cold[:train|dev|test], davidson[:train|test|all], "
        "cfpb, or a .jsonl file with text and labels"
    )
