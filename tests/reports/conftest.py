"""Fixtures of the letter tests: a real case service on in-memory SQLite with one filed case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from letter_fixtures import BORROWER, Clock, Filed, file_case
from sqlalchemy.engine import Engine

from dunguard.cases import CaseService, LocalEvidenceStore, open_engine
from dunguard.reports import LetterInput, letter_input


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = open_engine("sqlite://")
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine: Engine, tmp_path: Path, clock: Clock) -> CaseService:
    return CaseService(engine, LocalEvidenceStore(tmp_path / "evidence"), clock=clock)


@pytest.fixture
def filed(service: CaseService, clock: Clock) -> Filed:
    return file_case(service, clock)


@pytest.fixture
def parts(service: CaseService, filed: Filed) -> LetterInput:
    """The case as its complainant sees it."""
    return letter_input(service, BORROWER, filed.case.id)
