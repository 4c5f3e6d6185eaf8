"""cases reads findings as values: it imports only the core values (errors, findings,
taxonomy, settings), the migrations that create its tables, and itself, never a producer
(ingest, detect, policy, loans, models), a later stage, or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parents[2] / "src" / "dunguard" / "cases"
ALLOWED = {"cases", "errors", "findings", "taxonomy", "settings", "migrations"}


def dunguard_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {n.split(".")[1] for n in names if n.startswith("dunguard.")}
    return found


@pytest.mark.parametrize("path", sorted(CASES.glob("*.py")), ids=lambda p: p.name)
def test_cases_imports_only_core_values(path: Path) -> None:
    assert dunguard_imports(path) <= ALLOWED, path


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from dunguard.detect import Detector\nimport dunguard.findings\n", "utf-8")
    assert dunguard_imports(sample) == {"detect", "findings"}
