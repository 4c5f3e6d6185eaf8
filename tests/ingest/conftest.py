"""pytest fixtures of the ingest tests; the builders live in ingest_fixtures.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_fixtures import find_cjk_font


@pytest.fixture
def cjk_font() -> str:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (scripts/test.d/ingest-fonts.sh installs one)")
    return font


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes, str], Path]:
    """write(name, content, encoding) -> path under tmp_path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return _write
