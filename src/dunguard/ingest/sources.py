"""Where evidence bytes come from: files, folders (recursively) and zip archives.

Archives come from strangers, so they are opened with limits: number of members, bytes per
member and per archive counted while decompressing (declared sizes are not trusted),
compression ratio, nesting depth; members whose names climb out of the archive (``../``,
absolute paths) or are encrypted are rejected. Nothing is ever extracted by its own name:
members are read into anonymous temporary files.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

__all__ = ["IngestLimits", "Rejected", "Source", "iter_sources"]

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True, slots=True)
class IngestLimits:
    max_member_bytes: int = 512 << 20
    max_archive_bytes: int = 2 << 30
    """Uncompressed bytes read from one archive, nested archives included."""
    max_members: int = 10_000
    max_ratio: float = 200.0
    """Largest uncompressed/compressed ratio accepted for a member bigger than 1 MiB."""
    max_depth: int = 3
    """Archives inside archives, at most this deep."""
    max_image_pixels: int = 60_000_000


@dataclass(frozen=True, slots=True)
class Rejected:
    source: str
    problem: str
    line: int | None = None
    kept: int = 0
    """Messages read from the file before the problem; they are kept."""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        tail = f" ({self.kept} messages before it kept)" if self.kept else ""
        return f"{where}: {self.problem}{tail}"


@dataclass(slots=True)
class Source:
    """One file of evidence, on disk or inside an archive. ``name`` is what the user sees:
    ``chats/a.txt`` or ``evidence.zip!chats/a.txt``."""

    name: str
    opener: Callable[[], BinaryIO]
    size: int
    _sha256: str | None = None

    def open(self) -> BinaryIO:
        return self.opener()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name.rsplit("!", 1)[-1]).suffix.lower()

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            with self.open() as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self._sha256 = digest.hexdigest()
        return self._sha256


def _is_zip(head: bytes) -> bool:
    return head[:4] in ZIP_MAGIC


def iter_sources(
    paths: Iterable[str | Path],
    limits: IngestLimits | None = None,
    exclude: Iterable[Path] = (),
) -> Iterator[Source | Rejected]:
    """Every file under ``paths`` (files, folders, zip archives), in a stable order; what
    cannot be opened is yielded as ``Rejected`` and the walk goes on. Files in ``exclude``
    (the output being written, say) are passed over."""
    limits = limits or IngestLimits()
    skip = frozenset(p.resolve() for p in exclude)
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield Rejected(str(path), "no such file or folder")
        elif path.is_dir():
            yield from (s for s in _walk(path, limits) if not _excluded(s, skip))
        elif path.resolve() not in skip:
            yield from _file(path, limits)


def _excluded(item: Source | Rejected, skip: frozenset[Path]) -> bool:
    name = item.name if isinstance(item, Source) else item.source
    return bool(skip) and "!" not in name and Path(name).resolve() in skip


def _walk(root: Path, limits: IngestLimits) -> Iterator[Source | Rejected]:
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
        while errors:
            exc = errors.pop(0)
            yield Rejected(str(exc.filename or dirpath), f"cannot list folder: {exc.strerror}")
        dirnames.sort()
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            yield from _file(Path(dirpath) / name, limits)
    for exc in errors:
        yield Rejected(str(exc.filename or root), f"cannot list folder: {exc.strerror}")


def _file(path: Path, limits: IngestLimits) -> Iterator[Source | Rejected]:
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            yield Rejected(name, "not a regular file")
            return
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        yield Rejected(name, f"cannot read: {exc.strerror or exc}")
        return
    if _is_zip(head):
        try:
            with zipfile.ZipFile(path) as archive:
                yield from _archive(
                    archive, name, limits, depth=1, budget=[limits.max_archive_bytes]
                )
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield Rejected(name, f"corrupt zip archive: {exc}")
        return
    yield Source(name, lambda p=path: p.open("rb"), info.st_size)  # type: ignore[misc]


def _unsafe_member_name(name: str) -> str | None:
    if "\x00" in name:
        return "member name contains a NUL byte"
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "absolute path in archive (path traversal)"
    if ".." in pure.parts:
        return "'..' in archive path (path traversal)"
    return None


def _archive(
    archive: zipfile.ZipFile, name: str, limits: IngestLimits, depth: int, budget: list[int]
) -> Iterator[Source | Rejected]:
    members = archive.infolist()
    if len(members) > limits.max_members:
        yield Rejected(name, f"archive has {len(members)} members, more than {limits.max_members}")
        return
    for info in sorted(members, key=lambda m: m.filename):
        member = f"{name}!{info.filename}"
        if info.is_dir():
            continue
        base = PurePosixPath(info.filename.replace("\\", "/")).name
        if base.startswith(".") or info.filename.startswith("__MACOSX/"):
            continue
        problem = _unsafe_member_name(info.filename)
        if problem is None and info.flag_bits & 0x1:
            problem = "encrypted member"
        if problem is None and info.file_size > limits.max_member_bytes:
            problem = f"declared size {info.file_size} bytes exceeds {limits.max_member_bytes}"
        if problem is not None:
            yield Rejected(member, problem)
            continue
        try:
            spool = _read_member(archive, info, limits, budget)
        except _LimitExceeded as exc:
            yield Rejected(member, str(exc))
            if budget[0] <= 0:
                yield Rejected(name, "archive exceeds the total uncompressed size limit; stopped")
                return
            continue
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
            yield Rejected(member, f"corrupt archive member: {exc}")
            continue
        spool.seek(0)
        head = spool.read(4)
        spool.seek(0)
        if _is_zip(head):
            if depth >= limits.max_depth:
                yield Rejected(member, f"archives nested deeper than {limits.max_depth}")
                continue
            try:
                with zipfile.ZipFile(spool) as inner:
                    yield from _archive(inner, member, limits, depth + 1, budget)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                yield Rejected(member, f"corrupt zip archive: {exc}")
            continue
        size = spool.seek(0, os.SEEK_END)
        yield Source(member, lambda s=spool: _reopen(s), size)  # type: ignore[misc]


class _LimitExceeded(Exception):
    pass


def _reopen(spool: BinaryIO) -> BinaryIO:
    spool.seek(0)
    return cast(BinaryIO, _NoClose(spool))


class _NoClose:
    """Lets readers use ``with source.open()`` on a shared temporary file."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh

    def read(self, n: int = -1) -> bytes:
        return self._fh.read(n)

    def readline(self, n: int = -1) -> bytes:
        return self._fh.readline(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> _NoClose:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: IngestLimits, budget: list[int]
) -> BinaryIO:
    """Decompress one member into a temporary file, counting real bytes against the limits."""
    spool: BinaryIO = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # type: ignore[assignment]  # noqa: SIM115
    compressed = max(info.compress_size, 1)
    written = 0
    with archive.open(info) as member:
        while True:
            block = member.read(1 << 16)
            if not block:
                break
            written += len(block)
            budget[0] -= len(block)
            if written > limits.max_member_bytes:
                raise _LimitExceeded(f"member larger than {limits.max_member_bytes} bytes")
            if written > (1 << 20) and written / compressed > limits.max_ratio:
                raise _LimitExceeded(f"compression ratio over {limits.max_ratio:g}:1 (zip bomb?)")
            if budget[0] < 0:
                raise _LimitExceeded("archive total uncompressed size limit reached")
            spool.write(block)
    return spool
