"""Fixtures of the case tests: a real service, on each backend of ``case_db_url`` (SQLite and a
real PostgreSQL server, see tests/pgserver.py), and a temporary evidence store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from case_fixtures import ALICE, BORROWER, Clock
from sqlalchemy.engine import Engine

from dunguard.cases import Case, CaseService, LocalEvidenceStore, Upload, open_engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "evidence")


@pytest.fixture
def engine(case_db_url: str) -> Iterator[Engine]:
    engine = open_engine(case_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine: Engine, store: LocalEvidenceStore, clock: Clock) -> CaseService:
    return CaseService(engine, store, clock=clock, max_evidence_bytes=4096)


@pytest.fixture
def file_case(service: CaseService) -> Callable[..., Case]:
    def _file(*uploads: Upload, platform: str = "quickloan", jurisdiction: str = "CN") -> Case:
        return service.file_case(
            BORROWER,
            complainant=ALICE,
            platform=platform,
            account_ref="LN-2026-000123",
            jurisdiction=jurisdiction,
            categories=["threat.false_legal"],
            summary="深夜电话威胁坐牢",
            evidence=uploads,
        )

    return _file
