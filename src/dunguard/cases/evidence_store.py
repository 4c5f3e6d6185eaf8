"""Evidence files, stored content-addressed: the file name is the SHA-256 of its bytes.

``EvidenceStore`` is the interface (an S3-compatible store can implement it later);
``LocalEvidenceStore`` keeps files in a directory. Writes are streamed through a temporary file
in the same directory, size-limited, and renamed into place only when complete, so a crash
never leaves a partial file under a hash name. Reads verify the hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dunguard.cases.exceptions import EvidenceCorrupt, EvidenceTooLarge
from dunguard.cases.media import Readable

__all__ = ["DEFAULT_LIMIT", "EvidenceStore", "LocalEvidenceStore", "Stored"]

DEFAULT_LIMIT = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Stored:
    sha256: str
    size: int


class EvidenceStore(Protocol):
    def put(self, stream: Readable, name: str, limit: int = DEFAULT_LIMIT) -> Stored:
        """Store the stream's bytes; raise ``EvidenceTooLarge`` past ``limit`` bytes."""
        ...

    def get(self, sha256: str) -> bytes:
        """The stored bytes, verified against ``sha256``; ``EvidenceCorrupt`` if they differ."""
        ...

    def verify(self, sha256: str) -> str | None:
        """None when the file is present and intact, else what is wrong."""
        ...

    def hashes(self) -> Iterable[str]: ...


class LocalEvidenceStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise EvidenceCorrupt(sha256, "not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, stream: Readable, name: str, limit: int = DEFAULT_LIMIT) -> Stored:
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise EvidenceTooLarge(name, limit)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self._path(sha)
            target.parent.mkdir(exist_ok=True)
            if target.exists() and self.verify(sha) is None:
                Path(tmp).unlink()
            else:
                os.replace(tmp, target)
            return Stored(sha, size)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise EvidenceCorrupt(sha256, "missing from the store") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise EvidenceCorrupt(sha256, "content does not match its hash (file was altered)")
        return data

    def verify(self, sha256: str) -> str | None:
        path = self._path(sha256)
        if not path.is_file():
            return "missing from the store"
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            return "content does not match its hash (file was altered)"
        return None

    def hashes(self) -> Iterable[str]:
        for path in sorted(self.root.glob("??/*")):
            if _SHA.match(path.name):
                yield path.name
