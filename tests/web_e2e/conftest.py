"""The web app served by uvicorn on 127.0.0.1 (a free port, a SQLite file in a temporary
folder) for the whole session, and Debian's Chromium driven by Playwright (never a downloaded
browser). Without /usr/bin/chromium the browser tests are skipped, or fail under CI=true
(scripts/test.d/browser.sh installs it)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from e2e_fixtures import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    PLATFORMS,
    Server,
    free_port,
)
from sqlalchemy import inspect

from dunguard.cases.model import Role
from dunguard.cases.tables import Base
from dunguard.web.app import AppContext, create_app
from dunguard.web.settings import WebSettings


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("web-e2e")
    settings = WebSettings(
        db_url=f"sqlite:///{root / 'web.db'}",
        evidence_dir=root / "evidence",
        argon2_memory_kib=1024,
        argon2_time_cost=1,
    )
    app = create_app(settings)
    ctx: AppContext = app.state.ctx
    if not inspect(ctx.engine).has_table("users"):  # until a migration creates them
        Base.metadata.create_all(ctx.engine)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    srv = Server(f"http://127.0.0.1:{port}", ctx)
    for platform, email in PLATFORMS.items():
        name = f"{platform} 合规"
        ctx.accounts.register(email, PASSWORD, name, role=Role.PLATFORM, tenant=platform)
        srv.staff[platform] = email
    srv.regulator = "regulator@gov.test"
    ctx.accounts.register(srv.regulator, PASSWORD, "监管局", role=Role.REGULATOR)
    yield srv
    uv.should_exit = True
    thread.join(timeout=10)
    ctx.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; scripts/test.d/browser.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (bash scripts/test.d/browser.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
