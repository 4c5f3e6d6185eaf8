"""The test PostgreSQL server plugin (tests/pgserver.py) when no server binaries exist: the
PostgreSQL cases are skipped with the reason, but fail under CI; the SQLite cases run."""

from __future__ import annotations

import pytest

from pgserver import find_binaries

PROBE = """
def test_probe(case_db_url):
    assert case_db_url.startswith("sqlite:///")
"""


@pytest.fixture
def no_binaries(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("DUNGUARD_PG_BIN", str(pytester.path / "no-postgres-here"))
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_probe=PROBE)
    return pytester


def test_without_binaries_postgresql_cases_are_skipped(no_binaries: pytest.Pytester) -> None:
    assert find_binaries() is None
    result = no_binaries.runpytest("-p", "pgserver", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*no PostgreSQL server binaries*no-postgres-here*"])


def test_without_binaries_under_ci_postgresql_cases_fail(
    no_binaries: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "1")
    result = no_binaries.runpytest("-p", "pgserver")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*CI is set and PostgreSQL tests cannot run*"])
