"""Drafts of complaints: the files a borrower uploads are checked, read and scanned on arrival
(``web.intake.prepare``, shared with the API) and kept in a draft folder of that user with
their messages and findings, so the borrower can review the findings, pick the platform and
then file; the case is filed from the draft with the snapshots as they were shown."""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dunguard.cases.exceptions import CaseError
from dunguard.cases.service import Upload
from dunguard.detect import Detector
from dunguard.findings import Finding
from dunguard.web.intake import IncomingFile, prepare

__all__ = ["Draft", "DraftFile", "load_draft", "save_draft"]

_HEX = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class DraftFile:
    name: str
    media_type: str
    size: int
    stored: str
    """Path of the stored file relative to the draft folder."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class Draft:
    id: str
    folder: Path
    files: list[DraftFile]

    @property
    def messages(self) -> list[dict[str, Any]]:
        out = [m for f in self.files for m in f.messages]
        return sorted(out, key=lambda m: (m.get("timestamp") is None, m.get("timestamp") or ""))

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [x for f in self.files for x in f.findings]

    @property
    def categories(self) -> list[str]:
        return sorted({str(x["category"]) for x in self.findings})

    def uploads(self) -> list[Upload]:
        return [
            Upload(
                name=f.name,
                media_type=f.media_type,
                stream=(self.folder / f.stored).open("rb"),
                messages=f.messages,
                findings=f.findings,
            )
            for f in self.files
        ]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _drafts_root(evidence_dir: Path, user_id: str) -> Path:
    return evidence_dir.parent / "drafts" / re.sub(r"[^0-9a-zA-Z_-]", "_", user_id)


DRAFT_TTL_SECONDS = 24 * 3600
"""Drafts not filed within a day are removed (when the same user uploads again)."""


def _purge(root: Path) -> None:
    if not root.is_dir():
        return
    cutoff = time.time() - DRAFT_TTL_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and _HEX.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def save_draft(
    evidence_dir: Path,
    user_id: str,
    files: Sequence[IncomingFile],
    detector: Callable[[], Detector],
    max_bytes: int,
) -> Draft:
    """Check, store, read and scan the uploaded files (``intake.prepare``, as the API does)
    in a new draft of ``user_id``; the complaint is filed from it later."""
    if not files:
        raise CaseError("files: choose at least one screenshot, SMS export or recording")
    root = _drafts_root(evidence_dir, user_id)
    _purge(root)
    draft_id = uuid.uuid4().hex
    folder = root / draft_id
    folder.mkdir(parents=True)
    saved: list[DraftFile] = []
    try:
        with ExitStack() as stack:
            prepared = prepare(files, folder, detector, stack, max_bytes=max_bytes)
            for p in prepared:
                stream = p.upload.stream
                stored = Path(getattr(stream, "name", "")).name
                saved.append(
                    DraftFile(
                        name=p.upload.name,
                        media_type=p.upload.media_type,
                        size=p.size,
                        stored=stored,
                        messages=[dict(m) for m in p.upload.messages],
                        findings=[
                            f.to_dict() if isinstance(f, Finding) else dict(f)
                            for f in p.upload.findings
                        ],
                        note=p.note or "",
                    )
                )
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / "draft.json").write_text(
        json.dumps([f.__dict__ for f in saved], ensure_ascii=False), encoding="utf-8"
    )
    return Draft(draft_id, folder, saved)


def load_draft(evidence_dir: Path, user_id: str, draft_id: str) -> Draft:
    if not _HEX.match(draft_id):
        raise CaseError("draft: not a draft id")
    folder = _drafts_root(evidence_dir, user_id) / draft_id
    index = folder / "draft.json"
    if not index.is_file():
        raise CaseError("draft: no such upload (it was filed already or has expired)")
    rows = json.loads(index.read_text(encoding="utf-8"))
    return Draft(draft_id, folder, [DraftFile(**row) for row in rows])
