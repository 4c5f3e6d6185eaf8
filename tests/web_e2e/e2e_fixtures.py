"""Shared values of the browser tests: the server handle, Chromium's path and flags, the
accounts' password, the CJK font for drawing screenshots."""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dunguard.web.app import AppContext

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-pass"
PLATFORMS = {"闪借": "staff@shanjie.test", "QuickCash": "staff@quickcash.test"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass
class Server:
    url: str
    ctx: AppContext
    staff: dict[str, str] = field(default_factory=dict)
    """platform -> e-mail of its staff account."""
    regulator: str = ""
    outside: list[str] = field(default_factory=list)
    """Requests any page made to somewhere else than this server (must stay empty)."""

    def watch(self, page: Any) -> None:
        def record(request: Any) -> None:
            url = str(request.url)
            if not (url.startswith(self.url + "/") or url.startswith(("data:", "blob:"))):
                self.outside.append(url)

        page.on("request", record)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def font_path() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
    from ingest_fixtures import find_cjk_font

    found = find_cjk_font()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no CJK font; scripts/test.d/ingest-fonts.sh installs one")
        pytest.skip("no CJK font to draw the screenshot (scripts/test.d/ingest-fonts.sh)")
    return found
