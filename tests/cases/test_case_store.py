"""The local evidence store: content-addressed, atomic, size-limited, verified on read."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from dunguard.cases import EvidenceCorrupt, EvidenceTooLarge, LocalEvidenceStore


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_names_the_file_by_its_sha256(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    data = "截图 bytes".encode() * 1000
    stored = store.put(io.BytesIO(data), "a.png")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert [p.name for p in files_under(tmp_path)] == [stored.sha256]
    assert store.get(stored.sha256) == data
    assert store.verify(stored.sha256) is None
    assert list(store.hashes()) == [stored.sha256]


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    a = store.put(io.BytesIO(b"same"), "a.txt")
    b = store.put(io.BytesIO(b"same"), "b.txt")
    assert a == b
    assert len(files_under(tmp_path)) == 1


def test_streamed_in_chunks_past_the_limit_leaves_nothing(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    big = io.BytesIO(b"x" * (3 * 1024 * 1024))
    with pytest.raises(EvidenceTooLarge, match=r"big\.bin.*2097152"):
        store.put(big, "big.bin", limit=2 * 1024 * 1024)
    assert files_under(tmp_path) == []
    ok = store.put(io.BytesIO(b"x" * 10), "small.bin", limit=10)
    assert ok.size == 10


def test_an_altered_file_is_refused_on_read(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    sha = store.put(io.BytesIO(b"original"), "a.txt").sha256
    path = files_under(tmp_path)[0]
    path.write_bytes(b"forged")
    with pytest.raises(EvidenceCorrupt, match="altered"):
        store.get(sha)
    assert store.verify(sha) == "content does not match its hash (file was altered)"
    # Putting the original again repairs the altered copy.
    store.put(io.BytesIO(b"original"), "a.txt")
    assert store.get(sha) == b"original"


def test_missing_file_and_bad_names(tmp_path: Path) -> None:
    store = LocalEvidenceStore(tmp_path)
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert store.verify(missing) == "missing from the store"
    with pytest.raises(EvidenceCorrupt, match="missing"):
        store.get(missing)
    with pytest.raises(EvidenceCorrupt, match="not a SHA-256"):
        store.get("../../etc/passwd")
