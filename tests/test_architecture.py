"""The data flow runs one way (DESIGN.md): nothing imports the CLI, producers know nothing of
cases, reports or the web, and no stage imports a later one. Checked on the source's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dunguard"
CORE = {"errors", "findings", "taxonomy", "settings"}

#: package -> the dunguard packages it must never import
FORBIDDEN = {
    "detect": {"ingest", "policy", "loans", "cases", "reports", "web", "commands", "cli"},
    "ingest": {"policy", "loans", "cases", "reports", "web", "commands", "cli"},
    "policy": {"ingest", "detect", "loans", "cases", "reports", "web", "commands", "cli"},
    "loans": {"ingest", "detect", "policy", "cases", "reports", "web", "commands", "cli"},
    "models": {"ingest", "policy", "loans", "cases", "reports", "web", "commands", "cli"},
    "evaluation": {"cases", "reports", "web", "commands", "cli"},
    "cases": {"ingest", "detect", "policy", "loans", "models", "reports", "web", "commands", "cli"},
    "migrations": {"ingest", "detect", "policy", "loans", "models", "reports", "commands", "cli"},
    "reports": {"web", "commands", "cli"},
}


def _imports(path: Path) -> set[str]:
    """First component after ``dunguard.`` of every dunguard import in ``path``."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "dunguard" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _package(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_import_direction(path: Path) -> None:
    package = _package(path)
    imported = _imports(path)
    if package not in ("cli", "commands"):
        assert not imported & {"cli", "commands"}, f"{path}: library code imports the CLI"
    if package not in ("web", "cli", "commands"):
        assert "web" not in imported, f"{path}: nothing but the CLI imports the web app"
    if package in CORE:
        assert imported <= CORE, f"{path}: core values import {imported - CORE}"
    bad = imported & FORBIDDEN.get(package, set())
    assert not bad, f"{path}: {package} must not import {sorted(bad)}"


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from dunguard.cases import store\nimport dunguard.web.app\n", "utf-8")
    assert _imports(sample) == {"cases", "web"}
