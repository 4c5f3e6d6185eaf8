"""Short messages made from the real texts in ../shared/data (COLD, Davidson, CFPB)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")


def data_dir() -> Path:
    if not DATA.exists():
        raise SystemExit(f"data not found at {DATA}: run from a checkout beside shared/")
    return DATA


def cold_texts(split: str) -> list[tuple[str, int]]:
    with (data_dir() / "cold" / f"{split}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [(row["TEXT"], int(row["label"])) for row in csv.DictReader(fh)]


def davidson_texts() -> list[str]:
    with (data_dir() / "davidson" / "labeled_data.csv").open(encoding="utf-8", newline="") as fh:
        return [row["tweet"] for row in csv.DictReader(fh)]


def cfpb_rows() -> list[dict[str, str]]:
    path = data_dir() / "cfpb" / "cfpb_debt_collection_narratives.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def short_messages(n: int, max_len: int = 140) -> list[str]:
    """``n`` short messages, interleaving COLD (zh), Davidson tweets (en) and CFPB narrative
    sentences (en), cycling when the sources run out."""
    zh: list[str] = []
    for split in ("train", "dev", "test"):
        zh.extend(t[:max_len] for t, _ in cold_texts(split))
    tweets = [t[:max_len] for t in davidson_texts()]
    sentences = [
        s[:max_len] for row in cfpb_rows() for s in _SENTENCE.split(row["narrative"]) if s.strip()
    ]
    pools = [zh, tweets, sentences]
    out: list[str] = []
    i = 0
    while len(out) < n:
        pool = pools[i % 3]
        out.append(pool[(i // 3) % len(pool)])
        i += 1
    return out
