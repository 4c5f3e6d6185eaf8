"""The web app on a real database (``case_db_url``: a SQLite file, and PostgreSQL under the
``postgres`` marker) with cheap Argon2 settings and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_fixtures import Clock, build_app, web_settings

from dunguard.web.app import AppContext


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(case_db_url: str, tmp_path: Path, clock: Clock) -> Iterator[FastAPI]:
    application = build_app(web_settings(case_db_url, tmp_path), clock)
    yield application
    application.state.ctx.engine.dispose()


@pytest.fixture
def ctx(app: FastAPI) -> AppContext:
    context: AppContext = app.state.ctx
    return context


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
